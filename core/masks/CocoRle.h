// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QPolygonF>
#include <QRectF>
#include <QString>

#include <opencv2/core/mat.hpp>

#include <optional>
#include <vector>

namespace dl {

// An uncompressed COCO run-length encoding. The mask is flattened column-major (pixel (x, y) has
// index x * height + y); counts alternate runs of 0 and 1 and always start with a 0-run, which is 0
// when the first pixel is set. Runs of length 0 elsewhere are allowed (COCO accepts them) but the
// encoder never produces them.
struct Rle {
    int height = 0, width = 0;
    std::vector<quint32> counts;

    bool operator==(const Rle &other) const = default;
};

// COCO RLE exactly as the cocoapi (maskApi.c) defines it: encode/decode, the compressed counts
// string (rleToString/rleFrString), area, bounding box and polygon rasterisation.
class CocoRle
{
public:
    // CV_8UC1 mask, nonzero = inside (other single-channel depths are accepted the same way).
    // An empty mask (0 x 0) gives counts [0], as the cocoapi does. A multi-channel mask or one of
    // 2^32 pixels or more gives an Rle with no counts (not valid). About 2 ms for 12 MP: the rows
    // are compared pairwise in memory order instead of walking columns.
    // Differs from the cocoapi only in treating every nonzero value as 1 (rleEncode would start a
    // new run at each change of value).
    static Rle encode(const cv::Mat &mask);
    // CV_8UC1 with 0/255. Returns an empty Mat when the counts do not add up to height * width.
    static cv::Mat decode(const Rle &rle);
    // The same into `out`, whose memory is reused when it already is height x width CV_8UC1 (no
    // new 12 MP allocation, and none of its page faults, per mask). False when the counts do not
    // add up.
    static bool decodeInto(const Rle &rle, cv::Mat &out);

    // The compressed counts string (6 bits a character, '0'..'o'; may contain a backslash).
    static QByteArray toString(const Rle &rle);
    // Parses a compressed counts string. Rejects characters outside '0'..'o', a string that ends in
    // the middle of a value, counts outside 0..2^32-1 and counts that do not sum to height * width.
    static std::optional<Rle> fromString(QByteArrayView s, int height, int width, QString *error);

    // Number of set pixels (sum of the 1-runs).
    static quint64 area(const Rle &rle);
    // COCO [x, y, w, h], computed exactly as rleToBbox does (including its rule that a 1-run that
    // spans two columns makes the box full height). An RLE without a 1-run gives (0, 0, 0, 0).
    static QRectF bbox(const Rle &rle);

    // Rasterises polygons with the cocoapi's rleFrPoly algorithm, so the runs match pycocotools'
    // frPyObjects exactly. COCO coordinates: pixel (x, y) covers [x, x+1) x [y, y+1) and is set when
    // its centre (x + .5, y + .5) lies inside, decided on the cocoapi's 5x sub-pixel grid. Several
    // polygons are rasterised one by one and merged by union, as pycocotools' annToRLE does.
    // Differences from pycocotools: polygons with fewer than three points are skipped (pycocotools
    // would read a 2-point polygon as a box), and a repeated vertex is handled without the cocoapi's
    // 0/0 division (which never affects its result). Returns nullopt for negative sizes, more than
    // 2^31 pixels, non-finite coordinates and coordinates beyond +-1e7.
    static std::optional<Rle> fromPolygon(const QList<QPolygonF> &polygons, int height, int width);

    // {"size": [h, w], "counts": "<compressed string>"}
    static QJsonObject toJson(const Rle &rle);
    // {"size": [h, w], "counts": [n0, n1, ...]} (the uncompressed form COCO uses for iscrowd)
    static QJsonObject toJsonUncompressed(const Rle &rle);
    // Accepts both forms above.
    static std::optional<Rle> fromJson(const QJsonObject &o, QString *error);

    // True when height and width are >= 0 and the counts add up to height * width.
    static bool isValid(const Rle &rle, QString *error = nullptr);
    // Union of two RLEs of the same size (cocoapi rleMerge with intersect = 0). Nullopt when the
    // sizes differ or either is invalid.
    static std::optional<Rle> merge(const Rle &a, const Rle &b);
};

} // namespace dl
