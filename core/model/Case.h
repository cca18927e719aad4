// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace dl {

/// A label that came with a dataset. rater is empty for case-level labels.
struct ReferenceLabel
{
    QString rater;
    QString field;
    QString value;
};

/// Case metadata, typed where the meaning is known.
struct CaseMetadata
{
    QString ageGroup;
    std::optional<int> ageYears;
    QString sex;            ///< female, male, other or empty
    QString skinTypeSelf;   ///< self-reported Fitzpatrick, as written by the source
    QStringList bodySites;
    QStringList symptoms;
    QString duration;
    QString country;
    QString licenceTag;
    QString split;
};

/// One stored case: its pseudonymous id, where it came from and its metadata.
struct CaseRecord
{
    qint64 id = -1;
    QString publicId;     ///< case-..., shown and exported
    qint64 sourceId = -1;
    QString sourceCaseId; ///< the dataset's own case id
    CaseMetadata metadata;
};

} // namespace dl
