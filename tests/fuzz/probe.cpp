// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: see FuzzBodies.h.
#include "FuzzBodies.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    dl::fuzz::probe(data, size);
    return 0;
}
