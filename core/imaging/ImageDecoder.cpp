// SPDX-License-Identifier: GPL-3.0-or-later
#include "imaging/ImageDecoder.h"

#include "imaging/JpegValidator.h"
#include "imaging/PngValidator.h"

#include <QBuffer>
#include <QColorSpace>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QImageReader>
#include <QStringList>
#include <QTransform>
#include <atomic>
#include <cstdio>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

// Keeping decoder messages off stderr without thread-unsafe global switches:
// Qt's JPEG plugin reports libjpeg's messages, and its PNG plugin libpng's warnings, through
// Qt's message handler. The first decode installs (once, thread-safely) a handler that forwards
// everything to the handler that was installed before it, except messages emitted by a thread
// while that thread is inside a QuietDecoderMessages scope; those are kept per thread and end up
// in Result::warnings (and in the error text). If the application installs its own handler
// later, decoder messages simply reach that one again; the validators do not depend on them.
// libpng *errors* bypass Qt (printed by libpng itself): PngValidator keeps damaged chunks away
// from libpng. libtiff messages bypass Qt too: see quietLibTiff().
struct QuietState
{
    int depth = 0;
    QStringList messages;
};
thread_local QuietState t_quiet;
std::atomic<QtMessageHandler> g_previousHandler { nullptr };

void quietMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (t_quiet.depth > 0 && type != QtFatalMsg) {
        if (t_quiet.messages.size() < 16)
            t_quiet.messages.append(message);
        return;
    }
    if (QtMessageHandler previous = g_previousHandler.load(std::memory_order_acquire)) {
        previous(type, context, message);
    } else {
        const QString line = qFormatLogMessage(type, context, message);
        std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
    }
}

class QuietDecoderMessages
{
public:
    QuietDecoderMessages()
    {
        static const bool installed = [] {
            g_previousHandler.store(qInstallMessageHandler(quietMessageHandler), std::memory_order_release);
            return true;
        }();
        Q_UNUSED(installed);
        if (t_quiet.depth++ == 0)
            t_quiet.messages.clear();
    }
    ~QuietDecoderMessages() { --t_quiet.depth; }
    Q_DISABLE_COPY_MOVE(QuietDecoderMessages)

    QString last() const { return t_quiet.messages.isEmpty() ? QString() : t_quiet.messages.constLast(); }
    QStringList messages() const { return t_quiet.messages; }
};

// libtiff reports errors through a process-wide handler that Qt's TIFF plugin leaves at
// libtiff's default (print to stderr). OpenCV installs its own silent handler the first time it
// creates a TIFF decoder (a thread-safe one-time initialisation inside OpenCV); we let it do that
// once, before our first TIFF decode, instead of linking libtiff ourselves.
void quietLibTiff()
{
    static const bool done = [] {
        static const char tiny[] = "II*\0\x08\0\0\0";
        const cv::Mat buffer(1, 8, CV_8U, const_cast<char *>(tiny));
        try {
            (void)cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
        } catch (const cv::Exception &) { }
        return true;
    }();
    Q_UNUSED(done);
}

ImageDecoder::Result failed(ImageDecoder::Result result, RejectReason reason, const QString &message)
{
    result.image = QImage();
    result.reject = reason;
    result.message = message;
    return result;
}

// Decoder failures are corrupt data unless the decoder says the data ran out.
RejectReason classifyDecoderMessage(const QString &message)
{
    static const char *const truncatedHints[]
        = { "premature end", "end of file", "unexpected end", "not enough data", "truncated", "read error" };
    for (const char *hint : truncatedHints) {
        if (message.contains(QLatin1StringView(hint), Qt::CaseInsensitive))
            return RejectReason::Truncated;
    }
    return RejectReason::Corrupt;
}

QImage normalized(QImage image)
{
    const QImage::Format wanted = image.hasAlphaChannel() ? QImage::Format_ARGB32 : QImage::Format_RGB32;
    if (image.format() != wanted)
        image.convertTo(wanted);
    return image;
}

// Area-averaged downscale (OpenCV INTER_AREA on the QImage's own memory).
QImage scaledDown(const QImage &source, QSize target)
{
    if (source.size() == target || target.isEmpty())
        return source;
    const bool alpha = source.hasAlphaChannel();
    QImage in = source.convertToFormat(alpha ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
    QImage out(target, in.format());
    if (out.isNull())
        return QImage();
    out.setColorSpace(source.colorSpace());
    const cv::Mat src(
        in.height(), in.width(), CV_8UC4, const_cast<uchar *>(in.constBits()), size_t(in.bytesPerLine()));
    cv::Mat dst(out.height(), out.width(), CV_8UC4, out.bits(), size_t(out.bytesPerLine()));
    const bool shrinking = target.width() <= in.width() && target.height() <= in.height();
    cv::resize(src, dst, dst.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return alpha ? out.convertToFormat(QImage::Format_ARGB32) : out;
}

// OpenCV decode to an RGB32/ARGB32 QImage (no orientation applied). Used when Qt cannot.
QImage decodeWithOpenCv(QByteArrayView data, const ImageHeader &header, QSize storedTarget, QString *message)
{
    if (data.size() > std::numeric_limits<int>::max()) {
        *message = u"data too large for OpenCV"_s;
        return QImage();
    }
    const cv::Mat buffer(1, int(data.size()), CV_8U, const_cast<char *>(data.data()));
    cv::Mat mat;
    try {
        if (header.format == ImageFormat::Jpeg && storedTarget.isValid()) {
            int reduction = 1;
            for (int n : { 8, 4, 2 }) {
                if ((header.width + n - 1) / n >= storedTarget.width()
                    && (header.height + n - 1) / n >= storedTarget.height()) {
                    reduction = n;
                    break;
                }
            }
            const int mode = reduction == 8 ? cv::IMREAD_REDUCED_COLOR_8
                : reduction == 4            ? cv::IMREAD_REDUCED_COLOR_4
                : reduction == 2            ? cv::IMREAD_REDUCED_COLOR_2
                                            : cv::IMREAD_COLOR;
            mat = cv::imdecode(buffer, mode | cv::IMREAD_IGNORE_ORIENTATION);
        } else {
            mat = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
        }
        if (mat.empty()) {
            *message = u"OpenCV could not decode the data"_s;
            return QImage();
        }
        if (mat.depth() == CV_16U)
            mat.convertTo(mat, CV_8U, 1.0 / 257.0);
        else if (mat.depth() == CV_32F || mat.depth() == CV_64F)
            mat.convertTo(mat, CV_8U, 255.0);
        else if (mat.depth() != CV_8U)
            mat.convertTo(mat, CV_8U);
        cv::Mat bgra;
        bool alpha = false;
        switch (mat.channels()) {
        case 1:
            cv::cvtColor(mat, bgra, cv::COLOR_GRAY2BGRA);
            break;
        case 2: {
            std::vector<cv::Mat> planes;
            cv::split(mat, planes);
            cv::merge(std::vector<cv::Mat> { planes[0], planes[0], planes[0], planes[1] }, bgra);
            alpha = true;
            break;
        }
        case 3:
            cv::cvtColor(mat, bgra, cv::COLOR_BGR2BGRA);
            break;
        case 4:
            bgra = mat;
            alpha = true;
            break;
        default:
            *message = u"unexpected channel count"_s;
            return QImage();
        }
        // Share the Mat's memory for the view, then copy: the Mat dies with this scope.
        const QImage view(bgra.data, bgra.cols, bgra.rows, int(bgra.step),
            alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32);
        return view.copy();
    } catch (const cv::Exception &e) {
        *message = QString::fromStdString(e.msg);
        return QImage();
    }
}

} // namespace

QSize ImageDecoder::fitSize(QSize size, QSize box)
{
    if (size.isEmpty())
        return QSize();
    if (box.isEmpty() || (size.width() <= box.width() && size.height() <= box.height()))
        return size;
    const qint64 w = size.width(), h = size.height();
    const qint64 bw = box.width(), bh = box.height();
    if (w * bh >= h * bw) {
        const qint64 nh = std::clamp<qint64>((h * bw + w / 2) / w, 1, bh);
        return QSize(int(bw), int(nh));
    }
    const qint64 nw = std::clamp<qint64>((w * bh + h / 2) / h, 1, bw);
    return QSize(int(nw), int(bh));
}

QImage ImageDecoder::applyOrientation(const QImage &image, int orientation)
{
    switch (orientation) {
    case 2:
        return image.mirrored(true, false);
    case 3:
        return image.mirrored(true, true);
    case 4:
        return image.mirrored(false, true);
    case 5:
        return image.mirrored(true, false).transformed(QTransform().rotate(270));
    case 6:
        return image.transformed(QTransform().rotate(90));
    case 7:
        return image.mirrored(true, false).transformed(QTransform().rotate(90));
    case 8:
        return image.transformed(QTransform().rotate(270));
    default:
        return image;
    }
}

ImageDecoder::Result ImageDecoder::decodeDetailed(QByteArrayView data, QSize maxSize, qint64 pixelLimit)
{
    Result result;
    result.header = ImageProbe::probe(data, pixelLimit);
    const ImageHeader &header = result.header;
    if (!header.ok())
        return failed(result, header.reject, header.message);

    if (header.format == ImageFormat::Jpeg) {
        const JpegValidator::Result check = JpegValidator::validate(data);
        if (!check.ok())
            return failed(result, check.reject, check.message);
    } else if (header.format == ImageFormat::Png) {
        const PngValidator::Result check = PngValidator::validate(data);
        if (!check.ok())
            return failed(result, check.reject, check.message);
    } else if (header.format == ImageFormat::Tiff) {
        quietLibTiff();
    }

    // Target size in stored orientation; invalid means full size.
    QSize storedTarget;
    if (maxSize.isValid() && !maxSize.isEmpty()) {
        const QSize oriented = fitSize(header.orientedSize(), maxSize);
        storedTarget = header.swapsAxes() ? oriented.transposed() : oriented;
        if (storedTarget == header.size())
            storedTarget = QSize();
    }
    const bool reducedJpeg = header.format == ImageFormat::Jpeg && storedTarget.isValid();

    // Qt refuses images above its (process-wide) allocation limit; leave those to OpenCV
    // rather than changing the limit for everybody.
    const int bytesPerPixel
        = (header.format == ImageFormat::Png || header.format == ImageFormat::Tiff) ? 8 : 4;
    const qint64 decodedBytes = reducedJpeg ? qint64(storedTarget.width()) * storedTarget.height() * 4 * 4
                                            : header.pixelCount() * bytesPerPixel;
    const int limitMb = QImageReader::allocationLimit();
    bool useQt = limitMb <= 0 || decodedBytes <= qint64(limitMb) * 1024 * 1024;

    QImage image;
    QString decoderMessage;
    if (useQt) {
        QuietDecoderMessages quiet;
        QByteArray raw = QByteArray::fromRawData(data.data(), data.size());
        QBuffer buffer(&raw);
        buffer.open(QIODevice::ReadOnly);
        QImageReader reader(&buffer, formatName(header.format).toLatin1());
        reader.setAutoTransform(false);
        if (reducedJpeg)
            reader.setScaledSize(storedTarget); // libjpeg DCT scaling, then a smooth finish
        image = reader.read();
        result.warnings = quiet.messages();
        if (image.isNull()) {
            if (reader.error() == QImageReader::UnsupportedFormatError) {
                useQt = false; // plugin missing: try OpenCV below
            } else {
                decoderMessage = quiet.last();
                if (decoderMessage.isEmpty())
                    decoderMessage = reader.errorString();
            }
        }
    }
    if (!useQt)
        image = decodeWithOpenCv(data, header, storedTarget, &decoderMessage);

    if (image.isNull()) {
        return failed(result, classifyDecoderMessage(decoderMessage),
            QCoreApplication::translate("dl::ImageDecoder", "The %1 decoder could not read the image: %2")
                .arg(formatName(header.format).toUpper(), decoderMessage));
    }
    // Second line of defence behind JpegValidator: libjpeg's own complaints (it decodes on and
    // fills with grey). A few stray bytes before a marker are tolerated, as by the validator.
    if (header.format == ImageFormat::Jpeg) {
        for (const QString &warning : std::as_const(result.warnings)) {
            if (warning.contains(u"Premature end of JPEG file"_s))
                return failed(result, RejectReason::Truncated, warning);
            if (warning.contains(u"Corrupt JPEG data"_s) && !warning.contains(u"extraneous bytes"_s))
                return failed(result, RejectReason::Corrupt, warning);
        }
    }
    const QSize expected = reducedJpeg && useQt ? storedTarget : header.size();
    if (image.size() != expected && !(reducedJpeg && !useQt)) {
        return failed(result, RejectReason::Corrupt,
            QCoreApplication::translate(
                "dl::ImageDecoder", "The decoded image (%1 x %2) does not match its header (%3 x %4)")
                .arg(image.width())
                .arg(image.height())
                .arg(expected.width())
                .arg(expected.height()));
    }
    if (storedTarget.isValid() && image.size() != storedTarget)
        image = scaledDown(image, storedTarget);
    image = normalized(std::move(image));
    image = applyOrientation(image, header.orientation);
    if (image.isNull()) {
        return failed(result, RejectReason::Unreadable,
            QCoreApplication::translate("dl::ImageDecoder", "Not enough memory for the decoded image"));
    }
    result.image = std::move(image);
    return result;
}

QImage ImageDecoder::decode(QByteArrayView data, QString *error, qint64 pixelLimit)
{
    Result result = decodeDetailed(data, QSize(), pixelLimit);
    if (!result.ok() && error)
        *error = result.message;
    return result.image;
}

QImage ImageDecoder::decodeScaled(QByteArrayView data, QSize maxSize, QString *error)
{
    Result result = decodeDetailed(data, maxSize, ImageProbe::DefaultPixelLimit);
    if (!result.ok() && error)
        *error = result.message;
    return result.image;
}

QByteArray ImageDecoder::readFile(const QString &path, QString *error, bool *ok)
{
    *ok = false;
    const QString shown = QDir::toNativeSeparators(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error) {
            *error = QCoreApplication::translate("dl::ImageDecoder", "Cannot open image file \"%1\": %2")
                         .arg(shown, file.errorString());
        }
        return QByteArray();
    }
    QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        if (error) {
            *error = QCoreApplication::translate("dl::ImageDecoder", "Cannot read image file \"%1\": %2")
                         .arg(shown, file.errorString());
        }
        return QByteArray();
    }
    *ok = true;
    return bytes;
}

QImage ImageDecoder::decodeFileBytes(QByteArrayView bytes, const QString &path, QString *error)
{
    QString reason;
    QImage image = decode(bytes, &reason);
    if (image.isNull() && error) {
        *error = QCoreApplication::translate("dl::ImageDecoder", "Cannot decode image file \"%1\": %2")
                     .arg(QDir::toNativeSeparators(path), reason);
    }
    return image;
}

QImage ImageDecoder::decodeFile(const QString &path, QString *error)
{
    bool ok = false;
    const QByteArray bytes = readFile(path, error, &ok);
    if (!ok)
        return QImage();
    return decodeFileBytes(bytes, path, error);
}

QImage ImageDecoder::scaledTo(const QImage &image, QSize size)
{
    // Whole halvings first (OpenCV's fast 2x2 average), then the exact size from at most twice it:
    // the same area average, a fraction of the time on a 12 MP photo.
    QImage source = image;
    while (source.width() / 2 >= size.width() && source.height() / 2 >= size.height()
           && source.width() / 2 > 0 && source.height() / 2 > 0 && !source.hasAlphaChannel()) {
        source = scaledDown(source, QSize(source.width() / 2, source.height() / 2));
        if (source.isNull())
            return source;
    }
    return scaledDown(source, size);
}

} // namespace dl
