// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <optional>

namespace dl {

/// A parsed CSV file: a header and rows of exactly header.size() fields each.
struct CsvTable
{
    QStringList header; ///< column names, trimmed of surrounding whitespace, BOM removed
    QList<QStringList> rows; ///< every row has exactly header.size() fields
    QList<qsizetype> rowLines; ///< 1-based physical line where each row starts (for messages)

    /// Index of the column named exactly \a name, or -1 if there is none.
    qsizetype columnIndex(QStringView name) const;
    /// The field of \a row in \a column; empty if the column or the row does not exist.
    QString value(qsizetype row, QStringView column) const;
};

/// An RFC 4180 CSV reader for UTF-8 input (with or without a byte order mark).
///
/// Records end with LF, CRLF or a lone CR. Quoted fields may hold commas, doubled quotes and line breaks
/// (a CRLF inside quotes becomes LF). A quote inside an unquoted field is kept literally, and text after
/// a closing quote is appended to the field. Blank lines are skipped, short rows are padded with empty
/// fields; a row longer than the header, an unterminated quote, invalid UTF-8, a missing header or a
/// duplicate column name is an error naming the line.
///
/// Hostile input is refused before it is stored: at most MaxColumns columns, MaxFieldBytes per field,
/// MaxRecordBytes per record and MaxCells fields in all (rows are padded to the header's width, so a
/// wide header would otherwise multiply every short row).
class CsvReader
{
    Q_DECLARE_TR_FUNCTIONS(dl::CsvReader)

public:
    static constexpr qsizetype MaxColumns = 1024;
    static constexpr qsizetype MaxFieldBytes = qsizetype(1) << 20; // 1 MiB
    static constexpr qsizetype MaxRecordBytes = qsizetype(4) << 20; // 4 MiB
    static constexpr qsizetype MaxCells = 16'000'000;

    /// Parses \a data. Returns std::nullopt and sets *error (if given) to a human message on failure.
    static std::optional<CsvTable> parse(QByteArrayView data, QString *error);

    /// Reads and parses the file at \a path; every error message starts with the path.
    static std::optional<CsvTable> readFile(const QString &path, QString *error);

    /// True if every one of \a columns exists in \a table; otherwise false and *error names all missing
    /// columns, e.g. "label.csv: missing required column(s): subject_id, fitzpatrick".
    static bool requireColumns(
        const CsvTable &table, const QStringList &columns, const QString &fileLabel, QString *error);
};

} // namespace dl
