// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/Guarded.h"

#include <QCoreApplication>

#include <opencv2/core.hpp>

#include <new>

namespace dl {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Guarded", text);
}

} // namespace

QString failureMessage(const std::exception_ptr &failure)
{
    try {
        std::rethrow_exception(failure);
    } catch (const std::bad_alloc &) {
        return tr("There is not enough memory for this operation; nothing more was done.");
    } catch (const cv::Exception &e) {
        if (e.code == cv::Error::StsNoMem)
            return tr("There is not enough memory for this operation; nothing more was done.");
        return tr("The image processing library reported an error; nothing more was done: %1")
            .arg(QString::fromStdString(e.err));
    } catch (const std::exception &e) {
        return tr("An unexpected error stopped this operation; nothing more was done: %1")
            .arg(QString::fromLocal8Bit(e.what()));
    } catch (...) {
        return tr("An unexpected error stopped this operation; nothing more was done.");
    }
}

} // namespace dl
