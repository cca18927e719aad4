// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QPair>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

namespace dl {

/// The truth behind one synthetic demo case: what was rendered and where the images went.
struct DemoCase
{
    QString caseId;
    QString condition; ///< one of SyntheticSkin::demoConditions()
    int fitzpatrick = 3; ///< 1..6
    int monk = 4; ///< 1..10
    QStringList imagePaths; ///< 1..3 paths relative to the dataset root
    QStringList shotTypes; ///< CLOSE_UP / AT_AN_ANGLE / AT_DISTANCE, parallel to imagePaths
};

/// The SCIN-style CSV rows of the demo dataset: plausible self-reported case data and dermatologist
/// labels (mostly the true condition first, sometimes a differential, occasional disagreement, a few
/// not gradable) drawn from the truth of each case with a seeded generator.
class DemoMetadata
{
public:
    /// One dermatologist's differential: (condition, confidence 1..5) in the order given.
    using Differential = QList<QPair<QString, int>>;

    static QStringList caseColumns();
    static QStringList labelColumns();

    /// A scin_cases.csv row (in caseColumns() order).
    static QStringList caseRow(const DemoCase &demoCase, QRandomGenerator &random);
    /// A scin_labels.csv row (in labelColumns() order).
    static QStringList labelRow(const DemoCase &demoCase, QRandomGenerator &random);

    /// The SCIN weighted skin-condition label as a Python dict literal. Within each dermatologist the
    /// conditions are ranked by confidence, highest first (ties keep the order given, a stable sort) and
    /// weighted 1, 1/2, 1/3, ...; weights are summed per name over dermatologists (names are used as they
    /// are: the demo has no aggregate-name mapping), normalised to sum to 1 and rounded to 2 decimals.
    /// Entries are ordered by weight, highest first, ties by name. No conditions gives "{}".
    static QString weightedLabel(const QList<Differential> &dermatologists);

    /// Python repr() of a str: single quotes unless the text has a single quote and no double quote.
    static QString pythonString(const QString &text);
    /// Python repr() of a list of str, e.g. ['Eczema', 'Psoriasis'].
    static QString pythonList(const QStringList &items);
    /// Python repr() of a list of int, e.g. [4, 3, 5].
    static QString pythonList(const QList<int> &items);
    /// Python repr() of a float rounded to 2 decimals: 0.5, 0.69, 1.0.
    static QString pythonFloat(double value);
};

} // namespace dl
