// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/PngValidator.h"

#include <QCoreApplication>
#include <array>
#include <cstring>

namespace dl {

namespace {

using CrcTables = std::array<std::array<quint32, 256>, 8>;

constexpr CrcTables makeCrcTables()
{
    CrcTables t {};
    for (quint32 n = 0; n < 256; ++n) {
        quint32 c = n;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[0][n] = c;
    }
    for (quint32 n = 0; n < 256; ++n) {
        for (size_t k = 1; k < 8; ++k)
            t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xFF];
    }
    return t;
}

constexpr CrcTables crcTables = makeCrcTables();

quint32 be32(const uchar *p)
{
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}

bool isLetter(uchar c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

PngValidator::Result failed(PngValidator::Result r, RejectReason reason, const QString &message)
{
    r.reject = reason;
    r.message = message;
    return r;
}

} // namespace

quint32 PngValidator::crc32(const uchar *data, qsizetype length, quint32 previous)
{
    quint32 c = previous ^ 0xFFFFFFFFu;
    while (length >= 8) {
        const quint32 lo = c
            ^ (quint32(data[0]) | (quint32(data[1]) << 8) | (quint32(data[2]) << 16)
                | (quint32(data[3]) << 24));
        c = crcTables[7][lo & 0xFF] ^ crcTables[6][(lo >> 8) & 0xFF] ^ crcTables[5][(lo >> 16) & 0xFF]
            ^ crcTables[4][lo >> 24] ^ crcTables[3][data[4]] ^ crcTables[2][data[5]] ^ crcTables[1][data[6]]
            ^ crcTables[0][data[7]];
        data += 8;
        length -= 8;
    }
    while (length-- > 0)
        c = crcTables[0][(c ^ *data++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

PngValidator::Result PngValidator::validate(QByteArrayView data)
{
    Result result;
    const auto *p = reinterpret_cast<const uchar *>(data.data());
    const qsizetype n = data.size();
    if (n < 8 || std::memcmp(p, "\x89PNG\r\n\x1A\n", 8) != 0) {
        return failed(result, n == 0 ? RejectReason::Empty : RejectReason::NotAnImage,
            QCoreApplication::translate("dl::PngValidator", "The data is not a PNG image"));
    }
    qsizetype pos = 8;
    bool haveHeader = false, havePalette = false, haveData = false, checkedZlib = false;
    int colorType = -1;
    while (true) {
        if (n - pos < 12) {
            return failed(result, RejectReason::Truncated,
                QCoreApplication::translate("dl::PngValidator", "PNG data ends before the IEND chunk"));
        }
        const quint32 length = be32(p + pos);
        const uchar *type = p + pos + 4;
        const QString typeName = QString::fromLatin1(reinterpret_cast<const char *>(type), 4);
        if (!isLetter(type[0]) || !isLetter(type[1]) || !isLetter(type[2]) || !isLetter(type[3])
            || length > 0x7FFFFFFFu) {
            return failed(result, RejectReason::Corrupt,
                QCoreApplication::translate("dl::PngValidator", "PNG chunk structure is damaged at byte %1")
                    .arg(pos));
        }
        if (qint64(n - pos) < qint64(length) + 12) {
            return failed(result, RejectReason::Truncated,
                QCoreApplication::translate("dl::PngValidator", "PNG data ends inside the %1 chunk")
                    .arg(typeName));
        }
        ++result.chunks;
        const bool critical = (type[0] & 0x20) == 0;
        const uchar *payload = type + 4;
        if (critical && crc32(type, qsizetype(length) + 4) != be32(payload + length)) {
            return failed(result, RejectReason::Corrupt,
                QCoreApplication::translate("dl::PngValidator", "PNG chunk %1 at byte %2 has a bad CRC")
                    .arg(typeName)
                    .arg(pos));
        }
        if (std::memcmp(type, "IHDR", 4) == 0) {
            if (haveHeader || pos != 8 || length != 13) {
                return failed(result, RejectReason::Corrupt,
                    QCoreApplication::translate("dl::PngValidator", "PNG header chunk is misplaced"));
            }
            haveHeader = true;
            colorType = payload[9];
        } else if (!haveHeader) {
            return failed(result, RejectReason::Corrupt,
                QCoreApplication::translate(
                    "dl::PngValidator", "PNG file does not start with an IHDR chunk"));
        } else if (std::memcmp(type, "PLTE", 4) == 0) {
            havePalette = true;
        } else if (std::memcmp(type, "IDAT", 4) == 0) {
            if (colorType == 3 && !havePalette) {
                return failed(result, RejectReason::Corrupt,
                    QCoreApplication::translate("dl::PngValidator", "PNG palette image has no palette"));
            }
            haveData = true;
            if (!checkedZlib && length >= 2) {
                checkedZlib = true;
                const uint cmf = payload[0], flg = payload[1];
                if ((cmf & 0x0F) != 8 || (cmf >> 4) > 7 || (cmf * 256 + flg) % 31 != 0 || (flg & 0x20) != 0) {
                    return failed(result, RejectReason::Corrupt,
                        QCoreApplication::translate(
                            "dl::PngValidator", "PNG image data does not start with a valid zlib header"));
                }
            }
        } else if (std::memcmp(type, "IEND", 4) == 0) {
            if (!haveData) {
                return failed(result, RejectReason::Corrupt,
                    QCoreApplication::translate("dl::PngValidator", "PNG file has no image data"));
            }
            return result;
        }
        pos += qsizetype(length) + 12;
    }
}

} // namespace dl
