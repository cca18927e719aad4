// SPDX-License-Identifier: GPL-3.0-or-later
// Bundle export throughput: N 4000 x 3000 JPEG images (default 1,000), each labelled by three
// raters who each drew three condition regions, exported as a directory with consensus masks
// (release gate with k = 1 so that every image goes out).
//
//   bench_export [--images N] [--threads N] [--zip] [--keep DIR] [--staple [--staple-probabilities]]
//   (--staple: consensus masks by STAPLE instead of the majority vote)
//   bench_export --stages      (the cost of each step for one 12-megapixel image and mask)
#include "annotation/AnnotationService.h"
#include "annotation/AssignmentService.h"
#include "export/LabelMeWriter.h"
#include "export/MetadataStripper.h"
#include "masks/CocoRle.h"
#include "masks/MaskCodec.h"
#include "store/MaskRepository.h"
#include "masks/MaskService.h"
#include "qa/ConsensusService.h"
#include "qa/MaskConsensus.h"
#include "release/BundleExporter.h"
#include "store/AnnotationRepository.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/Transaction.h"
#include "store/UserRepository.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace Qt::StringLiterals;
using namespace dl;

static QByteArray baseJpeg()
{
    // Skin-like texture with blobs at 4000 x 3000, so the JPEG has a realistic size.
    cv::Mat small(60, 80, CV_8UC3);
    cv::randu(small, cv::Scalar(110, 120, 150), cv::Scalar(160, 180, 230));
    cv::Mat image;
    cv::resize(small, image, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    cv::Mat grain(image.size(), CV_8UC3);
    cv::randn(grain, cv::Scalar::all(0), cv::Scalar::all(5));
    image += grain;
    cv::ellipse(image, {2000, 1500}, {700, 450}, 20, 0, 360, cv::Scalar(70, 60, 140), cv::FILLED, cv::LINE_AA);
    std::vector<uchar> out;
    cv::imencode(".jpg", image, out, {cv::IMWRITE_JPEG_QUALITY, 90});
    return QByteArray(reinterpret_cast<const char *>(out.data()), qsizetype(out.size()));
}

/// Median wall time in milliseconds of `runs` calls.
static double medianMs(int runs, const std::function<void()> &work)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        work();
        times.push_back(t.nsecsElapsed() / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

/// What each step of one image's export costs: a 4000 x 3000 JPEG and consensus masks of three
/// raters' regions of about 800 x 520 pixels.
static int stages()
{
    const QByteArray jpeg = baseJpeg();
    QList<QByteArray> stored;
    for (int r = 0; r < 3; ++r) {
        cv::Mat mask = cv::Mat::zeros(3000, 4000, CV_8UC1);
        cv::ellipse(mask, {900 + r * 15, 1400 + r * 10}, {380 + r * 20, 260}, 0, 0, 360, 255, cv::FILLED);
        stored.append(MaskService::encode(mask));
    }
    QString error;
    QList<Rle> runs;
    for (const QByteArray &s : stored)
        runs.append(*CocoRle::fromString(s, 3000, 4000, &error));
    QList<cv::Mat> votes(3);
    cv::Mat result, scratch;
    const int n = 15;
    std::printf("one image (4000 x 3000), medians of %d runs:\n", n);
    std::printf("  strip JPEG metadata      %7.2f ms\n", medianMs(n, [&] { MetadataStripper::strip(jpeg, &error); }));
    std::printf("  SHA-256 of the JPEG      %7.2f ms\n",
                medianMs(n, [&] { QCryptographicHash::hash(jpeg, QCryptographicHash::Sha256); }));
    std::printf("per mask layer:\n");
    std::printf("  parse 3 RLE strings      %7.2f ms\n", medianMs(n, [&] {
                    for (const QByteArray &s : stored)
                        CocoRle::fromString(s, 3000, 4000, &error);
                }));
    std::printf("  decode 3 masks           %7.2f ms\n", medianMs(n, [&] {
                    for (int r = 0; r < 3; ++r)
                        CocoRle::decodeInto(runs.at(r), votes[r]);
                }));
    std::printf("  majority of 3            %7.2f ms\n",
                medianMs(n, [&] { MaskConsensus::majorityInto(votes, 2, result, scratch); }));
    {
        // STAPLE on the raters' bounding region, the rest of the image as nobody's pixels.
        cv::Rect region;
        for (const cv::Mat &v : votes)
            region = region.empty() ? cv::boundingRect(v) : (region | cv::boundingRect(v));
        QList<cv::Mat> cropped;
        for (const cv::Mat &v : votes)
            cropped.append(v(region));
        StapleOptions options;
        options.outsidePixels = 4000 * 3000 - region.area();
        options.probabilityMap = false;
        std::printf("  STAPLE of 3 (region)     %7.2f ms\n",
                    medianMs(n, [&] { MaskConsensus::staple(cropped, options); }));
    }
    std::printf("  count inside             %7.2f ms\n", medianMs(n, [&] { cv::countNonZero(result); }));
    std::printf("  PNG of the mask          %7.2f ms\n", medianMs(n, [&] { MaskCodec::encodeBinaryPng(result); }));
    std::printf("  COCO RLE of the mask     %7.2f ms\n", medianMs(n, [&] { CocoRle::encode(result); }));
    std::printf("  LabelMe shape            %7.2f ms\n", medianMs(n, [&] {
                    LabelMeWriter::build(u"../images/x.jpg"_s, 4000, 3000, {{u"eczema"_s, result, {}, {}}}, &error);
                }));
    return 0;
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.contains(u"--stages"_s))
        return stages();
    auto value = [&](const QString &name, int fallback) {
        const qsizetype i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
    };
    const int count = value(u"--images"_s, 1000);
    const int threads = value(u"--threads"_s, 0);
    const bool zip = args.contains(u"--zip"_s);
    const qsizetype keep = args.indexOf(u"--keep"_s);
    QTemporaryDir temporary;
    const QString root = keep >= 0 && keep + 1 < args.size() ? args.at(keep + 1) : temporary.path();
    QDir().mkpath(root);
    const QString storePath = root + u"/bench.dermlabel"_s;

    QString error;
    QElapsedTimer timer;
    timer.start();
    std::unique_ptr<Store> store;
    User admin;
    if (QFile::exists(storePath)) {
        store = Store::open(storePath, Store::OpenMode::MustExist, &error);
        if (!store) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 2;
        }
        admin = *UserRepository(store->db()).findByName(u"admin"_s, &error);
        std::printf("reusing %s\n", qPrintable(storePath));
    } else {
        store = Store::open(storePath, Store::OpenMode::CreateNew, &error);
        if (!store) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 2;
        }
        UserRepository users(store->db());
        admin = *users.findById(users.add(u"admin"_s, {}, Role::Admin, u"password"_s, &error, 1), &error);
        QList<User> raters;
        for (const QString &name : {u"dr.a"_s, u"dr.b"_s, u"dr.c"_s})
            raters.append(*users.findById(users.add(name, {}, Role::Annotator, u"password"_s, &error, 1), &error));
        // One 4000 x 3000 JPEG made distinct per image by a comment (which the export strips).
        const QByteArray base = baseJpeg();
        ImageRepository images(store->db());
        QDir().mkpath(store->imageDirectory());
        {
            Transaction tx(store->db());
            if (!tx.isActive()) {
                std::fprintf(stderr, "%s\n", qPrintable(tx.error()));
                return 2;
            }
            for (int i = 0; i < count; ++i) {
                QByteArray bytes = base;
                const QByteArray comment = QByteArray::number(i);
                QByteArray com("\xFF\xFE", 2);
                com.append(char(0)).append(char(2 + comment.size())).append(comment);
                bytes.insert(2, com);
                const QString sha = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
                const QString path = store->imageFilePath(sha, u"jpg"_s);
                QDir().mkpath(QFileInfo(path).path());
                QFile file(path);
                if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
                    std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
                    return 2;
                }
                ImageRecord record;
                record.publicId = u"img-%1"_s.arg(i, 6, 10, QChar(u'0'));
                record.sha256 = sha;
                record.format = u"jpeg"_s;
                record.width = 4000;
                record.height = 3000;
                record.byteSize = bytes.size();
                if (images.insert(record, &error) < 0) {
                    std::fprintf(stderr, "%s\n", qPrintable(error));
                    return 2;
                }
            }
            if (!tx.commit()) {
                std::fprintf(stderr, "%s\n", qPrintable(tx.error()));
                return 2;
            }
        }
        if (!AssignmentService(*store, admin).assign({}, 3, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 2;
        }
        // Three raters, three conditions, three regions each (slightly different per rater).
        const QStringList conditions {u"eczema"_s, u"psoriasis"_s, u"tinea"_s};
        QList<QList<QByteArray>> regions; // [rater][condition] -> stored RLE
        for (int r = 0; r < 3; ++r) {
            QList<QByteArray> perCondition;
            for (int c = 0; c < 3; ++c) {
                cv::Mat mask = cv::Mat::zeros(3000, 4000, CV_8UC1);
                cv::ellipse(mask, {900 + c * 1100 + r * 15, 1400 + r * 10}, {380 + r * 20, 260}, 10 * c, 0, 360,
                            255, cv::FILLED);
                perCondition.append(MaskService::encode(mask));
            }
            regions.append(perCondition);
        }
        QList<qint64> ids;
        for (const ImageRecord &r : images.list(0, count, &error))
            ids.append(r.id);
        for (int r = 0; r < 3; ++r) {
            Transaction tx(store->db());
            if (!tx.isActive()) {
                std::fprintf(stderr, "%s\n", qPrintable(tx.error()));
                return 2;
            }
            AnnotationRepository annotations(store->db());
            MaskRepository masks(store->db());
            for (qint64 id : std::as_const(ids)) {
                Annotation a;
                a.imageId = id;
                a.userId = raters.at(r).id;
                a.gradable = true;
                a.visibleCondition = u"yes"_s;
                a.sensitive = false;
                a.fitzpatrick = u"4"_s;
                a.monk = u"5"_s;
                for (int c = 0; c < 3; ++c)
                    a.diagnoses.append({conditions.at(c), 5 - c});
                if (annotations.save(a, &error) != SaveResult::Saved)
                    return 2;
                for (int c = 0; c < 3; ++c) {
                    if (masks.addVersion(a.id, u"condition:"_s + conditions.at(c), MaskService::encodingName(), 4000,
                                         3000, regions.at(r).at(c), &error)
                        < 0) {
                        std::fprintf(stderr, "%s\n", qPrintable(error));
                        return 2;
                    }
                }
            }
            if (!tx.commit()) {
                std::fprintf(stderr, "%s\n", qPrintable(tx.error()));
                return 2;
            }
        }
        if (!ConsensusService(*store, admin).compute(&error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 2;
        }
        std::printf("prepared %d images in %.1f s\n", count, timer.elapsed() / 1000.0);
    }

    BundleExportOptions options;
    options.outPath = root + (zip ? u"/bundle.zip"_s : u"/bundle"_s);
    options.overwrite = true;
    options.zip = zip;
    options.release.k = 1;
    options.threads = threads;
    if (args.contains(u"--staple"_s)) {
        options.maskMethod = BundleExportOptions::MaskMethod::Staple;
        options.stapleProbabilities = args.contains(u"--staple-probabilities"_s);
    }
    timer.restart();
    const BundleExportReport report = BundleExporter(*store, admin).run(options);
    const double seconds = timer.elapsed() / 1000.0;
    if (!report.ok) {
        std::fprintf(stderr, "export failed: %s\n", qPrintable(report.error));
        return 1;
    }
    std::printf("exported %d images, %d mask PNGs, %d COCO annotations as a %s with %s masks in %.1f s (%.1f "
                "images/s)\n",
                report.images, report.masks, report.annotations, zip ? "zip" : "directory",
                options.maskMethod == BundleExportOptions::MaskMethod::Staple ? "STAPLE" : "majority", seconds,
                report.images / seconds);
    return 0;
}
