// SPDX-License-Identifier: GPL-3.0-or-later
// Import throughput: N generated 1-megapixel JPEGs (default 2,000) imported
// end to end (read, hash, header check, reduced-size thumbnail, copy, insert); with --face-check
// also the frontal-face check the import runs by default. The check runs after the files are
// stored (the workstation runs it in the background; the release gate holds back the images not
// yet checked): the import rate is until the images are stored, the check's rate is printed apart.
//
//   bench_import [--images N] [--keep DIR] [--face-check]
#include "import/ImportService.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>

using namespace Qt::StringLiterals;

static QByteArray makeJpeg(int index)
{
    // 1155 x 866 = 1.0 megapixels of smooth, skin-like texture with blobs,
    // so JPEG sizes are realistic (not flat colour).
    std::mt19937 random(quint32(index) * 2654435761u);
    cv::Mat small(54, 72, CV_8UC3);
    cv::randu(small, cv::Scalar(120, 120, 150), cv::Scalar(170, 180, 230));
    cv::Mat image;
    cv::resize(small, image, cv::Size(1155, 866), 0, 0, cv::INTER_CUBIC);
    cv::Mat grain(image.size(), CV_8UC3);
    cv::randn(grain, cv::Scalar::all(0), cv::Scalar::all(6));
    image += grain;
    for (int i = 0; i < 6; ++i)
        cv::ellipse(image, cv::Point(int(random() % 1155), int(random() % 866)),
                    cv::Size(20 + int(random() % 120), 20 + int(random() % 90)), double(random() % 180), 0, 360,
                    cv::Scalar(60 + random() % 40, 50 + random() % 40, 120 + random() % 80), cv::FILLED, cv::LINE_AA);
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int count = 2000;
    QString keep;
    bool faceCheck = false;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == u"--images"_s && i + 1 < args.size())
            count = args[++i].toInt();
        else if (args[i] == u"--keep"_s && i + 1 < args.size())
            keep = args[++i];
        else if (args[i] == u"--face-check"_s)
            faceCheck = true;
    }
    QTemporaryDir temp;
    const QString root = keep.isEmpty() ? temp.filePath(u"images"_s) : keep;
    QDir().mkpath(root);

    std::printf("Generating %d 1-megapixel JPEGs in %s ...\n", count, qPrintable(root));
    QList<int> indices(count);
    std::iota(indices.begin(), indices.end(), 0);
    QtConcurrent::blockingMap(indices, [&](int i) {
        const QString file = u"%1/%2/img%3.jpg"_s.arg(root).arg(i % 20).arg(i, 5, 10, QLatin1Char('0'));
        if (QFile::exists(file))
            return;
        QDir().mkpath(QFileInfo(file).absolutePath());
        QFile out(file);
        if (out.open(QIODevice::WriteOnly))
            out.write(makeJpeg(i));
    });

    QString error;
    auto store = dl::Store::open(temp.filePath(u"bench.dermlabel"_s), dl::Store::OpenMode::CreateNew, &error);
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 2;
    }
    dl::ImportService service(*store);
    QElapsedTimer timer;
    timer.start();
    dl::ImportOptions options;
    options.faceCheck = faceCheck;
    double stored = -1; // seconds until the files were stored and the face check began
    const dl::ImportReport report = service.importPath(dl::ImportKind::Folder, root, options,
                                                       [&](const dl::ImportProgress &p) {
                                                           if (p.phase == dl::ImportProgress::Phase::Faces && stored < 0)
                                                               stored = timer.nsecsElapsed() / 1e9;
                                                       });
    const double seconds = timer.nsecsElapsed() / 1e9;
    if (stored < 0)
        stored = seconds;
    if (report.failed() || report.imported != count) {
        std::fprintf(stderr, "import failed: %s (imported %lld)\n", qPrintable(report.error), report.imported);
        return 1;
    }
    std::printf("Imported %lld images in %.2f s on %d threads: %.1f images/s (face check %s)\n", report.imported,
                stored, QThreadPool::globalInstance()->maxThreadCount(), report.imported / stored,
                faceCheck ? "on: each image stored as waiting for it" : "off");
    if (faceCheck) {
        std::printf("Face check after the import: %.2f s, %.1f images/s, %lld flagged; %.2f s in all\n",
                    seconds - stored, report.imported / std::max(seconds - stored, 1e-9), report.faceFlags, seconds);
    }
    return 0;
}
