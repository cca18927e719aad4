// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/ImportPlan.h"

#include <QJsonObject>

namespace dl {

/// The outcome of one import, as the CLI prints it (--json) and the app shows it.
struct ImportReport
{
    QString kind;
    qint64 sourceId = -1;
    qint64 runId = -1;
    qint64 imported = 0;          ///< new images added to the store
    qint64 duplicates = 0;        ///< files whose content was already in the store
    qint64 alreadyImported = 0;   ///< files this source had imported before, unchanged
    qint64 cases = 0;             ///< new cases
    qint64 casesExisting = 0;      ///< cases already in the store (metadata refreshed)
    qint64 referenceLabels = 0;   ///< new reference labels
    qint64 ignoredFiles = 0;
    qint64 faceFlags = 0;         ///< new images the face check flagged for suitability review
    QList<FileIssue> rejected;
    QList<FileIssue> missing;
    QStringList warnings;
    QStringList unknownSplitSubjects;
    bool cancelled = false;
    bool resumed = false;         ///< an interrupted import of this source was continued
    double seconds = 0;
    QString error;                ///< set when nothing could be done

    bool failed() const { return !error.isEmpty(); }
    /// 0 all done; 1 done but something rejected, missing or cancelled; 2 nothing could be done.
    int exitCode() const;
    QJsonObject toJson() const;
    /// A few lines for people.
    QString summary() const;
};

} // namespace dl
