// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <exception>
#include <utility>

namespace dl {

/// A sentence for an exception that escaped core work: out of memory (std::bad_alloc), an OpenCV
/// error (cv::Exception, e.g. an allocation OpenCV refused), any other std::exception, or anything
/// else thrown.
QString failureMessage(const std::exception_ptr &failure);

/// Runs work() and returns its result; if it throws, returns onFailure(failureMessage(...)) instead.
/// The one place where the command line (around each command) and the workstation (around the core
/// work it runs on other threads) turn what core can throw into a message.
template<typename Work, typename OnFailure>
auto guarded(Work &&work, OnFailure &&onFailure) -> decltype(std::forward<Work>(work)())
{
    try {
        return std::forward<Work>(work)();
    } catch (...) {
        return std::forward<OnFailure>(onFailure)(failureMessage(std::current_exception()));
    }
}

} // namespace dl
