// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringView>

namespace dl {

// The still-image formats the workstation accepts. Everything else is rejected at import.
enum class ImageFormat
{
    Unknown,
    Jpeg,
    Png,
    Tiff,
    WebP,
    Bmp
};

// Stable lower-case key, also the Qt image plugin name: "jpeg","png","tiff","webp","bmp","unknown".
QString formatName(ImageFormat format);
// Preferred file extension without the dot: "jpg","png","tif","webp","bmp", "" for Unknown.
QString formatExtension(ImageFormat format);
// MIME type, e.g. "image/jpeg"; "application/octet-stream" for Unknown.
QString formatMimeType(ImageFormat format);
// Accepts a format name, a file extension (with or without dot) or a MIME type, any case;
// Unknown when not recognised.
ImageFormat formatFromName(QStringView name);
// Case-insensitive: jpg jpeg jpe png tif tiff webp bmp (a leading dot is allowed).
bool isImageFileSuffix(QStringView suffix);

// Why an image was refused at import or could not be decoded.
enum class RejectReason
{
    None,
    Empty,
    Truncated,
    NotAnImage,
    Unsupported,
    Corrupt,
    TooLarge,
    Unreadable
};

// Stable key for storage and reports: "none","empty","truncated","not_an_image","unsupported",
// "corrupt","too_large","unreadable".
QString rejectReasonKey(RejectReason reason);
// Inverse of rejectReasonKey(); None for an unknown key.
RejectReason rejectReasonFromKey(QStringView key);
// Short translated description, e.g. "Truncated file".
QString rejectReasonText(RejectReason reason);

} // namespace dl
