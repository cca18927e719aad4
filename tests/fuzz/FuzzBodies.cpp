// SPDX-License-Identifier: GPL-3.0-or-later
#include "FuzzBodies.h"

#include "export/CocoReader.h"
#include "export/LabelMeReader.h"
#include "export/MetadataStripper.h"
#include "imaging/ImageProbe.h"
#include "imaging/JpegValidator.h"
#include "imaging/PngValidator.h"
#include "imaging/ProbeSupport.h"
#include "masks/CocoRle.h"
#include "masks/MaskCodec.h"
#include "text/CsvReader.h"
#include "text/PyLiteral.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <opencv2/core.hpp>

#include <cstdlib>

using namespace Qt::StringLiterals;

namespace dl::fuzz {

namespace {

QByteArrayView bytes(const std::uint8_t *data, std::size_t size)
{
    return QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size));
}

// A property every parser promises: an error comes with a message, success without one.
void expect(bool condition)
{
    if (!condition)
        std::abort();
}

bool smallEnough(qint64 width, qint64 height)
{
    return width > 0 && height > 0 && width * height <= MaxDecodedPixels;
}

} // namespace

const std::vector<Target> &targets()
{
    static const std::vector<Target> all { { "jpeg", jpeg }, { "probe", probe }, { "tiff", tiff },
        { "png", png }, { "stripper", stripper }, { "csv", csv }, { "pyliteral", pyliteral },
        { "rle", rle }, { "maskpng", maskpng }, { "coco", coco }, { "labelme", labelme } };
    return all;
}

void jpeg(const std::uint8_t *data, std::size_t size)
{
    const JpegValidator::Result result = JpegValidator::validate(bytes(data, size));
    expect(result.ok() || !result.message.isEmpty());
    JpegValidator::validate(bytes(data, size), 0);
}

void probe(const std::uint8_t *data, std::size_t size)
{
    const ImageHeader header = ImageProbe::probe(bytes(data, size));
    expect(header.ok() || !header.message.isEmpty());
    if (header.ok())
        expect(header.width > 0 && header.height > 0 && header.pixelCount() <= ImageProbe::DefaultPixelLimit);
    ImageProbe::sniffFormat(bytes(data, size));
}

void tiff(const std::uint8_t *data, std::size_t size)
{
    const probe::Bytes b { data, qsizetype(size) };
    const ImageHeader header = probe::probeTiff(b, ImageProbe::DefaultPixelLimit);
    expect(header.ok() || !header.message.isEmpty());
    const int orientation = probe::exifOrientation(b);
    expect(orientation >= 1 && orientation <= 8);
}

void png(const std::uint8_t *data, std::size_t size)
{
    const PngValidator::Result result = PngValidator::validate(bytes(data, size));
    expect(result.ok() || !result.message.isEmpty());
}

void stripper(const std::uint8_t *data, std::size_t size)
{
    // Only what the export hands it: images whose header was accepted at import.
    const ImageHeader header = ImageProbe::probe(bytes(data, size));
    QStringList found;
    MetadataStripper::hasMetadata(bytes(data, size), &found);
    if (!header.ok() || !smallEnough(header.width, header.height))
        return;
    QString error;
    QStringList notes;
    const QByteArray stripped = MetadataStripper::strip(bytes(data, size), &error, &notes);
    expect(!stripped.isEmpty() || !error.isEmpty());
    if (stripped.isEmpty())
        return;
    // What comes out carries nothing more to strip (ICC profiles and Adobe segments included).
    expect(!MetadataStripper::hasMetadata(stripped));
    QString again;
    expect(MetadataStripper::strip(stripped, &again) == stripped);
}

void csv(const std::uint8_t *data, std::size_t size)
{
    QString error;
    const auto table = CsvReader::parse(bytes(data, size), &error);
    expect(table.has_value() == error.isEmpty());
    if (table) {
        expect(table->rows.size() == table->rowLines.size());
        for (const QStringList &row : table->rows)
            expect(row.size() == table->header.size());
    }
}

void pyliteral(const std::uint8_t *data, std::size_t size)
{
    const QString text = QString::fromUtf8(bytes(data, size));
    QString error;
    const auto value = PyLiteral::parse(text, &error);
    expect(value.has_value() == error.isEmpty());
    error.clear();
    PyLiteral::parseStringList(text, &error);
    PyLiteral::parseNumberList(text, &error);
    PyLiteral::parseStringNumberDict(text, &error);
}

void rle(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return;
    // Compressed counts at a small size taken from the first two bytes.
    const int height = data[0] % 64, width = data[1] % 64;
    QString error;
    const auto fromString = CocoRle::fromString(bytes(data + 2, size - 2), height, width, &error);
    if (fromString) {
        expect(CocoRle::isValid(*fromString));
        const cv::Mat mask = CocoRle::decode(*fromString);
        expect(mask.rows == height && mask.cols == width);
        if (!mask.empty()) {
            const cv::Mat again = CocoRle::decode(CocoRle::encode(mask));
            expect(again.size == mask.size && cv::countNonZero(again != mask) == 0);
        }
        CocoRle::toString(*fromString);
        CocoRle::area(*fromString);
        CocoRle::bbox(*fromString);
        CocoRle::merge(*fromString, *fromString);
    }
    // The JSON form: size and counts (string or array), as COCO files hold them.
    const QJsonDocument json = QJsonDocument::fromJson(bytes(data, size).toByteArray());
    if (!json.isObject())
        return;
    const auto fromJson = CocoRle::fromJson(json.object(), &error);
    if (fromJson && smallEnough(fromJson->height, fromJson->width))
        CocoRle::decode(*fromJson);
}

void maskpng(const std::uint8_t *data, std::size_t size)
{
    QString error;
    const ImageHeader header = ImageProbe::probe(bytes(data, size), MaxDecodedPixels);
    if (header.ok()) {
        const cv::Mat mask = MaskCodec::decodePng(bytes(data, size), &error);
        expect(!mask.empty() || !error.isEmpty());
    }
    // The same bytes as a LabelMe mask shape over a 64 x 64 image; the box from the first bytes.
    if (size < 2)
        return;
    const int x1 = data[0] % 64, y1 = data[1] % 64;
    const QJsonObject shape { { u"label"_s, u"x"_s }, { u"shape_type"_s, u"mask"_s },
        { u"points"_s, QJsonArray { QJsonArray { x1, y1 }, QJsonArray { 63, 63 } } },
        { u"mask"_s, QString::fromLatin1(bytes(data + 2, size - 2).toByteArray().toBase64()) } };
    const cv::Mat region = MaskCodec::fromLabelMeMaskShape(shape, 64, 64, &error);
    expect(region.empty() || (region.rows == 64 && region.cols == 64));
}

void coco(const std::uint8_t *data, std::size_t size)
{
    QString error;
    const auto document = CocoReader::parse(bytes(data, size), &error);
    expect(document.has_value() == error.isEmpty());
    if (!document)
        return;
    // As the importer: decode only at a size it accepted (there, the matched store image's).
    for (const CocoImageInfo &image : document->images) {
        if (smallEnough(image.width, image.height)) {
            const QMap<QString, cv::Mat> masks = document->masks(image.fileName);
            for (const cv::Mat &mask : masks)
                expect(mask.rows == image.height && mask.cols == image.width);
        }
    }
}

void labelme(const std::uint8_t *data, std::size_t size)
{
    QString error;
    const auto header = LabelMeReader::parseHeader(bytes(data, size), &error);
    expect(header.has_value() == error.isEmpty());
    if (!header || !smallEnough(header->width, header->height))
        return;
    const auto document = LabelMeReader::parse(bytes(data, size), &error, QSize(header->width, header->height));
    if (document) {
        for (const cv::Mat &mask : document->masks)
            expect(mask.rows == header->height && mask.cols == header->width);
    }
}

} // namespace dl::fuzz
