// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace dl {

/// What the labelling screen does with the zoom when the next image opens.
enum class ZoomOnImageChange { Fit, Keep, ActualSize };

/// The workstation's preferences, stored in QSettings (window layout and the last store are kept
/// there too, by MainWindow).
struct Preferences
{
    static constexpr int DefaultPrefetchDepth = 2;
    static constexpr int MaxPrefetchDepth = 8;
    /// The bound of the local cache of a team store's images, in MiB.
    static constexpr int DefaultImageCacheMegabytes = 2048;
    static constexpr int MinImageCacheMegabytes = 256;
    static constexpr int MaxImageCacheMegabytes = 1024 * 1024;

    ZoomOnImageChange zoomOnImageChange = ZoomOnImageChange::Fit;
    /// "en" or the code of a translation (Translations::available()); applies on restart.
    QString language = QStringLiteral("en");
    /// How many images ahead are decoded in the background (0 to MaxPrefetchDepth).
    int prefetchDepth = DefaultPrefetchDepth;
    /// How much disk the image files of team stores may take on this workstation (MiB); the
    /// least recently used files are removed beyond it.
    int imageCacheMegabytes = DefaultImageCacheMegabytes;

    /// Reads QSettings(); unknown or out-of-range values fall back to the defaults.
    static Preferences load();
    void save() const;

    friend bool operator==(const Preferences &, const Preferences &) = default;
};

} // namespace dl
