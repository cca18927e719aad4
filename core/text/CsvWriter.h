// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

namespace dl {

/// Writes RFC 4180 CSV: fields are quoted only when they must be, records end with "\n",
/// files are UTF-8 without a byte order mark. The output reads back unchanged through CsvReader.
class CsvWriter
{
    Q_DECLARE_TR_FUNCTIONS(dl::CsvWriter)

public:
    /// Quotes a field (doubling any '"') when it contains a comma, a quote, CR or LF, or starts or
    /// ends with a space or tab; otherwise returns it unchanged.
    static QString escapeField(const QString &field);

    /// One record: the escaped fields joined with ',' and terminated with "\n". A record made of one
    /// empty field is written as `""` so that it does not read back as a (skipped) blank line.
    static QString formatRow(const QStringList &fields);

    /// Writes the header (if not empty) and the rows as UTF-8 with LF line ends to \a path, atomically
    /// (QSaveFile: the old file stays intact on failure). A row with more fields than a non-empty header
    /// is refused, as CsvReader would refuse it. Returns false and sets *error (if given) on failure.
    static bool writeFile(
        const QString &path, const QStringList &header, const QList<QStringList> &rows, QString *error);
};

} // namespace dl
