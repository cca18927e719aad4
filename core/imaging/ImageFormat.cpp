// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageFormat.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace dl {

QString formatName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg:
        return u"jpeg"_s;
    case ImageFormat::Png:
        return u"png"_s;
    case ImageFormat::Tiff:
        return u"tiff"_s;
    case ImageFormat::WebP:
        return u"webp"_s;
    case ImageFormat::Bmp:
        return u"bmp"_s;
    case ImageFormat::Unknown:
        break;
    }
    return u"unknown"_s;
}

QString formatExtension(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg:
        return u"jpg"_s;
    case ImageFormat::Png:
        return u"png"_s;
    case ImageFormat::Tiff:
        return u"tif"_s;
    case ImageFormat::WebP:
        return u"webp"_s;
    case ImageFormat::Bmp:
        return u"bmp"_s;
    case ImageFormat::Unknown:
        break;
    }
    return QString();
}

QString formatMimeType(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg:
        return u"image/jpeg"_s;
    case ImageFormat::Png:
        return u"image/png"_s;
    case ImageFormat::Tiff:
        return u"image/tiff"_s;
    case ImageFormat::WebP:
        return u"image/webp"_s;
    case ImageFormat::Bmp:
        return u"image/bmp"_s;
    case ImageFormat::Unknown:
        break;
    }
    return u"application/octet-stream"_s;
}

ImageFormat formatFromName(QStringView name)
{
    QStringView n = name.trimmed();
    if (n.startsWith(u'.'))
        n = n.mid(1);
    if (n.startsWith(u"image/", Qt::CaseInsensitive)) {
        n = n.mid(6);
        if (n.compare(u"x-ms-bmp", Qt::CaseInsensitive) == 0 || n.compare(u"x-bmp", Qt::CaseInsensitive) == 0)
            return ImageFormat::Bmp;
        if (n.compare(u"pjpeg", Qt::CaseInsensitive) == 0)
            return ImageFormat::Jpeg;
    }
    static constexpr struct
    {
        QStringView key;
        ImageFormat format;
    } table[] = {
        { u"jpeg", ImageFormat::Jpeg },
        { u"jpg", ImageFormat::Jpeg },
        { u"jpe", ImageFormat::Jpeg },
        { u"png", ImageFormat::Png },
        { u"tiff", ImageFormat::Tiff },
        { u"tif", ImageFormat::Tiff },
        { u"webp", ImageFormat::WebP },
        { u"bmp", ImageFormat::Bmp },
        { u"dib", ImageFormat::Bmp },
    };
    for (const auto &entry : table) {
        if (n.compare(entry.key, Qt::CaseInsensitive) == 0)
            return entry.format;
    }
    return ImageFormat::Unknown;
}

bool isImageFileSuffix(QStringView suffix)
{
    QStringView s = suffix;
    if (s.startsWith(u'.'))
        s = s.mid(1);
    static constexpr QStringView suffixes[]
        = { u"jpg", u"jpeg", u"jpe", u"png", u"tif", u"tiff", u"webp", u"bmp" };
    for (QStringView known : suffixes) {
        if (s.compare(known, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

namespace {
struct ReasonEntry
{
    RejectReason reason;
    QStringView key;
};
constexpr ReasonEntry reasonTable[] = {
    { RejectReason::None, u"none" },
    { RejectReason::Empty, u"empty" },
    { RejectReason::Truncated, u"truncated" },
    { RejectReason::NotAnImage, u"not_an_image" },
    { RejectReason::Unsupported, u"unsupported" },
    { RejectReason::Corrupt, u"corrupt" },
    { RejectReason::TooLarge, u"too_large" },
    { RejectReason::Unreadable, u"unreadable" },
};
} // namespace

QString rejectReasonKey(RejectReason reason)
{
    for (const auto &entry : reasonTable) {
        if (entry.reason == reason)
            return entry.key.toString();
    }
    return u"none"_s;
}

RejectReason rejectReasonFromKey(QStringView key)
{
    for (const auto &entry : reasonTable) {
        if (entry.key == key)
            return entry.reason;
    }
    return RejectReason::None;
}

QString rejectReasonText(RejectReason reason)
{
    switch (reason) {
    case RejectReason::None:
        return QCoreApplication::translate("dl::ImageFormat", "Accepted");
    case RejectReason::Empty:
        return QCoreApplication::translate("dl::ImageFormat", "Empty file");
    case RejectReason::Truncated:
        return QCoreApplication::translate("dl::ImageFormat", "Truncated file");
    case RejectReason::NotAnImage:
        return QCoreApplication::translate("dl::ImageFormat", "Not an image");
    case RejectReason::Unsupported:
        return QCoreApplication::translate("dl::ImageFormat", "Unsupported image format");
    case RejectReason::Corrupt:
        return QCoreApplication::translate("dl::ImageFormat", "Corrupt image data");
    case RejectReason::TooLarge:
        return QCoreApplication::translate("dl::ImageFormat", "Image too large");
    case RejectReason::Unreadable:
        return QCoreApplication::translate("dl::ImageFormat", "Unreadable file");
    }
    return QString();
}

} // namespace dl
