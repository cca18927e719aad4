// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "taxonomy/Taxonomy.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <optional>

namespace dl {

/// The taxonomy CSV format: UTF-8, a header row, then one condition per row.
///
///     id,name,synonyms,parent
///     fungal_infection,Fungal infection,Fungal|Mycosis,
///     tinea,Tinea,Ringworm|Dermatophytosis,fungal_infection
///
/// `id` and `name` are required columns; `synonyms` (separated by '|') and `parent` (another row's id,
/// empty for a root group) are optional; columns may come in any order, and other columns are ignored
/// with a warning. Fields are trimmed and inner runs of white space collapsed; empty synonyms are
/// skipped. Parents may be defined further down the file.
///
/// This class only reads and writes rows; Taxonomy checks the rules (ids, parents, cycles, ...).
class TaxonomyCsv
{
    Q_DECLARE_TR_FUNCTIONS(dl::TaxonomyCsv)

public:
    static constexpr QChar SynonymSeparator = u'|';

    /// The conditions of a file and the 1-based line each one starts on.
    struct Rows
    {
        QList<Condition> conditions;
        QList<qsizetype> lines;
    };

    /// Reads the rows of \a csv. Fails (std::nullopt, *error set, every message starting with
    /// "<fileLabel>: ") on malformed CSV, a missing `id` or `name` column, or a file without rows.
    /// Ignored columns are reported in *warnings when given.
    static std::optional<Rows> read(
        QByteArrayView csv, const QString &fileLabel, QString *error, QStringList *warnings = nullptr);

    /// The CSV text of \a conditions: the header `id,name,synonyms,parent`, then one row each, UTF-8
    /// with LF line ends.
    static QByteArray write(const QList<Condition> &conditions);

    /// Writes write(\a conditions) to \a path atomically. Returns false and sets *error on failure.
    static bool writeFile(const QString &path, const QList<Condition> &conditions, QString *error);

    /// Splits a synonyms field on '|', trimming each part and dropping empty ones.
    static QStringList splitSynonyms(QStringView field);
};

} // namespace dl
