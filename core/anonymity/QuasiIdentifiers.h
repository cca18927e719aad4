// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace dl {

/// The quasi-identifiers the release gate knows: the demographic columns of a case (each with a
/// shipped hierarchy, ":/anonymity/<id>.csv") and the consensus condition.
///
///     age_group           age group (the dataset's bands)
///     sex_at_birth        sex at birth
///     skin_type           self-reported Fitzpatrick skin type
///     body_site           body sites (a set: each site is generalised, then the set)
///     country             country
///     condition_duration  condition duration (not a quasi-identifier unless chosen)
///     condition           the consensus condition (never generalised unless allowed)
class QuasiIdentifiers
{
    Q_DECLARE_TR_FUNCTIONS(dl::QuasiIdentifiers)

public:
    /// Every demographic column, in the order reports list them.
    static const QStringList &demographic();
    /// The default demographic quasi-identifiers: all but condition_duration.
    static QStringList defaults();
    static QString condition() { return QStringLiteral("condition"); }
    static bool isDemographic(const QString &id) { return demographic().contains(id); }
    /// For people: "age group", "sex at birth", ...
    static QString title(const QString &id);
    /// ":/anonymity/<id>.csv"; empty for the condition (its hierarchy is the taxonomy).
    static QString shippedHierarchy(const QString &id);
};

} // namespace dl
