// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "imaging/ImageFormat.h"

#include <QByteArrayView>
#include <QString>

namespace dl {

// Checks a whole JPEG stream without decoding pixels: walks the Huffman codes of every scan
// (baseline, extended and progressive, including refinement scans), counts the blocks of each
// restart interval and scan, checks the restart marker sequence and requires an EOI marker.
//
// libjpeg only *warns* about damaged entropy data ("premature end of data segment", "bad
// Huffman code", "extraneous bytes") and then fills the rest of the image with grey; neither Qt
// nor OpenCV report those warnings as failures. This check turns them into a rejection:
// data that runs out -> Truncated, data that does not match its own structure -> Corrupt.
// Reentrant and allocation-light (progressive files keep one 64-bit mask per block).
class JpegValidator
{
public:
    struct Result
    {
        RejectReason reject = RejectReason::None;
        QString message;
        // False when the entropy data could only be checked structurally (arithmetic coding,
        // or a scan using Huffman tables the file does not define).
        bool entropyChecked = false;
        int scans = 0;
        bool ok() const { return reject == RejectReason::None; }
    };

    // Up to this many stray non-zero bytes before a marker are tolerated (some encoders leave
    // one or two; libjpeg reports them as "extraneous bytes" but decodes the image completely).
    // Zero padding is always tolerated.
    static constexpr int DefaultTolerance = 8;

    static Result validate(QByteArrayView data, int extraneousTolerance = DefaultTolerance);
};

} // namespace dl
