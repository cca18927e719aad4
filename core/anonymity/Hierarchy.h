// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace dl {

class Taxonomy;

/// A generalisation hierarchy of one quasi-identifier: for each value it covers, what the value
/// becomes at each level (level 0 is the value itself, the highest level the most general).
///
/// Read from CSV (RFC 4180): a header row, then one row per value:
///
///     value,20-year bands,life stage,any
///     AGE_18_TO_29,AGE_18_TO_39,ADULT,ANY_AGE
///
/// The header names the levels (the first column, the value itself, is level 0). Every row has a
/// value in every column; a value appears once (compared without regard to case); and a value of
/// one level generalises to one value only at the next (a hierarchy, not a relation). A value the
/// hierarchy does not list is not covered: the release gate refuses it, naming it and the column.
/// An empty value in the store is the value "unknown", which the shipped hierarchies list.
class Hierarchy
{
    Q_DECLARE_TR_FUNCTIONS(dl::Hierarchy)

public:
    /// A hierarchy of height 0: every value is covered and never generalised.
    static Hierarchy flat(const QString &column);
    /// Parses the CSV form; nullopt and *error (naming `origin` and the line) when malformed.
    static std::optional<Hierarchy> parse(QByteArrayView csv, const QString &column, const QString &origin,
                                          QString *error);
    /// Reads the CSV form from a file or a Qt resource.
    static std::optional<Hierarchy> load(const QString &path, const QString &column, QString *error);
    /// The condition along the taxonomy's groups: level 1 is the condition's root group.
    static Hierarchy ofTaxonomy(const Taxonomy &taxonomy, const QString &column);

    /// The name of level 0: "as recorded".
    static QString asRecorded();

    QString column() const { return m_column; }
    /// Number of generalisation steps: levels run from 0 to height().
    int height() const { return int(m_levelNames.size()) - 1; }
    /// "as recorded" for level 0, then the header's names.
    QString levelName(int level) const { return m_levelNames.value(level); }
    bool covers(const QString &value) const;
    /// The value at `level` (clamped to 0..height()); nullopt when the value is not covered.
    std::optional<QString> generalise(const QString &value, int level) const;

private:
    QString m_column;
    QStringList m_levelNames;
    bool m_coversAll = false;
    QHash<QString, QStringList> m_rows; ///< case-folded value -> its values at levels 1..height
};

} // namespace dl
