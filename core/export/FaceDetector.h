// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QList>
#include <QRect>
#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <memory>

namespace cv {
class CascadeClassifier;
}

namespace dl {

// Flags possible faces with OpenCV's frontal-face Haar cascade (frontalface_alt, chosen by
// measurement: tests/bench/facecheck), for suitability review (a flag to look at, not a verdict).
//
// The cascade file is the one given to load(), else $DERMLABEL_FACE_CASCADE, else the first of
// candidatePaths() that exists (Debian's opencv-data installs it under
// /usr/share/opencv4/haarcascades/). Detection runs on a grey copy scaled so its longer side is at
// most workingSize pixels (10 to 60 ms an image on one core); the rectangles are mapped back to the
// full-size image, sorted top to bottom, left to right.
//
// Each instance owns its classifier; use one instance per thread (detect() is not const).
class FaceDetector
{
public:
    struct Options
    {
        // Longer side of the copy the cascade runs on. The smallest face found is minFacePixels /
        // workingSize of the image's longer side (4.7 %: 190 pixels in a 4000 x 3000 photo).
        int workingSize = 512;
        double scaleFactor = 1.1;
        int minNeighbors = 5; // higher = fewer false positives on skin texture
        int minFacePixels = 24; // smallest face in the working copy (the cascade's window)
    };

    FaceDetector();
    ~FaceDetector();
    FaceDetector(const FaceDetector &) = delete;
    FaceDetector &operator=(const FaceDetector &) = delete;

    static QString defaultCascadeName(); // "haarcascade_frontalface_alt.xml"
    static QStringList candidatePaths();
    // The cascade that load() without a path would use; empty when none is found.
    static QString findCascade();

    // Loads the cascade (cascadePath empty: findCascade()). False and *error when the file is
    // missing or not a cascade.
    bool load(const QString &cascadePath, QString *error);
    bool isLoaded() const;
    QString cascadePath() const { return m_path; }

    void setOptions(const Options &options) { m_options = options; }
    Options options() const { return m_options; }

    // Faces in full-size image coordinates. Empty and *error when no cascade is loaded or the image
    // is null.
    QList<QRect> detect(const QImage &image, QString *error = nullptr);
    // An 8-bit image with 1, 3 (BGR) or 4 (BGRA) channels.
    QList<QRect> detect(const cv::Mat &image, QString *error = nullptr);

private:
    std::unique_ptr<cv::CascadeClassifier> m_classifier;
    QString m_path;
    Options m_options;
};

} // namespace dl
