// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/ImageFormat.h"

#include <QByteArrayView>
#include <QString>

namespace dl {

// Checks the chunk structure of a whole PNG stream without inflating it: chunk lengths, the
// CRC of every critical chunk (IHDR, PLTE, IDAT, IEND), PLTE for palette images, the zlib
// header of the image data and the IEND chunk. libpng reports such damage through its default
// error handler, which neither Qt nor OpenCV replace, so it would be printed to stderr; checking
// first keeps the decoders from ever seeing it. Reentrant.
class PngValidator
{
public:
    struct Result
    {
        RejectReason reject = RejectReason::None;
        QString message;
        int chunks = 0;
        bool ok() const { return reject == RejectReason::None; }
    };

    static Result validate(QByteArrayView data);

    // CRC-32 as used by PNG (and zlib), slicing-by-8. Pass the previous value to continue.
    static quint32 crc32(const uchar *data, qsizetype length, quint32 previous = 0);
};

} // namespace dl
