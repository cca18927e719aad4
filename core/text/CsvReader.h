// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <optional>
#include <vector>

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

    /// The bytes of the file at \a path, or std::nullopt and *error (starting with the path) when it is
    /// missing, a folder or unreadable: the checks of readFile(), for readers that stream the records.
    static std::optional<QByteArray> readBytes(const QString &path, QString *error);

    /// True if every one of \a columns exists in \a table; otherwise false and *error names all missing
    /// columns, e.g. "label.csv: missing required column(s): subject_id, fitzpatrick".
    static bool requireColumns(
        const CsvTable &table, const QStringList &columns, const QString &fileLabel, QString *error);
};

/// The records of CSV data one at a time, as byte views, under exactly the rules and limits of
/// CsvReader (which is built on it): for readers of large files that intern the fields themselves
/// instead of keeping a QString per cell.
///
/// readHeader() reads the first non-blank record as the header; each next() then reads one row of
/// exactly header().size() fields (short rows padded with empty fields). A field's bytes are valid
/// UTF-8 and stay valid until the next call of next(); fields that needed unescaping (doubled quotes,
/// CRLF inside quotes, text after a closing quote) live in a buffer of the reader, the others point
/// into the data, which must outlive the reader.
class CsvRecordReader
{
    Q_DECLARE_TR_FUNCTIONS(dl::CsvReader)

public:
    explicit CsvRecordReader(QByteArrayView data);

    /// Validates the data (empty, UTF-8) and reads the header. False and error() on failure.
    bool readHeader();
    const QStringList &header() const { return m_header; }

    /// The next row; false at the end of the data or on an error (then error() is not empty).
    bool next();
    QByteArrayView field(qsizetype column) const { return m_fields[size_t(column)]; }
    /// True when the current row's field points into the data given to the constructor (then it
    /// stays valid as long as the data).
    bool isInData(qsizetype column) const;
    /// 1-based physical line where the current record starts.
    qsizetype line() const { return m_recordLine; }
    QString error() const { return m_error; }

private:
    /// One raw record into m_fields; false at the end of the data or on an error.
    bool readRecord(bool *quoted);
    bool fail(const QString &message);

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    qsizetype m_line = 1;
    qsizetype m_recordLine = 0;
    qsizetype m_cells = 0;
    bool m_haveHeader = false;
    QStringList m_header;
    std::vector<QByteArrayView> m_fields;
    QList<QByteArray> m_scratch; ///< per column, for fields that needed unescaping
    QString m_error;
};

} // namespace dl
