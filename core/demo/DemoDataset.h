// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QSize>
#include <QString>
#include <QStringList>
#include <functional>

namespace dl {

struct DemoOptions
{
    int images = 48; ///< total number of images (>= 0)
    quint32 seed = 20261125; ///< equal options give identical files
    QSize size { 1600, 1200 }; ///< every image has exactly this size
    int jpegQuality = 90; ///< 1..100
};

/// A folder of clearly synthetic skin images in the SCIN layout, so that the workstation can be tried
/// (and tested) without patient data. The folder is meant to be imported with the SCIN importer.
class DemoDataset
{
    Q_DECLARE_TR_FUNCTIONS(dl::DemoDataset)

public:
    /// Writes dir/scin_cases.csv, dir/scin_labels.csv and dir/dataset/images/<id>.jpg (the CSVs name the
    /// images relative to dir, e.g. "dataset/images/-4520190633453337146.jpg"). Images are grouped into
    /// cases of 1..3 shots of the same skin and lesion (CLOSE_UP: a crop around the lesion; AT_AN_ANGLE: a
    /// rotated, foreshortened view; AT_DISTANCE: the whole scene), about images/2 cases in all.
    /// Creates dir if needed. progress(done, total) is called with 0 first and after each image; if it
    /// returns false the images written so far are removed, no CSV is written, *error becomes
    /// "cancelled" and the result is false. Other failures also return false with a message in *error.
    static bool writeScinLayout(const QString &dir, const DemoOptions &options, QString *error,
        const std::function<bool(int done, int total)> &progress = {});

    static QStringList caseColumns(); ///< the scin_cases.csv header written
    static QStringList labelColumns(); ///< the scin_labels.csv header written
};

} // namespace dl
