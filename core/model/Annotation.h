// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace dl {

/// One entry of a ranked differential: a taxonomy id and a confidence 1-5.
struct Diagnosis
{
    QString conditionId;
    int confidence = 3;
    friend bool operator==(const Diagnosis &, const Diagnosis &) = default;
};

/// One rater's labels for one image. Optional fields are unanswered until set.
struct Annotation
{
    static constexpr int MaxDiagnoses = 3;

    qint64 id = -1;
    qint64 imageId = -1;
    qint64 userId = -1;
    std::optional<bool> gradable;
    QString ungradableReason;        ///< an id of LabelVocabulary::ungradableReasons()
    QString visibleCondition;        ///< yes, no, unsure
    std::optional<bool> sensitive;
    QStringList identifying;         ///< ids of LabelVocabulary::identifyingKinds()
    bool cannotDetermine = false;
    QList<Diagnosis> diagnoses;      ///< ranked, at most MaxDiagnoses
    QString fitzpatrick;             ///< "1".."6" or "not_gradable"
    QString monk;                    ///< "1".."10" or "not_gradable"
    QString note;
    QString createdAt;
    QString updatedAt;
    /// The stored row's version (1 when first saved, one more with each save); 0 when the labels
    /// are not based on a stored row. A save must carry the version it was based on.
    int version = 0;

    /// The labels alone (not ids or times) are equal.
    bool sameLabels(const Annotation &other) const;
};

/// What became of a save of a versioned row.
enum class SaveResult {
    Saved,
    /// Refused: the row changed since the copy the save was based on (another window or workstation
    /// saved first). Nothing was written.
    Conflict,
    Failed,
};

} // namespace dl
