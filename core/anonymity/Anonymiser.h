// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "anonymity/Hierarchy.h"
#include "anonymity/QuasiIdentifiers.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace dl {

struct AnonymityOptions
{
    static constexpr int DefaultK = 5;
    static constexpr int DefaultL = 2;
    static constexpr double DefaultSuppressionLimit = 0.05;

    int k = DefaultK; ///< people per class (values and condition); 1 turns the gate off
    int l = DefaultL; ///< distinct conditions per demographic group; 1 turns l-diversity off
    double suppressionLimit = DefaultSuppressionLimit; ///< share of people that may be held back
    QStringList columns = QuasiIdentifiers::defaults(); ///< the demographic quasi-identifiers
    bool generaliseCondition = false;  ///< allow the condition to become its taxonomy group
    QHash<QString, int> maxLevel;      ///< column -> the highest level it may be generalised to
    QHash<QString, QString> hierarchyFiles; ///< column -> a CSV replacing the shipped hierarchy
};

/// One person (a case; an image without a case is a person of its own) offered for release.
struct PersonRecord
{
    QString person;
    /// Demographic column -> the person's values: a set (body sites; or values that disagree
    /// between the person's images). Empty or blank: "unknown".
    QHash<QString, QStringList> values;
    /// The consensus conditions of the person's images; blank entries (no settled condition) are
    /// ignored. None at all: "unknown", which does not count towards l.
    QStringList conditions;
};

enum class Suppression {
    None,
    KAnonymity, ///< fewer than k people share the person's values and condition
    LDiversity, ///< the person's demographic group holds fewer than l distinct conditions
};

/// One quasi-identifier's place in the lattice and its chosen level.
struct ColumnChoice
{
    QString column;
    int level = 0;
    int height = 0;    ///< of its hierarchy
    int maxLevel = 0;  ///< what the search may use (pinned or the height)
    QString levelName; ///< of the chosen level
};

/// The outcome of one node of the lattice (one level per column).
struct NodeOutcome
{
    QList<int> levels;
    int suppressed = 0;      ///< people held back
    int suppressedByK = 0;
    int suppressedByL = 0;
    int classes = 0;          ///< classes (values and condition) that are released
    int classesBelowK = 0;
    int peopleMissing = 0;    ///< sum over classes below k of (k - size): people needed to keep them
    int groupsBelowL = 0;     ///< demographic groups (among those left) with fewer than l conditions
    double heightLoss = 0;    ///< mean of level / height over the columns that can be generalised
    double suppressedShare = 0;
    double loss = 0;          ///< Anonymiser::lossWeight
    bool withinLimit = false;
};

struct AnonymityResult
{
    Q_DECLARE_TR_FUNCTIONS(dl::AnonymityResult)

public:
    bool ok = false;
    QString error;
    AnonymityOptions options;
    QList<ColumnChoice> columns; ///< the demographic quasi-identifiers in options order, then the condition
    NodeOutcome chosen;
    int people = 0;
    int allowedSuppressed = 0; ///< floor(limit x people)
    int nodes = 0;             ///< lattice nodes searched
    int nodesWithinLimit = 0;
    QHash<QString, Suppression> suppressed; ///< person -> why
    /// Released people: demographic column -> the value written (sets joined with "; ").
    QHash<QString, QHash<QString, QString>> released;
    /// One sentence per column that is generalised: what blocks its next finer level.
    QStringList blocking;
    QList<Hierarchy> hierarchies; ///< parallel to columns

    int levelOf(const QString &column) const;
    /// A value of `column` (a demographic column or the condition) at the chosen level: an
    /// uncovered value gives the hierarchy's top level when generalised, else itself.
    QString generalise(const QString &column, const QString &value) const;
    /// For release_report.json.
    QJsonObject toJson() const;
};

/// Generalise-then-suppress, the way statistical disclosure control tools (ARX, sdcMicro) work:
/// the search visits every node of the lattice of generalisation levels (the product of the
/// hierarchies' heights, pinned levels capped) and keeps the one that
///   - holds every released class (people sharing the generalised demographic values and the
///     condition set) at k people or more and every demographic group at l distinct conditions or
///     more, by holding back the people in classes below k, then every group below l;
///   - holds back at most suppressionLimit of the people;
///   - loses the least information: loss = 0.5 x H + 0.5 x S, where H is the mean over the
///     columns that have a hierarchy of (chosen level / hierarchy height) (ARX's normalised
///     generalisation height) and S is the share of people held back.
/// Ties go to the smaller sum of levels, then to the smaller levels in column order, so an export
/// is reproducible. When no node keeps within the limit, the node that holds back the fewest
/// people is taken (k and l still hold; the report says the limit was not met).
///
/// A person's value of a column is a set; each member is generalised, then the set. Values that
/// disagree between a person's images are therefore all kept (the union), which can only make
/// the person's class smaller and so errs on the side of privacy; the same holds for the
/// condition, whose set is the union of the person's settled conditions.
class Anonymiser
{
    Q_DECLARE_TR_FUNCTIONS(dl::Anonymiser)

public:
    static constexpr double lossWeight = 0.5; ///< of the suppressed share; 1 - lossWeight of H

    /// The hierarchies of options.columns then the condition (the admin's files where given).
    static std::optional<QList<Hierarchy>> hierarchies(const AnonymityOptions &options, QString *error);
    /// Searches the lattice. Not ok (error names the value and the column) when a hierarchy does
    /// not cover a value, or a hierarchy cannot be read.
    static AnonymityResult run(const QList<PersonRecord> &people, const AnonymityOptions &options);
};

} // namespace dl
