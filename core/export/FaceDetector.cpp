// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/FaceDetector.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::FaceDetector", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

FaceDetector::FaceDetector() = default;
FaceDetector::~FaceDetector() = default;

QString FaceDetector::defaultCascadeName()
{
    // Chosen by measurement (tests/bench/facecheck): on scikit-image's LFW subset it finds as many
    // faces as frontalface_default (98 of 100) and flags none of 300 demo skin images (default: 9).
    return u"haarcascade_frontalface_alt.xml"_s;
}

QStringList FaceDetector::candidatePaths()
{
    const QString name = defaultCascadeName();
    return { u"/usr/share/opencv4/haarcascades/"_s + name, u"/usr/local/share/opencv4/haarcascades/"_s + name,
        u"/usr/share/opencv/haarcascades/"_s + name, u"/usr/local/share/opencv/haarcascades/"_s + name };
}

QString FaceDetector::findCascade()
{
    const QString fromEnvironment = qEnvironmentVariable("DERMLABEL_FACE_CASCADE");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QStringList candidates = candidatePaths();
    for (const QString &path : candidates) {
        if (QFileInfo(path).isFile())
            return path;
    }
    return {};
}

bool FaceDetector::load(const QString &cascadePath, QString *error)
{
    m_classifier.reset();
    m_path.clear();
    const QString path = cascadePath.isEmpty() ? findCascade() : cascadePath;
    if (path.isEmpty()) {
        setError(error,
            tr("The face detection cascade %1 was not found (looked in %2). Install the "
               "Debian package opencv-data or set DERMLABEL_FACE_CASCADE.")
                .arg(defaultCascadeName(), candidatePaths().join(u", "_s)));
        return false;
    }
    if (!QFileInfo(path).isFile()) {
        setError(error, tr("The face detection cascade %1 does not exist.").arg(path));
        return false;
    }
    auto classifier = std::make_unique<cv::CascadeClassifier>();
    bool loaded = false;
    try {
        loaded = classifier->load(QFile::encodeName(path).toStdString()) && !classifier->empty();
    } catch (const cv::Exception &) {
        loaded = false;
    }
    if (!loaded) {
        setError(error, tr("%1 is not a readable OpenCV cascade file.").arg(path));
        return false;
    }
    m_classifier = std::move(classifier);
    m_path = path;
    return true;
}

bool FaceDetector::isLoaded() const
{
    return m_classifier != nullptr;
}

QList<QRect> FaceDetector::detect(const QImage &image, QString *error)
{
    if (image.isNull()) {
        setError(error, tr("Cannot look for faces in a null image."));
        return {};
    }
    const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    const cv::Mat view(grey.height(), grey.width(), CV_8UC1, const_cast<uchar *>(grey.constBits()),
        size_t(grey.bytesPerLine()));
    return detect(view, error);
}

QList<QRect> FaceDetector::detect(const cv::Mat &image, QString *error)
{
    if (!m_classifier) {
        setError(error, tr("No face detection cascade is loaded."));
        return {};
    }
    if (image.empty() || image.depth() != CV_8U
        || (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)) {
        setError(error, tr("Face detection needs a non-empty 8-bit image with 1, 3 or 4 channels."));
        return {};
    }
    const int longer = std::max(image.cols, image.rows);
    const double scale
        = longer > m_options.workingSize ? double(m_options.workingSize) / double(longer) : 1.0;
    cv::Mat grey;
    if (image.channels() == 3)
        cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    else if (image.channels() == 4)
        cv::cvtColor(image, grey, cv::COLOR_BGRA2GRAY);
    else
        grey = image;
    cv::Mat working;
    if (scale < 1.0)
        cv::resize(grey, working, cv::Size(), scale, scale, cv::INTER_AREA);
    else
        working = grey;
    // No histogram equalisation: the cascade normalises every window by its own contrast already,
    // and equalising a photo of skin turns its fine texture into strong edges that carry most
    // windows deep into the cascade (ten times the work, and more false faces on texture).

    std::vector<cv::Rect> found;
    try {
        m_classifier->detectMultiScale(working, found, m_options.scaleFactor, m_options.minNeighbors, 0,
            cv::Size(m_options.minFacePixels, m_options.minFacePixels));
    } catch (const cv::Exception &e) {
        setError(error, tr("Face detection failed: %1").arg(QString::fromLocal8Bit(e.what())));
        return {};
    }
    QList<QRect> faces;
    const QRect bounds(0, 0, image.cols, image.rows);
    for (const cv::Rect &r : found) {
        const int x1 = int(std::floor(r.x / scale));
        const int y1 = int(std::floor(r.y / scale));
        const int x2 = int(std::ceil((r.x + r.width) / scale));
        const int y2 = int(std::ceil((r.y + r.height) / scale));
        const QRect mapped = QRect(x1, y1, x2 - x1, y2 - y1) & bounds;
        if (!mapped.isEmpty())
            faces.append(mapped);
    }
    std::sort(faces.begin(), faces.end(),
        [](const QRect &a, const QRect &b) { return a.y() != b.y() ? a.y() < b.y() : a.x() < b.x(); });
    return faces;
}

} // namespace dl
