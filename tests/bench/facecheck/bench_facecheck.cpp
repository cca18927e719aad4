// SPDX-License-Identifier: GPL-3.0-or-later
// Chooses the face check's detector by measurement: how many real faces each OpenCV cascade finds
// (misses can leak a face) and how many images without a face it flags (each flag costs a QA lead
// a review), alone and in pairs (either flags: union; both flag: intersection).
//
//   bench_facecheck [--lfw FILE.npy] [--demo N] [--cascades DIR] [--threads N]
//
// The face / no-face set is scikit-image's LFW subset as Debian ships it (python3-skimage:
// /usr/lib/python3/dist-packages/skimage/data/lfw_subset.npy, 100 faces then 100 non-faces of
// 25 x 25 pixels), never downloaded: each crop is enlarged to 120 x 120 pixels on a plain
// 480 x 360 grey canvas. The skin set is N demo images (DemoDataset, default 300, 1600 x 1200,
// no faces). Every image goes through the import's path: JPEG bytes, FaceCheck::detect with the
// FaceDetector's current options. The cascades are Debian's opencv-data files.
#include "demo/DemoDataset.h"
#include "export/FaceDetector.h"
#include "release/FaceCheck.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

/// CPU time of this thread in ms: on a shared machine wall time also counts waiting.
double threadCpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

struct Sample
{
    QByteArray jpeg;
    int set = 0; ///< 0: LFW face, 1: LFW non-face, 2: demo (skin, no face)
};

/// A numpy .npy file of float64 (little-endian, C order) images: shape (count, rows, cols).
bool readNpy(const QString &path, std::vector<cv::Mat> *images, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"%1: %2 (install python3-skimage)"_s.arg(path, file.errorString());
        return false;
    }
    const QByteArray data = file.readAll();
    if (!data.startsWith("\x93NUMPY") || data.size() < 10) {
        *error = u"%1: not a .npy file"_s.arg(path);
        return false;
    }
    const int major = uchar(data[6]);
    const qsizetype headerLength = major == 1 ? qsizetype(uchar(data[8]) | (uchar(data[9]) << 8))
                                              : qsizetype(uchar(data[8]) | (uchar(data[9]) << 8)
                                                          | (uchar(data[10]) << 16) | (uchar(data[11]) << 24));
    const qsizetype headerStart = major == 1 ? 10 : 12;
    const QByteArray header = data.mid(headerStart, headerLength);
    if (!header.contains("'descr': '<f8'") || !header.contains("'fortran_order': False")) {
        *error = u"%1: expected little-endian float64 in C order"_s.arg(path);
        return false;
    }
    const qsizetype open = header.indexOf("'shape': (");
    const QList<QByteArray> dims = header.mid(open + 10, header.indexOf(')', open) - open - 10).split(',');
    if (open < 0 || dims.size() < 3) {
        *error = u"%1: expected a shape of three dimensions"_s.arg(path);
        return false;
    }
    const int count = dims[0].trimmed().toInt(), rows = dims[1].trimmed().toInt(), cols = dims[2].trimmed().toInt();
    const qsizetype start = headerStart + headerLength;
    if (count <= 0 || rows <= 0 || cols <= 0 || data.size() - start < qsizetype(count) * rows * cols * 8) {
        *error = u"%1: the file is shorter than its shape"_s.arg(path);
        return false;
    }
    for (int i = 0; i < count; ++i) {
        cv::Mat values(rows, cols, CV_64F);
        std::memcpy(values.data, data.constData() + start + qsizetype(i) * rows * cols * 8, size_t(rows) * cols * 8);
        cv::Mat grey;
        values.convertTo(grey, CV_8U, 255.0);
        images->push_back(grey);
    }
    return true;
}

QByteArray encodeJpeg(const cv::Mat &image)
{
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 95});
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

/// The crop enlarged to 120 x 120 in the middle of a plain grey 480 x 360 canvas, in colour.
QByteArray onCanvas(const cv::Mat &crop)
{
    cv::Mat canvas(360, 480, CV_8UC1, cv::Scalar(128));
    cv::Mat face;
    cv::resize(crop, face, cv::Size(120, 120), 0, 0, cv::INTER_CUBIC);
    face.copyTo(canvas(cv::Rect((480 - 120) / 2, (360 - 120) / 2, 120, 120)));
    cv::Mat colour;
    cv::cvtColor(canvas, colour, cv::COLOR_GRAY2BGR);
    return encodeJpeg(colour);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString lfw = u"/usr/lib/python3/dist-packages/skimage/data/lfw_subset.npy"_s;
    QString cascadeDir = u"/usr/share/opencv4"_s;
    int demo = 300;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == u"--lfw"_s && i + 1 < args.size())
            lfw = args[++i];
        else if (args[i] == u"--demo"_s && i + 1 < args.size())
            demo = args[++i].toInt();
        else if (args[i] == u"--cascades"_s && i + 1 < args.size())
            cascadeDir = args[++i];
        else if (args[i] == u"--threads"_s && i + 1 < args.size())
            QThreadPool::globalInstance()->setMaxThreadCount(args[++i].toInt());
        else {
            fprintf(stderr, "usage: bench_facecheck [--lfw FILE.npy] [--demo N] [--cascades DIR] [--threads N]\n");
            return 2;
        }
    }
    QTextStream out(stdout);

    const QStringList names {u"haarcascades/haarcascade_frontalface_default.xml"_s,
                             u"haarcascades/haarcascade_frontalface_alt.xml"_s,
                             u"haarcascades/haarcascade_frontalface_alt2.xml"_s,
                             u"lbpcascades/lbpcascade_frontalface_improved.xml"_s};
    QStringList cascades;
    for (const QString &name : names) {
        if (QFileInfo(cascadeDir + u'/' + name).isFile())
            cascades.append(cascadeDir + u'/' + name);
    }
    if (cascades.isEmpty()) {
        fprintf(stderr, "no cascades under %s (install opencv-data)\n", qPrintable(cascadeDir));
        return 1;
    }

    QList<Sample> samples;
    QString error;
    std::vector<cv::Mat> crops;
    if (!readNpy(lfw, &crops, &error)) {
        fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const int faces = int(crops.size()) / 2; // the first half are faces
    for (int i = 0; i < int(crops.size()); ++i)
        samples.append({onCanvas(crops[size_t(i)]), i < faces ? 0 : 1});

    QTemporaryDir dir;
    DemoOptions options;
    options.images = demo;
    if (demo > 0 && !DemoDataset::writeScinLayout(dir.path(), options, &error)) {
        fprintf(stderr, "demo images: %s\n", qPrintable(error));
        return 1;
    }
    QDirIterator files(dir.path(), {u"*.jpg"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        if (file.open(QIODevice::ReadOnly))
            samples.append({file.readAll(), 2});
    }
    int counts[3] = {0, 0, 0};
    for (const Sample &s : samples)
        ++counts[s.set];

    // found[c][i]: cascade c flagged sample i.
    std::vector<std::vector<char>> found(size_t(cascades.size()));
    std::vector<double> msPerImage(size_t(cascades.size()), 0);
    for (qsizetype c = 0; c < cascades.size(); ++c) {
        const QString cascade = cascades.at(c);
        const QList<QPair<bool, double>> flagged
            = QtConcurrent::blockingMapped<QList<QPair<bool, double>>>(samples, [cascade](const Sample &s) {
            thread_local std::unique_ptr<FaceDetector> detector;
            thread_local QString loaded;
            if (!detector || loaded != cascade) {
                detector = std::make_unique<FaceDetector>();
                QString e;
                if (!detector->load(cascade, &e))
                    qFatal("%s", qPrintable(e));
                loaded = cascade;
            }
            QString e;
            const double start = threadCpuMs();
            const auto result = FaceCheck::detect(*detector, s.jpeg, {}, &e);
            return qMakePair(result && !result->isEmpty(), threadCpuMs() - start);
        });
        double cpu = 0;
        for (const auto &[flag, ms] : flagged) {
            found[size_t(c)].push_back(flag ? 1 : 0);
            cpu += ms;
        }
        msPerImage[size_t(c)] = cpu / double(samples.size());
    }

    const FaceDetector::Options current;
    out << "Face check detectors (working copy " << current.workingSize << " px, scale " << current.scaleFactor
        << ", " << current.minNeighbors << " neighbours); LFW subset: " << counts[0] << " faces, " << counts[1]
        << " non-faces (120 px on 480 x 360); " << counts[2] << " demo skin images\n\n";
    out << "| detector | LFW faces found | LFW non-faces flagged | demo images flagged | ms / image |\n";
    out << "| --- | --- | --- | --- | --- |\n";
    const auto row = [&](const QString &label, const std::function<bool(qsizetype)> &flags, double ms) {
        int hits[3] = {0, 0, 0};
        for (qsizetype i = 0; i < samples.size(); ++i)
            hits[samples.at(i).set] += flags(i) ? 1 : 0;
        out << "| " << label << " | " << hits[0] << " / " << counts[0] << " | " << hits[1] << " / " << counts[1]
            << " | " << hits[2] << " / " << counts[2] << " | ";
        if (ms > 0)
            out << QString::number(ms, 'f', 1);
        else
            out << "-";
        out << " |\n";
    };
    const auto shortName = [](const QString &path) { return QFileInfo(path).completeBaseName(); };
    for (qsizetype c = 0; c < cascades.size(); ++c)
        row(shortName(cascades.at(c)), [&](qsizetype i) { return found[size_t(c)][size_t(i)] != 0; },
            msPerImage[size_t(c)]);
    for (qsizetype a = 0; a < cascades.size(); ++a) {
        for (qsizetype b = a + 1; b < cascades.size(); ++b) {
            const double ms = msPerImage[size_t(a)] + msPerImage[size_t(b)];
            row(shortName(cascades.at(a)) + u" or "_s + shortName(cascades.at(b)),
                [&](qsizetype i) { return found[size_t(a)][size_t(i)] || found[size_t(b)][size_t(i)]; }, ms);
            row(shortName(cascades.at(a)) + u" and "_s + shortName(cascades.at(b)),
                [&](qsizetype i) { return found[size_t(a)][size_t(i)] && found[size_t(b)][size_t(i)]; }, ms);
        }
    }
    out << "\nms / image: CPU time per image (decode at the working size and detection), mean over all images.\n";
    return 0;
}
