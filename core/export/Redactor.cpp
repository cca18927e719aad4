// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/Redactor.h"

#include <QCoreApplication>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Redactor", text);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

int Redactor::blurCell(QSize imageSize, QSize regionSize)
{
    const int imageLonger = std::max(imageSize.width(), imageSize.height());
    const int regionLonger = std::max(regionSize.width(), regionSize.height());
    return std::max({ 8, imageLonger / 40, (regionLonger + 7) / 8 });
}

bool Redactor::redactInPlace(cv::Mat &image, const cv::Mat &region, const Options &options, QString *error)
{
    if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)) {
        setError(error, tr("Redaction needs an 8-bit image with 1, 3 or 4 channels."));
        return false;
    }
    if (region.type() != CV_8UC1 || region.size() != image.size()) {
        setError(error,
            tr("The redaction region is %1 x %2 (type %3) but the image is %4 x %5.")
                .arg(region.cols)
                .arg(region.rows)
                .arg(region.type())
                .arg(image.cols)
                .arg(image.rows));
        return false;
    }
    cv::Rect box = cv::boundingRect(region);
    if (box.empty())
        return true;
    const int grow = std::max(0, options.dilatePixels);
    // Work on the region's box (grown by the dilation) only.
    box = cv::Rect(box.x - grow, box.y - grow, box.width + 2 * grow, box.height + 2 * grow)
        & cv::Rect(0, 0, image.cols, image.rows);
    cv::Mat mask;
    if (grow > 0) {
        const cv::Mat kernel
            = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * grow + 1, 2 * grow + 1));
        cv::dilate(region(box), mask, kernel, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    } else {
        mask = region(box).clone();
    }
    cv::Mat target = image(box);

    if (options.mode == Mode::Fill) {
        const QColor c = options.fillColor.isValid() ? options.fillColor : QColor(128, 128, 128);
        cv::Scalar value;
        switch (image.channels()) {
        case 1:
            value = cv::Scalar(qGray(c.rgb()));
            break;
        case 3:
            value = cv::Scalar(c.blue(), c.green(), c.red());
            break;
        default:
            value = cv::Scalar(c.blue(), c.green(), c.red(), 255);
        }
        target.setTo(value, mask);
        return true;
    }

    // Blur: average the neighbourhood in cells, then smooth back up to full size. The source is
    // the box grown by a few cells so the region's edge averages real surroundings too.
    const int cell = blurCell(QSize(image.cols, image.rows), QSize(box.width, box.height));
    const cv::Rect area
        = cv::Rect(box.x - 2 * cell, box.y - 2 * cell, box.width + 4 * cell, box.height + 4 * cell)
        & cv::Rect(0, 0, image.cols, image.rows);
    const cv::Size small(
        std::max(1, (area.width + cell - 1) / cell), std::max(1, (area.height + cell - 1) / cell));
    cv::Mat reduced, blurred;
    cv::resize(image(area), reduced, small, 0, 0, cv::INTER_AREA);
    cv::GaussianBlur(reduced, reduced, cv::Size(3, 3), 0, 0, cv::BORDER_REPLICATE);
    cv::resize(reduced, blurred, area.size(), 0, 0, cv::INTER_LINEAR);
    const cv::Rect inArea(box.x - area.x, box.y - area.y, box.width, box.height);
    blurred(inArea).copyTo(target, mask);
    return true;
}

QImage Redactor::redact(const QImage &image, const cv::Mat &region, const Options &options, QString *error)
{
    if (image.isNull()) {
        setError(error, tr("Cannot redact a null image."));
        return {};
    }
    QImage out
        = image.convertToFormat(image.hasAlphaChannel() ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    cv::Mat view(out.height(), out.width(), CV_8UC4, out.bits(), size_t(out.bytesPerLine()));
    if (!redactInPlace(view, region, options, error))
        return {};
    return out;
}

} // namespace dl
