// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Transaction.h"

namespace dl {

class Store;

/// A Transaction on the calling thread's connection of a store. Services begin one with the
/// Store they hold and never handle a connection; repositories constructed from the same Store
/// on the same thread take part in it.
class StoreTransaction : public Transaction
{
public:
    explicit StoreTransaction(const Store &store);
};

} // namespace dl
