// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExportFixtures.h"

#include "demo/SyntheticSkin.h"
#include "export/FaceDetector.h"
#include "export/IccProfile.h"
#include "export/KAnonymityGate.h"
#include "export/MetadataStripper.h"
#include "export/Redactor.h"

#include <QColorSpace>
#include <QImage>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;
using namespace fixtures;
using dl::MetadataStripper;

namespace {

// ---------------------------------------------------------------------------------------------
// JPEG fixtures

constexpr int EntropyData = 0x100; // pseudo marker for entropy-coded data in JpegPart
constexpr int Trailer = 0x200; // pseudo marker for bytes after EOI

struct JpegPart
{
    int marker = 0;
    QByteArray payload; // segment payload after the length, or the raw bytes
    bool operator==(const JpegPart &) const = default;
};

// A plain walk over a well-formed JPEG (independent of the code under test).
std::optional<QList<JpegPart>> jpegParts(const QByteArray &d)
{
    if (d.size() < 4 || uchar(d[0]) != 0xFF || uchar(d[1]) != 0xD8)
        return std::nullopt;
    QList<JpegPart> parts;
    qsizetype pos = 2;
    while (pos + 1 < d.size()) {
        if (uchar(d[pos]) != 0xFF)
            return std::nullopt;
        while (pos < d.size() && uchar(d[pos]) == 0xFF)
            ++pos;
        const int marker = uchar(d[pos++]);
        if (marker == 0xD9) {
            parts.append(JpegPart { marker, {} });
            if (pos < d.size())
                parts.append(JpegPart { Trailer, d.mid(pos) });
            return parts;
        }
        const int length = (uchar(d[pos]) << 8) | uchar(d[pos + 1]);
        parts.append(JpegPart { marker, d.mid(pos + 2, length - 2) });
        pos += length;
        if (marker == 0xDA) {
            qsizetype i = pos;
            while (i + 1 < d.size()) {
                if (uchar(d[i]) == 0xFF) {
                    const uchar next = uchar(d[i + 1]);
                    if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7))
                        break;
                }
                ++i;
            }
            parts.append(JpegPart { EntropyData, d.mid(pos, i - pos) });
            pos = i;
        }
    }
    return std::nullopt;
}

QByteArray segment(int marker, QByteArrayView payload)
{
    QByteArray s;
    s.append(char(0xFF));
    s.append(char(marker));
    s.append(char((payload.size() + 2) >> 8));
    s.append(char((payload.size() + 2) & 0xFF));
    s.append(payload);
    return s;
}

void putLe16(QByteArray &b, qsizetype at, quint16 v)
{
    qToLittleEndian<quint16>(v, b.data() + at);
}

void putLe32(QByteArray &b, qsizetype at, quint32 v)
{
    qToLittleEndian<quint32>(v, b.data() + at);
}

// Little-endian TIFF with IFD0 {Make "SecretCam", Orientation, GPSInfo} and a GPS IFD with
// latitude and longitude.
QByteArray tiffWithGps(int orientation)
{
    QByteArray t(174, '\0');
    t.replace(0, 4, "II*\0"_ba);
    putLe32(t, 4, 8);
    // IFD0 at 8: 3 entries.
    putLe16(t, 8, 3);
    const auto entry = [&](qsizetype at, quint16 tag, quint16 type, quint32 count, quint32 value) {
        putLe16(t, at, tag);
        putLe16(t, at + 2, type);
        putLe32(t, at + 4, count);
        putLe32(t, at + 8, value);
    };
    entry(10, 0x010F, 2, 10, 50); // Make, ASCII, at 50
    entry(22, 0x0112, 3, 1, quint32(orientation)); // Orientation, SHORT inline
    entry(34, 0x8825, 4, 1, 60); // GPSInfo IFD at 60
    putLe32(t, 46, 0); // no next IFD
    t.replace(50, 10, "SecretCam\0"_ba);
    // GPS IFD at 60: 5 entries.
    putLe16(t, 60, 5);
    entry(62, 0x0000, 1, 4, 0x00000202); // GPSVersionID 2.2.0.0
    entry(74, 0x0001, 2, 2, 'N'); // GPSLatitudeRef "N"
    entry(86, 0x0002, 5, 3, 126); // GPSLatitude, 3 RATIONAL at 126
    entry(98, 0x0003, 2, 2, 'E'); // GPSLongitudeRef "E"
    entry(110, 0x0004, 5, 3, 150); // GPSLongitude at 150
    putLe32(t, 122, 0);
    const quint32 latitude[] = { 52, 1, 31, 1, 1234, 100 };
    const quint32 longitude[] = { 13, 1, 24, 1, 5678, 100 };
    for (int i = 0; i < 6; ++i) {
        putLe32(t, 126 + 4 * i, latitude[i]);
        putLe32(t, 150 + 4 * i, longitude[i]);
    }
    return t;
}

QByteArray xmpPacket()
{
    return "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta xmlns:x='adobe:ns:meta/'>"
           "<rdf:RDF><rdf:Description exif:GPSLatitude='52,31.12N' dc:creator='Secret Person'/>"
           "</rdf:RDF></x:xmpmeta><?xpacket end='w'?>"_ba;
}

QByteArray iccProfile()
{
    return QColorSpace(QColorSpace::SRgb).iccProfile();
}

QByteArray adobePayload()
{
    // "Adobe", version 100, flags0 0, flags1 0, transform 1 (YCbCr, which the image is).
    return "Adobe\x00\x64\x00\x00\x00\x00\x01"_ba;
}

// The plain JPEG with metadata everywhere a camera or editor would put it: a JFIF thumbnail, a
// JFXX thumbnail, EXIF with GPS, XMP, ICC (kept), Photoshop/IPTC, Adobe (kept), a comment, another
// comment before the last scan and bytes after EOI.
QByteArray withMetadata(const QByteArray &plain, int orientation)
{
    const auto parts = jpegParts(plain);
    if (!parts)
        return {};
    QByteArray out("\xFF\xD8"_ba);
    out += segment(0xE0, "JFIF\0\x01\x02\x01\x00\x48\x00\x48\x02\x01"_ba + QByteArray(6, '\x7F'));
    out += segment(0xE0, "JFXX\0\x10thumbnail-bytes"_ba);
    out += segment(0xE1, "Exif\0\0"_ba + tiffWithGps(orientation));
    out += segment(0xE1, "http://ns.adobe.com/xap/1.0/\0"_ba + xmpPacket());
    out += segment(0xE2, "ICC_PROFILE\0\x01\x01"_ba + iccProfile());
    out += segment(0xED,
        "Photoshop 3.0\0"
        "8BIM\x04\x04\0\0\0\0\0\x11\x1C\x02\x78\0\x0ESecret caption"_ba);
    out += segment(0xEE, adobePayload());
    out += segment(0xFE, "Secret comment"_ba);
    qsizetype lastScan = -1;
    for (qsizetype i = 0; i < parts->size(); ++i) {
        if (parts->at(i).marker == 0xDA)
            lastScan = i;
    }
    for (qsizetype i = 0; i < parts->size(); ++i) {
        const JpegPart &p = parts->at(i);
        if (p.marker == 0xE0)
            continue; // the encoder's own JFIF, replaced above
        if (i == lastScan)
            out += segment(0xFE, "Mid-stream secret"_ba);
        if (p.marker == EntropyData)
            out += p.payload;
        else if (p.marker == 0xD9)
            out += "\xFF\xD9"_ba;
        else
            out += segment(p.marker, p.payload);
    }
    out += "TRAILER-SECRET"_ba;
    return out;
}

// ---------------------------------------------------------------------------------------------
// PNG fixtures

quint32 crc32(QByteArrayView data)
{
    quint32 c = 0xFFFFFFFFu;
    for (char ch : data) {
        c ^= uchar(ch);
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

QByteArray chunk(QByteArrayView type, QByteArrayView data)
{
    QByteArray c(4, '\0');
    qToBigEndian<quint32>(quint32(data.size()), c.data());
    c += type;
    c += data;
    QByteArray crc(4, '\0');
    qToBigEndian<quint32>(crc32(c.sliced(4)), crc.data());
    return c + crc;
}

struct PngChunk
{
    QByteArray type;
    QByteArray whole; // length, type, data, CRC
};

std::optional<QList<PngChunk>> pngChunks(const QByteArray &d)
{
    if (!d.startsWith("\x89PNG\r\n\x1a\n"_ba))
        return std::nullopt;
    QList<PngChunk> chunks;
    qsizetype pos = 8;
    while (pos + 12 <= d.size()) {
        const quint32 length = qFromBigEndian<quint32>(d.constData() + pos);
        chunks.append({ d.mid(pos + 4, 4), d.mid(pos, 12 + length) });
        pos += 12 + length;
        if (chunks.last().type == "IEND")
            return chunks;
    }
    return std::nullopt;
}

// Inserts ancillary chunks of every kind after IHDR, a tEXt before IEND and bytes after IEND.
QByteArray pngWithMetadata(const QByteArray &plain)
{
    const auto chunks = pngChunks(plain);
    if (!chunks)
        return {};
    QByteArray out("\x89PNG\r\n\x1a\n"_ba);
    for (const PngChunk &c : *chunks) {
        if (c.type == "IEND")
            out += chunk("tEXt", "Comment\0Secret late comment"_ba);
        out += c.whole;
        if (c.type == "IHDR") {
            out += chunk("tEXt", "Author\0Secret Person"_ba);
            out += chunk("zTXt", "Description\0\0"_ba + qCompress("Secret description"_ba).mid(4));
            out += chunk("iTXt", "XML:com.adobe.xmp\0\0\0\0\0"_ba + xmpPacket());
            out += chunk("eXIf", tiffWithGps(1));
            out += chunk("tIME", "\x07\xE8\x03\x0F\x0C\x22\x38"_ba);
            out += chunk("prVt", "private secret"_ba);
            out += chunk("gAMA", "\x00\x00\xB1\x8F"_ba);
        }
    }
    out += "TRAILER-SECRET"_ba;
    return out;
}

QByteArrayList secrets()
{
    return { "SecretCam", "Secret", "xmpmeta", "TRAILER", "thumbnail-bytes", "8BIM" };
}

// ---------------------------------------------------------------------------------------------
// ICC fixtures (written here byte by byte, independent of the code under test)

QByteArray be32(quint32 v)
{
    QByteArray b(4, '\0');
    qToBigEndian<quint32>(v, b.data());
    return b;
}

QByteArray s15(double v)
{
    return be32(quint32(qint32(qRound(v * 65536.0))));
}

QByteArray xyzTag(double x, double y, double z)
{
    return "XYZ \0\0\0\0"_ba + s15(x) + s15(y) + s15(z);
}

QByteArray curvGamma(double gamma)
{
    QByteArray b = "curv\0\0\0\0"_ba + be32(1);
    b.append(char(int(gamma)));
    b.append(char(qRound((gamma - int(gamma)) * 256)));
    return b;
}

QByteArray curvTable(int entries)
{
    QByteArray b = "curv\0\0\0\0"_ba + be32(quint32(entries));
    for (int i = 0; i < entries; ++i) {
        const double v = std::pow(double(i) / (entries - 1), 2.2);
        const quint16 u = quint16(qRound(v * 65535));
        b.append(char(u >> 8));
        b.append(char(u & 0xFF));
    }
    return b;
}

// textDescriptionType (version 2).
QByteArray descV2(const QByteArray &text)
{
    return "desc\0\0\0\0"_ba + be32(quint32(text.size() + 1)) + text + '\0' + be32(0) + be32(0)
        + QByteArray(3 + 67, '\0');
}

struct IccTag
{
    QByteArray signature;
    QByteArray data; // as declared (slack included)
    QByteArray sharesWith; // a signature written earlier: same offset and size
};

// A version 2 display profile with secrets in every header field a device or program fills in, a
// gap between two tags and the given tags.
QByteArray buildIcc(const QList<IccTag> &tags, quint32 version = 0x02100000u)
{
    QByteArray header;
    header += be32(0); // size, below
    header += "SCMM"; // preferred CMM
    header += be32(version);
    header += "mntr";
    header += "RGB ";
    header += "XYZ ";
    header += "\x07\xE8\x00\x03\x00\x0F\x00\x0C\x00\x22\x00\x38"_ba; // 2024-03-15 12:34:56
    header += "acsp";
    header += "APPL";
    header += be32(0x00050000); // vendor flag bits
    header += "SMFG"; // device manufacturer
    header += "SMDL"; // device model
    header += "SECATTR!"; // device attributes
    header += be32(0); // perceptual
    header += s15(0.9642) + s15(1.0) + s15(0.8249);
    header += "SCRT"; // creator
    header += "SECRET-PROFILEID"; // profile ID
    header += QByteArray(28, '\0');
    Q_ASSERT(header.size() == 128);
    QByteArray table = be32(quint32(tags.size()));
    QByteArray data;
    const qsizetype dataStart = 128 + 4 + 12 * tags.size();
    QHash<QByteArray, QPair<quint32, quint32>> placed;
    for (const IccTag &tag : tags) {
        QPair<quint32, quint32> where;
        if (!tag.sharesWith.isEmpty()) {
            where = placed.value(tag.sharesWith);
        } else {
            if (tag.signature == "zzzz")
                data += "SECRET-GAP--"; // unreferenced bytes between tags
            while (data.size() % 4)
                data.append('\0');
            where = { quint32(dataStart + data.size()), quint32(tag.data.size()) };
            data += tag.data;
        }
        placed.insert(tag.signature, where);
        table += tag.signature + be32(where.first) + be32(where.second);
    }
    while (data.size() % 4)
        data.append('\0');
    QByteArray profile = header + table + data;
    qToBigEndian<quint32>(quint32(profile.size()), profile.data());
    return profile;
}

QList<IccTag> secretTags()
{
    return {
        { "desc", descV2("SECRET-DESC Jane Doe's camera"), {} },
        { "wtpt", xyzTag(0.9642, 1.0, 0.8249) + "SECRET-S", {} }, // slack after the XYZ number
        { "rXYZ", xyzTag(0.4361, 0.2225, 0.0139), {} },
        { "gXYZ", xyzTag(0.3851, 0.7169, 0.0971), {} },
        { "bXYZ", xyzTag(0.1431, 0.0606, 0.7141), {} },
        { "rTRC", curvGamma(2.2), {} },
        { "gTRC", {}, "rTRC" },
        { "bTRC", {}, "rTRC" },
        { "cprt", "text\0\0\0\0SECRET-COPYRIGHT\0"_ba, {} },
        { "dmnd", descV2("SECRET-MAKER"), {} },
        { "dmdd", descV2("SECRET-MODEL"), {} },
        { "zzzz", "SECRET-PRIVATE payload"_ba, {} },
    };
}

QByteArrayList iccSecrets()
{
    return { "SECRET", "Jane", "SCMM", "APPL", "SMFG", "SMDL", "SECATTR", "SCRT" };
}

// Tag signature -> (offset, size), from a profile's tag table.
QMap<QByteArray, QPair<quint32, quint32>> iccTable(const QByteArray &profile)
{
    QMap<QByteArray, QPair<quint32, quint32>> table;
    if (profile.size() < 132)
        return table;
    const quint32 count = qFromBigEndian<quint32>(profile.constData() + 128);
    for (quint32 i = 0; i < count && 132 + 12 * (i + 1) <= quint32(profile.size()); ++i) {
        const char *e = profile.constData() + 132 + 12 * i;
        table.insert(QByteArray(e, 4), { qFromBigEndian<quint32>(e + 4), qFromBigEndian<quint32>(e + 8) });
    }
    return table;
}

QByteArray iccTagData(const QByteArray &profile, const QByteArray &signature)
{
    const auto table = iccTable(profile);
    const auto it = table.constFind(signature);
    return it == table.cend() ? QByteArray() : profile.mid(it->first, it->second);
}

// The profile as APP2 segments of at most `chunk` profile bytes each, in the given order of
// sequence numbers (1-based).
QByteArray iccSegments(const QByteArray &profile, qsizetype chunk, const QList<int> &order = {})
{
    const int count = int((profile.size() + chunk - 1) / chunk);
    QList<int> numbers = order;
    if (numbers.isEmpty()) {
        for (int i = 1; i <= count; ++i)
            numbers.append(i);
    }
    QByteArray out;
    for (int n : numbers)
        out += segment(0xE2, "ICC_PROFILE\0"_ba + char(n) + char(count) + profile.mid((n - 1) * chunk, chunk));
    return out;
}

// The plain JPEG with `segments` right after its JFIF segment.
QByteArray jpegWith(const QByteArray &plain, const QByteArray &segments)
{
    const qsizetype afterJfif = 4 + qsizetype((uchar(plain[4]) << 8) | uchar(plain[5]));
    return plain.left(afterJfif) + segments + plain.mid(afterJfif);
}

// The profile carried by a JPEG's APP2 chunks (in file order), empty when there is none.
QByteArray jpegIcc(const QByteArray &jpeg)
{
    QByteArray profile;
    const auto parts = jpegParts(jpeg);
    if (!parts)
        return {};
    for (const JpegPart &p : *parts) {
        if (p.marker == 0xE2 && p.payload.startsWith("ICC_PROFILE"))
            profile += p.payload.mid(14);
    }
    return profile;
}

QByteArray iccpChunk(const QByteArray &name, const QByteArray &compressed)
{
    return chunk("iCCP", name + '\0' + '\0' + compressed);
}

// zlib stream of the data (qCompress adds a 4-byte size in front of one).
QByteArray zlib(const QByteArray &data)
{
    return qCompress(data, 9).mid(4);
}

// The PNG with an iCCP chunk right after IHDR.
QByteArray pngWith(const QByteArray &plain, const QByteArray &iccp)
{
    return plain.left(8 + 25) + iccp + plain.mid(8 + 25);
}

cv::Mat decodeCv(const QByteArray &bytes)
{
    return cv::imdecode(cv::Mat(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData())),
        cv::IMREAD_UNCHANGED);
}

bool sameMat(const cv::Mat &a, const cv::Mat &b)
{
    if (a.empty() || a.size != b.size || a.type() != b.type())
        return false;
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    return cv::countNonZero(diff.reshape(1)) == 0;
}

// ---------------------------------------------------------------------------------------------
// Redaction fixtures

cv::Mat noiseBgra(int width, int height, quint32 seed)
{
    cv::Mat m(height, width, CV_8UC4);
    QRandomGenerator rng(seed);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            cv::Vec4b v(uchar(rng.bounded(256)), uchar(rng.bounded(256)), uchar(rng.bounded(256)), 255);
            if (v[0] == 128 && v[1] == 128 && v[2] == 128)
                v[0] = 127; // never the fill colour, so a surviving original is always visible
            m.at<cv::Vec4b>(y, x) = v;
        }
    }
    return m;
}

// Euclidean distance of every pixel to the nearest region pixel (0 inside).
cv::Mat distanceToRegion(const cv::Mat &region)
{
    cv::Mat outside;
    cv::compare(region, 0, outside, cv::CMP_EQ);
    cv::Mat dist;
    cv::distanceTransform(outside, dist, cv::DIST_L2, cv::DIST_MASK_PRECISE);
    return dist;
}

QImage imageFromBgra(const cv::Mat &bgra)
{
    return QImage(bgra.data, bgra.cols, bgra.rows, int(bgra.step), QImage::Format_RGB32).copy();
}

cv::Mat bgraFromImage(const QImage &image)
{
    const QImage rgb32 = image.convertToFormat(QImage::Format_RGB32);
    return cv::Mat(rgb32.height(), rgb32.width(), CV_8UC4, const_cast<uchar *>(rgb32.constBits()),
        size_t(rgb32.bytesPerLine()))
        .clone();
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT

private slots:
    void stripJpeg_data();
    void stripJpeg();
    void stripJpegKeepsPlainFileIntact();
    void stripPng_data();
    void stripPng();
    void stripRejectsMalformed_data();
    void stripRejectsMalformed();
    void encodeLossless_data();
    void encodeLossless();

    void iccKeepsOnlyColour_data();
    void iccKeepsOnlyColour();
    void iccRejectsMalformed_data();
    void iccRejectsMalformed();
    void stripJpegRewritesIccAndAdobe_data();
    void stripJpegRewritesIccAndAdobe();
    void stripJpegDropsMalformedIcc_data();
    void stripJpegDropsMalformedIcc();
    void stripPngRewritesIccp();
    void stripPngDropsMalformedIccp_data();
    void stripPngDropsMalformedIccp();

    void redactFill();
    void redactBlur();
    void redactRejects();

    void faceDetectorFindsNoFaceOnSyntheticSkin();
    void faceDetectorMissingCascade();

    void kAnonymity_data();
    void kAnonymity();
    void kAnonymityCountsPeople();
};

// ---------------------------------------------------------------------------------------------

void TestExport::stripJpeg_data()
{
    QTest::addColumn<QByteArray>("plain");
    const cv::Mat picture = testPicture(160, 120, 1);
    QTest::newRow("baseline") << encodeJpeg(picture, { cv::IMWRITE_JPEG_QUALITY, 90 });
    QTest::newRow("progressive") << encodeJpeg(picture, { cv::IMWRITE_JPEG_PROGRESSIVE, 1 });
    QTest::newRow("restart markers") << encodeJpeg(picture, { cv::IMWRITE_JPEG_RST_INTERVAL, 2 });
    cv::Mat grey;
    cv::cvtColor(testPicture(97, 33, 2), grey, cv::COLOR_BGR2GRAY);
    QTest::newRow("grey, odd size") << encodeJpeg(grey, { cv::IMWRITE_JPEG_QUALITY, 75 });
}

void TestExport::stripJpeg()
{
    QFETCH(QByteArray, plain);
    QVERIFY(!plain.isEmpty());
    const QByteArray original = withMetadata(plain, 1);
    QVERIFY(!original.isEmpty());
    const auto originalParts = jpegParts(original);
    QVERIFY(originalParts);
    const QByteArrayView tag(QTest::currentDataTag());
    if (tag == "restart markers")
        QVERIFY(original.contains("\xFF\xD0"_ba)); // the fixture really has restart markers

    QStringList found;
    QVERIFY(MetadataStripper::hasMetadata(original, &found));
    for (const QString &item :
        { u"JFIF thumbnail"_s, u"APP0 JFXX"_s, u"APP1 Exif"_s, u"APP1 http://ns.adobe.com/xap/1.0/"_s,
            u"APP13 Photoshop 3.0"_s, u"COM"_s, u"data after EOI"_s })
        QVERIFY2(found.contains(item), qPrintable(found.join(u" | "_s)));
    QCOMPARE(found.count(u"COM"_s), 2);

    QString error;
    const QByteArray stripped = MetadataStripper::strip(original, &error);
    QVERIFY2(!stripped.isEmpty(), qPrintable(error));
    QVERIFY2(!MetadataStripper::hasMetadata(stripped, &found), qPrintable(found.join(u" | "_s)));
    for (const QByteArray &secret : secrets())
        QVERIFY2(!stripped.contains(secret), secret.constData());
    QVERIFY(stripped.endsWith("\xFF\xD9"_ba));

    const auto strippedParts = jpegParts(stripped);
    QVERIFY(strippedParts);
    // APP0 JFIF without thumbnail, version and density kept.
    QCOMPARE(strippedParts->first().marker, 0xE0);
    QCOMPARE(strippedParts->first().payload, "JFIF\0\x01\x02\x01\x00\x48\x00\x48\x00\x00"_ba);
    // Everything that is not metadata, in order and byte for byte, entropy-coded data included.
    // The ICC profile rewritten, the Adobe segment's 12 defined bytes.
    const auto cleanIcc = dl::IccProfile::sanitize(iccProfile(), nullptr);
    QVERIFY(cleanIcc);
    QList<JpegPart> expected;
    for (const JpegPart &p : *originalParts) {
        const bool app = p.marker >= 0xE0 && p.marker <= 0xEF;
        if (p.marker == 0xE2 && p.payload.startsWith("ICC_PROFILE"))
            expected.append(JpegPart { 0xE2, "ICC_PROFILE\0\x01\x01"_ba + *cleanIcc });
        else if (p.marker == 0xEE && p.payload.startsWith("Adobe"))
            expected.append(JpegPart { 0xEE, p.payload.first(12) });
        else if (!app && p.marker != 0xFE && p.marker != Trailer)
            expected.append(p);
    }
    QCOMPARE(strippedParts->mid(1), expected);
    int scans = 0;
    for (const JpegPart &p : *strippedParts)
        scans += p.marker == EntropyData;
    QVERIFY(scans >= 1);
    if (tag == "progressive")
        QVERIFY(scans > 1);
    // The colour information stays.
    QVERIFY(stripped.contains(*cleanIcc));
    QVERIFY(stripped.contains(adobePayload()));

    // Same pixels as the metadata-laden original and as the plain encoder output.
    const QImage before = QImage::fromData(original, "JPEG");
    const QImage after = QImage::fromData(stripped, "JPEG");
    QVERIFY(!after.isNull());
    QVERIFY(samePixels(before, after));
    QVERIFY(samePixels(QImage::fromData(plain, "JPEG"), after));

    // Stripping is idempotent.
    QCOMPARE(MetadataStripper::stripJpeg(stripped, &error), stripped);
}

void TestExport::stripJpegKeepsPlainFileIntact()
{
    // An encoder's plain JFIF file has nothing to remove: the output is the same bytes.
    const QByteArray plain = encodeJpeg(testPicture(50, 40, 9), { cv::IMWRITE_JPEG_QUALITY, 80 });
    QStringList found;
    QVERIFY2(!MetadataStripper::hasMetadata(plain, &found), qPrintable(found.join(u" | "_s)));
    QString error;
    QCOMPARE(MetadataStripper::strip(plain, &error), plain);
}

void TestExport::stripPng_data()
{
    QTest::addColumn<QImage>("image");
    QTest::newRow("rgb") << testImage(61, 37, false, 1);
    QTest::newRow("argb") << testImage(40, 52, true, 2);
    QTest::newRow("grey") << testImage(33, 20, false, 3).convertToFormat(QImage::Format_Grayscale8);
    QTest::newRow("palette") << testImage(16, 16, false, 4).convertToFormat(QImage::Format_Indexed8);
}

void TestExport::stripPng()
{
    QFETCH(QImage, image);
    const QByteArray plain = encodePng(image);
    const QByteArray original = pngWithMetadata(plain);
    QVERIFY(!original.isEmpty());

    QStringList found;
    QVERIFY(MetadataStripper::hasMetadata(original, &found));
    for (const QString &item :
        { u"tEXt"_s, u"zTXt"_s, u"iTXt"_s, u"eXIf"_s, u"tIME"_s, u"prVt"_s, u"data after IEND"_s })
        QVERIFY2(found.contains(item), qPrintable(found.join(u" | "_s)));
    QCOMPARE(found.count(u"tEXt"_s), 2);

    QString error;
    const QByteArray stripped = MetadataStripper::strip(original, &error);
    QVERIFY2(!stripped.isEmpty(), qPrintable(error));
    QVERIFY2(!MetadataStripper::hasMetadata(stripped, &found), qPrintable(found.join(u" | "_s)));
    for (const QByteArray &secret : secrets())
        QVERIFY2(!stripped.contains(secret), secret.constData());

    // Exactly the kept chunks, byte for byte, in order.
    const QList<QByteArray> keep { "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP",
        "sBIT", "pHYs" };
    QByteArray expected("\x89PNG\r\n\x1a\n"_ba);
    const auto originalChunks = pngChunks(original);
    QVERIFY(originalChunks);
    for (const PngChunk &c : *originalChunks) {
        if (keep.contains(c.type))
            expected += c.whole;
    }
    QCOMPARE(stripped, expected);
    QVERIFY(stripped.contains("gAMA"_ba));
    if (QByteArrayView(QTest::currentDataTag()) == "palette")
        QVERIFY(stripped.contains("PLTE"_ba));

    const QImage before = QImage::fromData(original, "PNG");
    const QImage after = QImage::fromData(stripped, "PNG");
    QVERIFY(!after.isNull());
    QVERIFY(samePixels(before, after));
    QVERIFY(samePixels(image, after));
}

void TestExport::stripRejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("message");

    const QByteArray jpeg = withMetadata(encodeJpeg(testPicture(64, 48, 5), {}), 1);
    const QByteArray png = encodePng(testImage(20, 10, false, 6));
    const auto chunks = pngChunks(png);
    QVERIFY(chunks);
    const auto join = [](const QList<QByteArray> &parts) {
        QByteArray out("\x89PNG\r\n\x1a\n"_ba);
        for (const QByteArray &p : parts)
            out += p;
        return out;
    };
    QByteArray ihdr, idat, iend;
    for (const PngChunk &c : *chunks) {
        if (c.type == "IHDR")
            ihdr = c.whole;
        else if (c.type == "IDAT")
            idat += c.whole;
        else if (c.type == "IEND")
            iend = c.whole;
    }

    QTest::newRow("empty") << QByteArray() << u"neither"_s;
    QTest::newRow("gif") << "GIF89a\x01\x00\x01\x00"_ba << u"neither"_s;
    QTest::newRow("jpeg without EOI") << jpeg.left(jpeg.indexOf("TRAILER") - 2) << u"truncated"_s;
    QTest::newRow("jpeg cut in the scan") << jpeg.left(jpeg.size() - 300) << u"truncated"_s;
    QTest::newRow("jpeg cut in a segment") << jpeg.left(300) << u"truncated"_s;
    QTest::newRow("jpeg cut in a marker") << "\xFF\xD8\xFF"_ba << u"truncated"_s;
    QByteArray badLength = jpeg;
    const qsizetype dqt = badLength.indexOf("\xFF\xDB"_ba);
    badLength[dqt + 2] = 0;
    badLength[dqt + 3] = 1;
    QTest::newRow("jpeg segment length 1") << badLength << u"invalid length 1"_s;
    QTest::newRow("jpeg without scan")
        << "\xFF\xD8"_ba + segment(0xFE, "x") + "\xFF\xD9"_ba << u"EOI before any scan"_s;
    QTest::newRow("jpeg garbage between segments") << "\xFF\xD8"_ba + segment(0xFE, "x") + "garbage"_ba
            + jpeg.mid(2) << u"expected a marker at offset"_s;
    QTest::newRow("jpeg scan before frame") << "\xFF\xD8"_ba + segment(0xDA, "\x01\x01\x00\x00\x3F\x00"_ba)
            + "\x12\x34\xFF\xD9"_ba << u"before the frame header"_s;
    QTest::newRow("jpeg EXIF orientation 6")
        << withMetadata(encodeJpeg(testPicture(64, 48, 5), {}), 6) << u"orientation 6"_s;

    QTest::newRow("png cut short") << png.left(png.size() - 20) << u"truncated"_s;
    QTest::newRow("png without IEND") << join({ ihdr, idat }) << u"IEND"_s;
    QByteArray badCrc = png;
    badCrc[badCrc.indexOf("IDAT") + 6] ^= 0x40;
    QTest::newRow("png bad CRC") << badCrc << u"CRC of chunk IDAT"_s;
    QTest::newRow("png not starting with IHDR")
        << join({ chunk("gAMA", "\0\0\xB1\x8F"_ba), ihdr, idat, iend }) << u"IHDR"_s;
    QTest::newRow("png unknown critical chunk")
        << join({ ihdr, chunk("ABCD", "x"), idat, iend }) << u"critical chunk ABCD"_s;
    QTest::newRow("png without IDAT") << join({ ihdr, iend }) << u"no IDAT"_s;
    QTest::newRow("png bad chunk type")
        << join({ ihdr, chunk("a1b2", "x"), idat, iend }) << u"invalid chunk type"_s;
}

void TestExport::stripRejectsMalformed()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, message);
    QString error;
    QVERIFY(MetadataStripper::strip(data, &error).isEmpty());
    QVERIFY2(error.contains(message, Qt::CaseInsensitive), qPrintable(error));
    // An unreadable file is never reported clean.
    if (!message.contains(u"orientation"_s))
        QVERIFY(MetadataStripper::hasMetadata(data));
}

void TestExport::encodeLossless_data()
{
    QTest::addColumn<QImage>("image");
    QImage rgb = testImage(45, 31, false, 11);
    rgb.setText(u"Author"_s, u"Secret Person"_s);
    QTest::newRow("rgb32 with text") << rgb;
    QTest::newRow("argb32") << testImage(30, 45, true, 12);
    QTest::newRow("grey") << testImage(17, 9, false, 13).convertToFormat(QImage::Format_Grayscale8);
    QTest::newRow("rotated") << testImage(40, 20, false, 14).transformed(QTransform().rotate(90));
}

void TestExport::encodeLossless()
{
    QFETCH(QImage, image);
    QString error;
    const QByteArray png = MetadataStripper::encodeLossless(image, &error);
    QVERIFY2(!png.isEmpty(), qPrintable(error));
    QVERIFY(png.startsWith("\x89PNG"_ba));
    QStringList found;
    QVERIFY2(!MetadataStripper::hasMetadata(png, &found), qPrintable(found.join(u" | "_s)));
    QVERIFY(!png.contains("Secret"_ba));
    const QImage decoded = QImage::fromData(png, "PNG");
    QCOMPARE(decoded.size(), image.size());
    QVERIFY(samePixels(decoded, image));
    QVERIFY(MetadataStripper::encodeLossless(QImage(), &error).isEmpty());
    QVERIFY(!error.isEmpty());
}

// ---------------------------------------------------------------------------------------------

void TestExport::iccKeepsOnlyColour_data()
{
    QTest::addColumn<QByteArray>("profile");
    QTest::addColumn<bool>("secrets"); // the fixture with secrets everywhere
    QTest::newRow("version 2, secrets everywhere") << buildIcc(secretTags()) << true;
    QList<IccTag> v4 = secretTags();
    v4[0] = { "desc", "mluc\0\0\0\0"_ba + be32(1) + be32(12) + "enUS" + be32(22) + be32(28)
                  + QByteArray("\0S\0E\0C\0R\0E\0T\0-\0D\0E\0S\0C", 22),
        {} };
    QTest::newRow("version 4, secrets everywhere") << buildIcc(v4, 0x04300000u) << true;
    QTest::newRow("Qt's sRGB (version 4)") << iccProfile() << false;
    QTest::newRow("Qt's Display P3") << QColorSpace(QColorSpace::DisplayP3).iccProfile() << false;
}

void TestExport::iccKeepsOnlyColour()
{
    QFETCH(QByteArray, profile);
    QFETCH(bool, secrets);
    QString reason;
    const auto clean = dl::IccProfile::sanitize(profile, &reason);
    QVERIFY2(clean, qPrintable(reason));
    if (secrets) {
        for (const QByteArray &secret : iccSecrets())
            QVERIFY2(!clean->contains(secret), secret.constData());
    }

    // Header: size, version, class, colour spaces, 'acsp', intent and illuminant kept; the rest zero.
    QCOMPARE(qFromBigEndian<quint32>(clean->constData()), quint32(clean->size()));
    QCOMPARE(clean->size() % 4, 0);
    QCOMPARE(clean->mid(8, 16), profile.mid(8, 16));
    QCOMPARE(clean->mid(36, 4), "acsp"_ba);
    QCOMPARE(clean->mid(64, 16), profile.mid(64, 16));
    QCOMPARE(clean->mid(4, 4), QByteArray(4, '\0')); // CMM
    QCOMPARE(clean->mid(24, 12), QByteArray(12, '\0')); // date
    QCOMPARE(clean->mid(40, 4), QByteArray(4, '\0')); // platform
    QCOMPARE(qFromBigEndian<quint32>(clean->constData() + 44) & 0xFFFF0000u, 0u); // vendor flags
    QCOMPARE(clean->mid(48, 16), QByteArray(16, '\0')); // manufacturer, model, attributes
    QCOMPARE(clean->mid(80, 48), QByteArray(48, '\0')); // creator, profile ID, reserved

    // Exactly the colour tags and a neutral desc and cprt; the colour tags bit for bit.
    const auto before = iccTable(profile), after = iccTable(*clean);
    const QByteArrayList colour { "wtpt", "bkpt", "lumi", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC",
        "kTRC", "chad", "chrm", "A2B0", "A2B1", "A2B2", "B2A0", "B2A1", "B2A2", "cicp" };
    QByteArrayList expected;
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (colour.contains(it.key()))
            expected.append(it.key());
    }
    expected << "cprt" << "desc";
    std::sort(expected.begin(), expected.end());
    QCOMPARE(after.keys(), expected);
    for (const QByteArray &tag : std::as_const(expected)) {
        QCOMPARE(after.value(tag).first % 4, 0u);
        QVERIFY(after.value(tag).first + after.value(tag).second <= quint32(clean->size()));
        if (tag == "desc" || tag == "cprt")
            continue;
        const QByteArray original = iccTagData(profile, tag), kept = iccTagData(*clean, tag);
        QVERIFY2(!kept.isEmpty(), tag.constData());
        if (tag.endsWith("XYZ") || tag == "wtpt" || tag == "bkpt" || tag == "lumi")
            QCOMPARE(kept, original.left(20)); // slack after the number dropped
        else
            QVERIFY2(original.startsWith(kept) && kept.size() >= original.size() - 3, tag.constData());
    }
    // Tags that shared their data still do.
    for (const QByteArray &a : after.keys()) {
        for (const QByteArray &b : after.keys()) {
            if (a < b && before.value(a) == before.value(b))
                QCOMPARE(after.value(a), after.value(b));
        }
    }
    const QByteArray description = iccTagData(*clean, "desc");
    QVERIFY(description.startsWith(profile[8] == 2 ? "desc" : "mluc"));
    QVERIFY(iccTagData(*clean, "cprt").startsWith(profile[8] == 2 ? "text" : "mluc"));

    // The colours are the same to a decoder; a second rewrite changes nothing.
    const QColorSpace original = QColorSpace::fromIccProfile(profile), rewritten = QColorSpace::fromIccProfile(*clean);
    QCOMPARE(rewritten.isValid(), original.isValid());
    if (original.isValid()) {
        QCOMPARE(rewritten.primaries(), original.primaries());
        QCOMPARE(rewritten.transferFunction(), original.transferFunction());
        QCOMPARE(rewritten.gamma(), original.gamma());
        QCOMPARE(rewritten, original);
    }
    const auto again = dl::IccProfile::sanitize(*clean, &reason);
    QVERIFY2(again, qPrintable(reason));
    QCOMPARE(*again, *clean);
}

void TestExport::iccRejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("profile");
    QTest::addColumn<QString>("reason");
    const QByteArray good = buildIcc(secretTags());
    const qsizetype table = 132;
    auto with = [&](qsizetype at, const QByteArray &bytes) {
        QByteArray p = good;
        p.replace(at, bytes.size(), bytes);
        return p;
    };
    QTest::newRow("empty") << QByteArray() << u"shorter than a header"_s;
    QTest::newRow("header only") << good.left(100) << u"shorter than a header"_s;
    QTest::newRow("size larger than the data") << with(0, be32(quint32(good.size() + 1))) << u"gives the size"_s;
    QTest::newRow("size smaller than a header") << with(0, be32(64)) << u"gives the size"_s;
    QTest::newRow("no acsp") << with(36, "xxxx"_ba) << u"'acsp'"_s;
    QTest::newRow("version 5") << with(8, be32(0x05000000)) << u"version 5"_s;
    QTest::newRow("device link") << with(12, "link"_ba) << u"'link'"_s;
    QTest::newRow("rendering intent 9") << with(64, be32(9)) << u"rendering intent 9"_s;
    QTest::newRow("tag count too large") << with(128, be32(0xFFFFFFFFu)) << u"does not fit"_s;
    QTest::newRow("tag count beyond the data") << with(128, be32(500)) << u"does not fit"_s;
    QTest::newRow("tag beyond the end") << with(table + 12 + 4, be32(quint32(good.size() - 8))) << u"outside"_s;
    QTest::newRow("tag offset overflows") << with(table + 12 + 4, be32(0xFFFFFFF0u)) << u"outside"_s;
    QTest::newRow("tag size overflows") << with(table + 12 + 8, be32(0xFFFFFFF0u)) << u"outside"_s;
    QTest::newRow("tag inside the tag table") << with(table + 12 + 4, be32(136)) << u"outside"_s;
    QTest::newRow("tag shorter than a type") << with(table + 12 + 8, be32(4)) << u"outside"_s;
    QTest::newRow("tag twice") << with(table + 24, "wtpt"_ba) << u"twice"_s;
    QList<IccTag> wrongType = secretTags();
    wrongType[2].data = curvGamma(1.0);
    QTest::newRow("rXYZ as a curve") << buildIcc(wrongType) << u"has the type 'curv'"_s;
    QList<IccTag> longCurve = secretTags();
    longCurve[5].data = "curv\0\0\0\0"_ba + be32(1000) + "\x02\x33"_ba;
    QTest::newRow("curve longer than its tag") << buildIcc(longCurve) << u"too short"_s;
    QList<IccTag> para = secretTags();
    para[5].data = "para\0\0\0\0\0\x09\0\0"_ba + s15(2.2);
    QTest::newRow("unknown parametric curve") << buildIcc(para) << u"parametric curve type 9"_s;
    QTest::newRow("no colour tags") << buildIcc({ secretTags().first() }) << u"no tag that defines colours"_s;
}

void TestExport::iccRejectsMalformed()
{
    QFETCH(QByteArray, profile);
    QFETCH(QString, reason);
    QString why;
    QVERIFY(!dl::IccProfile::sanitize(profile, &why));
    QVERIFY2(why.startsWith(u"Malformed ICC profile"_s), qPrintable(why));
    QVERIFY2(why.contains(reason), qPrintable(why));
}

void TestExport::stripJpegRewritesIccAndAdobe_data()
{
    QTest::addColumn<QByteArray>("profile");
    QTest::addColumn<qsizetype>("chunk"); // profile bytes per APP2 chunk in the original
    QTest::addColumn<QList<int>>("order"); // of the chunks' sequence numbers in the file
    QTest::newRow("one chunk") << buildIcc(secretTags()) << qsizetype(65519) << QList<int> {};
    const QByteArray profile = buildIcc(secretTags());
    QTest::newRow("three chunks out of order") << profile << qsizetype((profile.size() + 2) / 3) << QList<int> { 2, 3, 1 };
    QList<IccTag> large = secretTags();
    large[5].data = curvTable(40000); // 80,012 bytes: more than one APP2 segment holds
    QTest::newRow("large profile") << buildIcc(large) << qsizetype(65519) << QList<int> {};
}

void TestExport::stripJpegRewritesIccAndAdobe()
{
    QFETCH(QByteArray, profile);
    QFETCH(qsizetype, chunk);
    QFETCH(QList<int>, order);
    const QByteArray plain = encodeJpeg(testPicture(96, 64, 21), { cv::IMWRITE_JPEG_QUALITY, 90 });
    const QByteArray adobe = adobePayload() + "SECRET-ADOBE after the fields"_ba;
    const QByteArray original = jpegWith(plain, iccSegments(profile, chunk, order) + segment(0xEE, adobe));

    QStringList found;
    QVERIFY(MetadataStripper::hasMetadata(original, &found));
    QVERIFY2(found.contains(u"ICC profile strings or private tags"_s), qPrintable(found.join(u" | "_s)));
    QVERIFY2(found.contains(u"Adobe segment of %1 bytes"_s.arg(adobe.size())), qPrintable(found.join(u" | "_s)));

    QString error;
    QStringList notes;
    const QByteArray stripped = MetadataStripper::strip(original, &error, &notes);
    QVERIFY2(!stripped.isEmpty(), qPrintable(error));
    QVERIFY2(notes.isEmpty(), qPrintable(notes.join(u" | "_s)));
    for (const QByteArray &secret : iccSecrets())
        QVERIFY2(!stripped.contains(secret), secret.constData());
    QVERIFY2(!MetadataStripper::hasMetadata(stripped, &found), qPrintable(found.join(u" | "_s)));

    // The rewritten profile, split into numbered chunks that fit a segment; Adobe's 12 bytes.
    const auto clean = dl::IccProfile::sanitize(profile, &error);
    QVERIFY2(clean, qPrintable(error));
    QCOMPARE(jpegIcc(stripped), *clean);
    const auto parts = jpegParts(stripped);
    QVERIFY(parts);
    int chunks = 0;
    for (const JpegPart &p : *parts) {
        if (p.marker == 0xE2) {
            ++chunks;
            QCOMPARE(int(uchar(p.payload[12])), chunks);
            QVERIFY(p.payload.size() <= 65533);
        }
        if (p.marker == 0xEE)
            QCOMPARE(p.payload, adobePayload());
    }
    QCOMPARE(chunks, int((clean->size() + 65518) / 65519));
    for (const JpegPart &p : *parts) {
        if (p.marker == 0xE2)
            QCOMPARE(int(uchar(p.payload[13])), chunks);
    }
    QCOMPARE(iccTagData(*clean, "rTRC"), iccTagData(profile, "rTRC").left(iccTagData(*clean, "rTRC").size()));

    // The same pixels, decoded by Qt and by OpenCV; the same colour space to Qt.
    QVERIFY(samePixels(QImage::fromData(original, "JPEG"), QImage::fromData(stripped, "JPEG")));
    QVERIFY(sameMat(decodeCv(original), decodeCv(stripped)));
    // (Qt joins a file's chunks in file order, not by number: compare with the profile itself.)
    QCOMPARE(QImage::fromData(stripped, "JPEG").colorSpace(), QColorSpace::fromIccProfile(profile));
    QCOMPARE(MetadataStripper::strip(stripped, &error), stripped);
}

void TestExport::stripJpegDropsMalformedIcc_data()
{
    QTest::addColumn<QByteArray>("segments");
    QTest::addColumn<QString>("reason");
    const QByteArray good = buildIcc(secretTags());
    QTest::newRow("a chunk missing") << iccSegments(good, 300, { 1 }) << u"1 of its"_s;
    QTest::newRow("a chunk twice") << iccSegments(good, 300, { 1, 2, 2, 3 }) << u"once each"_s;
    QTest::newRow("counts differ") << iccSegments(good, 300, { 1 }) + iccSegments(good.left(400), 300, { 2 })
                                   << u"once each"_s;
    QTest::newRow("number 0") << segment(0xE2, "ICC_PROFILE\0\0\x01"_ba + good) << u"once each"_s;
    QTest::newRow("no number") << segment(0xE2, "ICC_PROFILE\0"_ba) << u"sequence number"_s;
    QTest::newRow("profile cut short") << iccSegments(good.left(good.size() - 40), 65519) << u"gives the size"_s;
    QByteArray noAcsp = good;
    noAcsp.replace(36, 4, "xxxx");
    QTest::newRow("no acsp") << iccSegments(noAcsp, 65519) << u"'acsp'"_s;
}

void TestExport::stripJpegDropsMalformedIcc()
{
    QFETCH(QByteArray, segments);
    QFETCH(QString, reason);
    const QByteArray plain = encodeJpeg(testPicture(64, 48, 22), { cv::IMWRITE_JPEG_QUALITY, 85 });
    const QByteArray original = jpegWith(plain, segments);
    QStringList found;
    QVERIFY(MetadataStripper::hasMetadata(original, &found));
    QVERIFY2(found.contains(u"malformed ICC profile"_s), qPrintable(found.join(u" | "_s)));
    QString error;
    QStringList notes;
    const QByteArray stripped = MetadataStripper::strip(original, &error, &notes);
    QVERIFY2(!stripped.isEmpty(), qPrintable(error));
    // The profile is gone, the image still there, and the note says why.
    QCOMPARE(stripped, plain);
    QCOMPARE(notes.size(), 1);
    QVERIFY2(notes.first().contains(reason) && notes.first().contains(u"sRGB"_s), qPrintable(notes.first()));
    QVERIFY(samePixels(QImage::fromData(original, "JPEG"), QImage::fromData(stripped, "JPEG")));
}

void TestExport::stripPngRewritesIccp()
{
    const QImage image = testImage(41, 29, true, 23);
    const QByteArray plain = encodePng(image);
    const QByteArray profile = buildIcc(secretTags());
    const QByteArray original = pngWith(plain, iccpChunk("SECRET Jane Doe's scanner", zlib(profile)));
    QStringList found;
    QVERIFY(MetadataStripper::hasMetadata(original, &found));
    QVERIFY2(found.contains(u"iCCP name, strings or private tags"_s), qPrintable(found.join(u" | "_s)));

    QString error;
    QStringList notes;
    const QByteArray stripped = MetadataStripper::strip(original, &error, &notes);
    QVERIFY2(!stripped.isEmpty(), qPrintable(error));
    QVERIFY(notes.isEmpty());
    QVERIFY2(!MetadataStripper::hasMetadata(stripped, &found), qPrintable(found.join(u" | "_s)));
    const auto chunks = pngChunks(stripped);
    QVERIFY(chunks);
    QByteArray iccp;
    for (const PngChunk &c : *chunks) {
        if (c.type == "iCCP")
            iccp = c.whole.mid(8, c.whole.size() - 12);
    }
    QVERIFY(iccp.startsWith("ICC profile\0\0"_ba));
    const QByteArray inflated = qUncompress(be32(quint32(profile.size() * 4)) + iccp.mid(13));
    const auto clean = dl::IccProfile::sanitize(profile, &error);
    QVERIFY(clean);
    QCOMPARE(inflated, *clean);
    for (const QByteArray &secret : iccSecrets()) {
        QVERIFY2(!stripped.contains(secret), secret.constData());
        QVERIFY2(!inflated.contains(secret), secret.constData());
    }
    QVERIFY(samePixels(QImage::fromData(original, "PNG"), QImage::fromData(stripped, "PNG")));
    QVERIFY(samePixels(image, QImage::fromData(stripped, "PNG")));
    QVERIFY(sameMat(decodeCv(original), decodeCv(stripped)));
    QCOMPARE(MetadataStripper::strip(stripped, &error), stripped);
}

void TestExport::stripPngDropsMalformedIccp_data()
{
    QTest::addColumn<QByteArray>("iccp");
    QTest::addColumn<QString>("reason");
    const QByteArray good = buildIcc(secretTags());
    // 64 MiB of zeros in about 64 KB: inflating stops at the limit.
    QTest::newRow("zlib bomb") << iccpChunk("bomb", zlib(good + QByteArray(64 << 20, '\0')))
                               << u"more than"_s;
    QTest::newRow("corrupt stream") << iccpChunk("x", zlib(good).left(100) + "garbage") << u"corrupt"_s;
    QTest::newRow("stream cut short") << iccpChunk("x", zlib(good).left(60)) << u"cut short"_s;
    QTest::newRow("no name") << chunk("iCCP", "\0\0"_ba + zlib(good)) << u"no valid name"_s;
    QTest::newRow("method 1") << chunk("iCCP", "x\0\x01"_ba + zlib(good)) << u"compression method 1"_s;
    QByteArray noAcsp = good;
    noAcsp.replace(36, 4, "xxxx");
    QTest::newRow("malformed profile") << iccpChunk("x", zlib(noAcsp)) << u"'acsp'"_s;
}

void TestExport::stripPngDropsMalformedIccp()
{
    QFETCH(QByteArray, iccp);
    QFETCH(QString, reason);
    const QByteArray plain = encodePng(testImage(30, 20, false, 24));
    const QByteArray original = pngWith(plain, iccp);
    QStringList found;
    QVERIFY(MetadataStripper::hasMetadata(original, &found));
    QVERIFY2(found.contains(u"malformed iCCP"_s), qPrintable(found.join(u" | "_s)));
    QString error;
    QStringList notes;
    const QByteArray stripped = MetadataStripper::strip(original, &error, &notes);
    QVERIFY2(!stripped.isEmpty(), qPrintable(error));
    QCOMPARE(stripped, plain);
    QCOMPARE(notes.size(), 1);
    QVERIFY2(notes.first().contains(reason) && notes.first().contains(u"sRGB"_s), qPrintable(notes.first()));
}

void TestExport::redactFill()
{
    const cv::Mat original = noiseBgra(200, 150, 21);
    cv::Mat region = cv::Mat::zeros(150, 200, CV_8UC1);
    cv::ellipse(region, cv::Point(100, 70), cv::Size(40, 25), 20, 0, 360, cv::Scalar(255), cv::FILLED);
    cv::rectangle(region, cv::Rect(0, 130, 30, 20), cv::Scalar(7), cv::FILLED); // touches the border
    const cv::Mat dist = distanceToRegion(region);

    QString error;
    const QImage redacted = dl::Redactor::redact(imageFromBgra(original), region, &error);
    QVERIFY2(!redacted.isNull(), qPrintable(error));
    QCOMPARE(redacted.format(), QImage::Format_RGB32);
    const cv::Mat out = bgraFromImage(redacted);
    int inside = 0, ring = 0, outside = 0;
    for (int y = 0; y < out.rows; ++y) {
        for (int x = 0; x < out.cols; ++x) {
            const cv::Vec4b now = out.at<cv::Vec4b>(y, x);
            const float d = dist.at<float>(y, x);
            if (d <= 2.0f) {
                // Inside and up to two pixels around: the fill colour, nothing original.
                QVERIFY2(now == cv::Vec4b(128, 128, 128, 255),
                    qPrintable(u"pixel %1,%2 at distance %3"_s.arg(x).arg(y).arg(d)));
                (d == 0.0f ? inside : ring) += 1;
            } else if (d > 3.0f) {
                QVERIFY2(now == original.at<cv::Vec4b>(y, x),
                    qPrintable(u"pixel %1,%2 changed at distance %3"_s.arg(x).arg(y).arg(d)));
                ++outside;
            }
        }
    }
    QCOMPARE(inside, cv::countNonZero(region));
    QVERIFY(ring > 200);
    QVERIFY(outside > 20000);

    // Another colour, no dilation, and an image with alpha.
    dl::Redactor::Options options;
    options.fillColor = QColor(10, 20, 30);
    options.dilatePixels = 0;
    QImage withAlpha = imageFromBgra(original).convertToFormat(QImage::Format_ARGB32);
    withAlpha.setPixel(100, 70, qRgba(1, 2, 3, 4));
    const QImage exact = dl::Redactor::redact(withAlpha, region, options, &error);
    QCOMPARE(exact.format(), QImage::Format_ARGB32);
    QCOMPARE(exact.pixel(100, 70), qRgba(10, 20, 30, 255));
    QCOMPARE(exact.pixel(5, 140), qRgba(10, 20, 30, 255));
    // Without dilation every pixel outside the region keeps its value.
    for (int x = 0; x < 200; ++x) {
        if (region.at<uchar>(70, x) == 0)
            QCOMPARE(exact.pixel(x, 70), withAlpha.pixel(x, 70));
    }
}

void TestExport::redactBlur()
{
    const cv::Mat original = noiseBgra(400, 300, 22);
    // A high-contrast "text" pattern inside the region.
    cv::Mat picture = original.clone();
    for (int y = 100; y < 160; ++y) {
        for (int x = 120; x < 280; ++x)
            picture.at<cv::Vec4b>(y, x)
                = ((x / 3 + y / 3) % 2) ? cv::Vec4b(0, 0, 0, 255) : cv::Vec4b(255, 255, 255, 255);
    }
    cv::Mat region = cv::Mat::zeros(300, 400, CV_8UC1);
    cv::rectangle(region, cv::Rect(110, 90, 180, 80), cv::Scalar(255), cv::FILLED);
    const cv::Mat dist = distanceToRegion(region);

    dl::Redactor::Options options;
    options.mode = dl::Redactor::Mode::Blur;
    QString error;
    const QImage redacted = dl::Redactor::redact(imageFromBgra(picture), region, options, &error);
    QVERIFY2(!redacted.isNull(), qPrintable(error));
    const cv::Mat out = bgraFromImage(redacted);
    QCOMPARE(dl::Redactor::blurCell(QSize(100, 80)), 8);
    QCOMPARE(dl::Redactor::blurCell(QSize(4000, 3000)), 100);
    QCOMPARE(dl::Redactor::blurCell(QSize(3000, 4000), QSize(2000, 1000)), 250);
    QCOMPARE(dl::Redactor::blurCell(QSize(400, 300), QSize(184, 84)), 23);

    int same = 0, total = 0;
    for (int y = 0; y < out.rows; ++y) {
        for (int x = 0; x < out.cols; ++x) {
            const float d = dist.at<float>(y, x);
            if (d == 0.0f) {
                ++total;
                same += out.at<cv::Vec4b>(y, x) == picture.at<cv::Vec4b>(y, x);
            } else if (d > 3.0f) {
                QVERIFY2(out.at<cv::Vec4b>(y, x) == picture.at<cv::Vec4b>(y, x),
                    qPrintable(u"pixel %1,%2 changed at distance %3"_s.arg(x).arg(y).arg(d)));
            }
        }
    }
    QVERIFY2(same * 100 < total, qPrintable(u"%1 of %2 pixels unchanged"_s.arg(same).arg(total)));
    // The pattern and the noise are gone: little variation left inside, where there was a lot.
    cv::Mat greyBefore, greyAfter;
    cv::cvtColor(picture, greyBefore, cv::COLOR_BGRA2GRAY);
    cv::cvtColor(out, greyAfter, cv::COLOR_BGRA2GRAY);
    cv::Scalar mean, sdBefore, sdAfter;
    cv::meanStdDev(greyBefore(cv::Rect(120, 100, 160, 60)), mean, sdBefore);
    cv::meanStdDev(greyAfter(cv::Rect(120, 100, 160, 60)), mean, sdAfter);
    QVERIFY2(sdBefore[0] > 80, qPrintable(QString::number(sdBefore[0])));
    QVERIFY2(sdAfter[0] < 15, qPrintable(QString::number(sdAfter[0])));
    // Neighbouring pixels differ by little: no edge of the pattern survives.
    cv::Mat laplacian;
    cv::Laplacian(greyAfter(cv::Rect(120, 100, 160, 60)), laplacian, CV_32F);
    double minL = 0, maxL = 0;
    cv::minMaxLoc(laplacian, &minL, &maxL);
    QVERIFY2(std::max(-minL, maxL) < 40, qPrintable(QString::number(std::max(-minL, maxL))));
}

void TestExport::redactRejects()
{
    const QImage image = testImage(20, 10, false, 1);
    QString error;
    QVERIFY(dl::Redactor::redact(image, cv::Mat::zeros(10, 21, CV_8UC1), &error).isNull());
    QVERIFY2(error.contains(u"21 x 10"_s), qPrintable(error));
    QVERIFY(dl::Redactor::redact(image, cv::Mat::zeros(10, 20, CV_16UC1), &error).isNull());
    QVERIFY(dl::Redactor::redact(QImage(), cv::Mat(), &error).isNull());
    // An empty region changes nothing.
    const QImage same = dl::Redactor::redact(image, cv::Mat::zeros(10, 20, CV_8UC1), &error);
    QVERIFY(samePixels(same, image));
    cv::Mat wrongDepth(10, 20, CV_16UC3, cv::Scalar::all(0));
    QVERIFY(!dl::Redactor::redactInPlace(wrongDepth, cv::Mat::ones(10, 20, CV_8UC1), {}, &error));
}

// ---------------------------------------------------------------------------------------------

void TestExport::faceDetectorFindsNoFaceOnSyntheticSkin()
{
    QVERIFY2(!dl::FaceDetector::findCascade().isEmpty(), "install opencv-data");
    dl::FaceDetector detector;
    QString error;
    QVERIFY2(detector.load(QString(), &error), qPrintable(error));
    QVERIFY(detector.isLoaded());
    QVERIFY(detector.cascadePath().endsWith(u"haarcascade_frontalface_alt.xml"_s));
    const QStringList conditions = dl::SyntheticSkin::demoConditions();
    for (int i = 0; i < 6; ++i) {
        dl::SkinParams params;
        params.fitzpatrick = i + 1;
        params.condition = conditions.at(i % conditions.size());
        params.lesions = 1 + i % 4;
        params.seed = quint32(100 + i);
        params.size = i % 2 ? QSize(800, 600) : QSize(600, 800);
        const cv::Mat skin = dl::SyntheticSkin::render(params);
        QVERIFY(!skin.empty());
        error.clear();
        const QList<QRect> faces = detector.detect(skin, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(faces.isEmpty(), qPrintable(u"%1 faces on synthetic image %2"_s.arg(faces.size()).arg(i)));
    }
    // The QImage entry point runs too.
    QImage blank(300, 200, QImage::Format_RGB32);
    blank.fill(Qt::gray);
    QVERIFY(detector.detect(blank, &error).isEmpty());
    QVERIFY(detector.detect(QImage(), &error).isEmpty());
    QVERIFY(!error.isEmpty());
}

void TestExport::faceDetectorMissingCascade()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    dl::FaceDetector detector;
    QString error;
    const QString missing = tmp.filePath(u"nowhere/haarcascade.xml"_s);
    QVERIFY(!detector.load(missing, &error));
    QVERIFY2(error.contains(missing), qPrintable(error));
    QVERIFY(!detector.isLoaded());
    error.clear();
    QVERIFY(detector.detect(cv::Mat(10, 10, CV_8UC1, cv::Scalar(0)), &error).isEmpty());
    QVERIFY2(error.contains(u"No face detection cascade"_s), qPrintable(error));

    const QString garbage = tmp.filePath(u"garbage.xml"_s);
    QVERIFY(writeFile(garbage, "<?xml version=\"1.0\"?><opencv_storage></opencv_storage>"_ba));
    QVERIFY(!detector.load(garbage, &error));
    QVERIFY2(error.contains(u"not a readable OpenCV cascade"_s), qPrintable(error));
}

// ---------------------------------------------------------------------------------------------

void TestExport::kAnonymity_data()
{
    QTest::addColumn<int>("k");
    QTest::addColumn<QStringList>("heldBack");
    QTest::addColumn<int>("heldBackClasses");
    // Classes of the table in kAnonymity(): A 5, B 3, C 2 (empty = "unknown"), D 4 (trimmed),
    // E 2 (padded).
    const QStringList a { u"a1"_s, u"a2"_s, u"a3"_s, u"a4"_s, u"a5"_s };
    const QStringList b { u"b1"_s, u"b2"_s, u"b3"_s };
    const QStringList c { u"c1"_s, u"c2"_s };
    const QStringList d { u"d1"_s, u"d2"_s, u"d3"_s, u"d4"_s };
    const QStringList e { u"e1"_s, u"e2"_s };
    QTest::newRow("k 0 is off") << 0 << QStringList() << 0;
    QTest::newRow("k 1 is off") << 1 << QStringList() << 0;
    QTest::newRow("k 2") << 2 << QStringList() << 0;
    QTest::newRow("k 3") << 3 << (c + e) << 2;
    QTest::newRow("k 4") << 4 << (b + c + e) << 3;
    QTest::newRow("k 5 (default)") << dl::KAnonymityGate::DefaultK << (b + c + d + e) << 4;
    QTest::newRow("k 6") << 6 << (a + b + c + d + e) << 5;
}

void TestExport::kAnonymity()
{
    QFETCH(int, k);
    QFETCH(QStringList, heldBack);
    QFETCH(int, heldBackClasses);
    // age group, sex, skin type, body site, country, condition
    const QStringList A { u"30-39"_s, u"female"_s, u"III"_s, u"arm"_s, u"KE"_s, u"Eczema"_s };
    const QStringList B { u"30-39"_s, u"female"_s, u"III"_s, u"arm"_s, u"KE"_s, u"Psoriasis"_s };
    const QStringList D { u"50-59"_s, u"female"_s, u"V"_s, u"back"_s, u"KE"_s, u"Fungal"_s };
    QList<dl::QuasiIdentifierRecord> records;
    // Interleaved, so input order must be kept in the output lists.
    for (int i = 1; i <= 5; ++i) {
        records.append({ u"a%1"_s.arg(i), A });
        if (i <= 3)
            records.append({ u"b%1"_s.arg(i), B });
    }
    records.append({ u"c1"_s, { u"40-49"_s, u"male"_s, QString(), u"leg"_s, u"NG"_s, u"Scabies"_s } });
    records.append({ u"d1"_s, { u" 50-59 "_s, u"female"_s, u"V"_s, u"back"_s, u"KE"_s, u"Fungal"_s } });
    records.append({ u"c2"_s, { u"40-49"_s, u"male"_s, u"unknown"_s, u"leg"_s, u"NG"_s, u"Scabies"_s } });
    for (int i = 2; i <= 4; ++i)
        records.append({ u"d%1"_s.arg(i), D });
    records.append({ u"e1"_s, { u"60-69"_s, u"male"_s, u"II"_s, u"hand"_s, u"NG"_s } });
    records.append({ u"e2"_s, { u"60-69"_s, u"male"_s, u"II"_s, u"hand"_s, u"NG"_s, u"  "_s } });
    QCOMPARE(records.size(), 16);

    const dl::KAnonymityResult r = dl::KAnonymityGate::evaluate(records, k);
    QCOMPARE(r.k, std::max(1, k));
    QCOMPARE(r.recordCount, 16);
    QCOMPARE(r.classCount(), 5);
    QCOMPARE(r.heldBackClassCount(), heldBackClasses);
    QStringList expectedHeld;
    QStringList expectedReleased;
    for (const auto &rec : std::as_const(records))
        (heldBack.contains(rec.key) ? expectedHeld : expectedReleased).append(rec.key);
    QCOMPARE(r.heldBack, expectedHeld);
    QCOMPARE(r.released, expectedReleased);
    QCOMPARE(r.heldBack.size() + r.released.size(), 16);

    QList<int> sizes;
    for (const dl::EquivalenceClass &c : r.classes) {
        sizes.append(c.size);
        QCOMPARE(c.heldBack, c.size < std::max(1, k));
    }
    // Sorted by values: 30-39/Eczema (A), 30-39/Psoriasis (B), 40-49 (C), 50-59 (D), 60-69 (E).
    QCOMPARE(sizes, (QList<int> { 5, 3, 2, 4, 2 }));
    QCOMPARE(r.classes.at(2).values,
        (QStringList { u"40-49"_s, u"male"_s, u"unknown"_s, u"leg"_s, u"NG"_s, u"Scabies"_s }));
    QCOMPARE(r.classes.at(4).values.last(), u"unknown"_s);
    QCOMPARE(r.classes.at(3).values.first(), u"50-59"_s);
    QCOMPARE(r.classSizeOfRecord.size(), 16);
    QCOMPARE(r.classSizeOfRecord.first(), 5); // a1
    QCOMPARE(r.classSizeOfRecord.at(1), 3); // b1
    QCOMPARE(r.classSizeOfRecord.last(), 2); // e2
}

void TestExport::kAnonymityCountsPeople()
{
    // Five records of one class from three people (p1 has three images): a class of 3, not 5.
    const QStringList values { u"30-39"_s, u"female"_s, u"III"_s, u"arm"_s, u"KE"_s, u"Eczema"_s };
    const QList<dl::QuasiIdentifierRecord> records {
        { u"i1"_s, values, u"p1"_s }, { u"i2"_s, values, u"p1"_s }, { u"i3"_s, values, u"p1"_s },
        { u"i4"_s, values, u"p2"_s }, { u"i5"_s, values, u"p3"_s } };
    dl::KAnonymityResult r = dl::KAnonymityGate::evaluate(records, 3);
    QCOMPARE(r.classCount(), 1);
    QCOMPARE(r.classes.first().size, 3);
    QCOMPARE(r.classes.first().records, 5);
    QCOMPARE(r.released.size(), 5);
    QCOMPARE(r.classSizeOfRecord, (QList<int> { 3, 3, 3, 3, 3 }));
    r = dl::KAnonymityGate::evaluate(records, 4);
    QCOMPARE(r.heldBack.size(), 5); // five images, but three people
    QCOMPARE(r.heldBackClassCount(), 1);
}

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
