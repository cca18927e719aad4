// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Case.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace dl {

/// A file that an import could not use, with the reason (`key`, for reports
/// and scripts) and a sentence for people.
struct FileIssue
{
    QString path;
    QString key;
    QString message;
};

/// One image file an import will read. relativePath is kept, relative to the
/// source root, as the admin-only record of where the image came from.
struct PlannedImage
{
    QString relativePath;
    QString absolutePath;
    int position = 0;
    QString shotType;
};

struct PlannedCase
{
    QString sourceCaseId;
    CaseMetadata metadata;
    QList<QPair<QString, QString>> attributes; ///< every source column, as read
    QList<PlannedImage> images;
    QList<ReferenceLabel> labels;
};

/// What a dataset reader found: the cases and images to import, plus what it
/// could not find. Readers only read; ImportService writes.
struct ImportPlan
{
    QString kind;           ///< folder, scin or passion
    QString name;           ///< shown to admins, e.g. the folder name
    QString rootPath;       ///< canonical absolute path of the dataset folder
    QString licence;
    QString attribution;
    QList<PlannedCase> cases;
    QList<PlannedImage> looseImages;   ///< images that belong to no case (folder import)
    QList<FileIssue> missing;          ///< referenced files that do not exist
    QList<FileIssue> rejected;         ///< files refused before reading (unsupported type, outside root)
    QStringList warnings;
    QStringList unknownSplitSubjects;  ///< PASSION: subjects in the split file but not in label.csv
    qint64 ignoredFiles = 0;           ///< non-image files skipped by a folder scan
};

} // namespace dl
