// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/StoreTransaction.h"

#include "store/Store.h"

namespace dl {

StoreTransaction::StoreTransaction(const Store &store)
    : Transaction(store.db())
{
}

} // namespace dl
