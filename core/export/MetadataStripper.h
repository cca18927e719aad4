// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QImage>
#include <QString>
#include <QStringList>

namespace dl {

// Removes metadata from exported image files, in memory.
//
// The rule the exporter follows: when no pixel changes, the original file is stripped losslessly
// (strip(): JPEG entropy-coded data and PNG image data are copied byte for byte, so the decoded
// pixels are exactly the original's); when pixels change (a redaction was burned in) or the EXIF
// orientation is not 1 (it has to be applied, and the EXIF block that holds it is removed), the
// decoded, oriented and redacted image is re-encoded with encodeLossless() as a PNG, which keeps the
// decoded pixels exactly and carries no metadata either. strip() refuses a JPEG whose EXIF
// orientation is not 1, so a rotated photo can never silently lose its rotation.
//
// JPEG: keeps SOI, the frame, tables, scans and EOI, APP0 JFIF rewritten without its thumbnail
// (version, units and density kept), the ICC profile and APP14 Adobe (both needed to decode the
// colours correctly), each rewritten: the APP2 ICC_PROFILE chunks are reassembled by sequence
// number, the profile rewritten by IccProfile::sanitize() (colour tags only, no description,
// device or creator fields) and split into chunks again where the first one was; of APP14 Adobe
// only its defined 12 bytes (version, flags0, flags1, transform) are kept. Drops every other
// APP0..APP15 segment (Exif, XMP, JFXX thumbnails, MPF, Photoshop/IPTC ...), COM comments, fill
// bytes between segments and anything after EOI.
// PNG: keeps IHDR PLTE IDAT IEND tRNS gAMA cHRM sRGB iCCP sBIT pHYs (in their order), drops every
// other ancillary chunk (tEXt zTXt iTXt eXIf tIME, private chunks, APNG frames ...) and anything
// after IEND. The CRC of every kept chunk is checked. iCCP is inflated (at most
// IccProfile::MaxSize bytes), rewritten like a JPEG's profile, deflated again and named
// "ICC profile"; a second iCCP is dropped.
// A malformed ICC profile is dropped (the image still exports, its colours read as sRGB) and a
// note says so; hasMetadata() reports a profile that the rewrite would change.
//
// Malformed input (cut short, bad segment lengths or CRCs, no scan or no image data, unknown
// critical PNG chunks) gives an empty result and a message; there is never a half-stripped output.
// All functions are reentrant.
class MetadataStripper
{
public:
    // JPEG or PNG, decided by content. Other formats are an error (re-encode them instead).
    // *notes (when given) receives what was dropped beyond plain metadata, e.g. a malformed ICC
    // profile ("Malformed ICC profile: ... The profile was dropped; the colours are read as sRGB.").
    static QByteArray strip(QByteArrayView data, QString *error, QStringList *notes = nullptr);
    static QByteArray stripJpeg(QByteArrayView data, QString *error, QStringList *notes = nullptr);
    static QByteArray stripPng(QByteArrayView data, QString *error, QStringList *notes = nullptr);

    // True when the file carries metadata, or cannot be shown not to (a format other than JPEG or
    // PNG, a structure that cannot be parsed). *found lists what was seen, e.g. "APP1 Exif",
    // "APP1 http://ns.adobe.com/xap/1.0/", "COM", "JFIF thumbnail", "data after EOI", "tEXt",
    // "eXIf", "unreadable JPEG: ...".
    static bool hasMetadata(QByteArrayView data, QStringList *found = nullptr);

    // A PNG of the image without metadata (no text chunks, no EXIF, no time): decoding it gives
    // exactly the image's pixels (RGB32 as 8-bit RGB, ARGB32 as 8-bit RGBA, Grayscale8 as grey; a
    // premultiplied image is written unpremultiplied). Keeps the colour space (iCCP) and the
    // resolution (pHYs). Empty and *error for a null image or when writing fails.
    static QByteArray encodeLossless(const QImage &image, QString *error);
};

} // namespace dl
