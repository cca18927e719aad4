// SPDX-License-Identifier: GPL-3.0-or-later
#include "text/CsvReader.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <cstring>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

/// Offset of the first byte that does not start a valid UTF-8 sequence (overlong forms, surrogates and
/// code points above U+10FFFF are invalid), or -1 if all of \a data is valid.
qsizetype firstInvalidUtf8(const uchar *s, qsizetype n)
{
    qsizetype i = 0;
    while (i < n) {
        // ASCII fast path, eight bytes at a time.
        while (i + 8 <= n) {
            quint64 word;
            std::memcpy(&word, s + i, sizeof word);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        const uchar c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int length;
        char32_t cp;
        char32_t minimum;
        if ((c & 0xE0) == 0xC0) {
            length = 2;
            cp = c & 0x1F;
            minimum = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3;
            cp = c & 0x0F;
            minimum = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4;
            cp = c & 0x07;
            minimum = 0x10000;
        } else {
            return i;
        }
        if (n - i < length)
            return i;
        for (int k = 1; k < length; ++k) {
            const uchar cc = s[i + k];
            if ((cc & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += length;
    }
    return -1;
}

/// 1-based physical line of \a offset, counting LF, CRLF and lone CR as line breaks.
qsizetype lineOfOffset(const char *s, qsizetype offset)
{
    qsizetype line = 1;
    for (qsizetype i = 0; i < offset; ++i) {
        if (s[i] == '\n')
            ++line;
        else if (s[i] == '\r' && !(i + 1 < offset && s[i + 1] == '\n'))
            ++line;
    }
    return line;
}

inline QString decode(const char *begin, qsizetype size)
{
    return size == 0 ? QString() : QString::fromUtf8(begin, size);
}

/// The bytes that end an unquoted field: the delimiter and line breaks (a table: one load a byte).
struct FieldEnds
{
    bool at[256] = {};
    constexpr FieldEnds()
    {
        at[uchar(',')] = at[uchar('\n')] = at[uchar('\r')] = true;
    }
};
constexpr FieldEnds fieldEnds;

inline const char *fieldEnd(const char *p, const char *end)
{
    while (p < end && !fieldEnds.at[uchar(*p)])
        ++p;
    return p;
}

/// Only spaces and tabs (a blank line).
inline bool isBlankBytes(QByteArrayView s)
{
    for (const char c : s) {
        if (c != ' ' && c != '\t')
            return false;
    }
    return true;
}

} // namespace

qsizetype CsvTable::columnIndex(QStringView name) const
{
    for (qsizetype i = 0; i < header.size(); ++i) {
        if (header.at(i) == name)
            return i;
    }
    return -1;
}

QString CsvTable::value(qsizetype row, QStringView column) const
{
    const qsizetype c = columnIndex(column);
    if (c < 0 || row < 0 || row >= rows.size())
        return QString();
    return rows.at(row).value(c);
}

CsvRecordReader::CsvRecordReader(QByteArrayView data)
    : m_begin(data.data())
    , m_p(data.data())
    , m_end(data.data() + data.size())
{ }

bool CsvRecordReader::fail(const QString &message)
{
    m_error = message;
    m_p = m_end;
    return false;
}

bool CsvRecordReader::isInData(qsizetype column) const
{
    const char *data = m_fields[size_t(column)].data();
    return data >= m_begin && data < m_end;
}

bool CsvRecordReader::readHeader()
{
    if (m_end - m_p >= 3 && uchar(m_p[0]) == 0xEF && uchar(m_p[1]) == 0xBB && uchar(m_p[2]) == 0xBF)
        m_p += 3;
    if (m_p == m_end)
        return fail(tr("the file is empty"));

    const qsizetype bad = firstInvalidUtf8(reinterpret_cast<const uchar *>(m_p), m_end - m_p);
    if (bad >= 0) {
        return fail(tr("line %1: invalid UTF-8 (byte 0x%2); save the file as UTF-8")
                        .arg(lineOfOffset(m_p, bad))
                        .arg(uint(uchar(m_p[bad])), 2, 16, QLatin1Char('0')));
    }

    bool quoted = false;
    while (readRecord(&quoted)) {
        if (!quoted && qsizetype(m_fields.size()) == 1 && isBlankBytes(m_fields.front()))
            continue; // blank line
        m_haveHeader = true;
        QSet<QString> seen;
        for (qsizetype i = 0; i < qsizetype(m_fields.size()); ++i) {
            QString name = decode(m_fields[size_t(i)].data(), m_fields[size_t(i)].size()).trimmed();
            if (i == 0 && name.startsWith(QChar(0xFEFF)))
                name = name.mid(1).trimmed();
            if (seen.contains(name)) {
                return fail(name.isEmpty()
                        ? tr("line %1: the header has more than one empty column name").arg(m_recordLine)
                        : tr("line %1: duplicate column name \"%2\" in the header").arg(m_recordLine).arg(name));
            }
            seen.insert(name);
            m_header.append(name);
        }
        return true;
    }
    if (m_error.isEmpty())
        m_error = tr("no header row (the file holds only blank lines)");
    return false;
}

bool CsvRecordReader::next()
{
    bool quoted = false;
    while (readRecord(&quoted)) {
        if (!quoted && qsizetype(m_fields.size()) == 1 && isBlankBytes(m_fields.front()))
            continue; // blank line
        const qsizetype columns = m_header.size();
        if (qsizetype(m_fields.size()) > columns) {
            return fail(
                tr("line %1: %2 fields, header has %3").arg(m_recordLine).arg(qsizetype(m_fields.size())).arg(columns));
        }
        m_cells += columns;
        if (m_cells > CsvReader::MaxCells) {
            return fail(tr("line %1: more than %2 million fields in all (rows x columns); split the file")
                            .arg(m_recordLine)
                            .arg(CsvReader::MaxCells / 1'000'000));
        }
        while (qsizetype(m_fields.size()) < columns)
            m_fields.push_back(QByteArrayView());
        return true;
    }
    return false;
}

bool CsvRecordReader::readRecord(bool *quoted)
{
    if (m_p >= m_end)
        return false;
    const char *p = m_p;
    const char *const end = m_end;
    m_recordLine = m_line;
    const char *recordStart = p;
    m_fields.clear();
    *quoted = false;

    const auto fieldTooLong = [&](qsizetype bytes, qsizetype fieldLine) {
        if (bytes <= CsvReader::MaxFieldBytes)
            return false;
        fail(tr("line %1: a field of more than %2 MB; fields are limited to %2 MB")
                 .arg(fieldLine)
                 .arg(CsvReader::MaxFieldBytes >> 20));
        return true;
    };
    // One record: fields up to a line break outside quotes or the end of the data.
    for (;;) {
        const qsizetype column = qsizetype(m_fields.size());
        if (p < end && *p == '"') {
            *quoted = true;
            const qsizetype fieldLine = m_line;
            ++p;
            const char *segment = p;
            bool useScratch = false;
            if (m_scratch.size() <= column)
                m_scratch.resize(column + 1);
            QByteArray &scratch = m_scratch[column];
            scratch.clear();
            for (;;) {
                if (p == end)
                    return fail(tr("line %1: a quoted field is not closed (missing '\"')").arg(fieldLine));
                const char c = *p;
                if (c == '"') {
                    if (p + 1 < end && p[1] == '"') { // doubled quote: keep one
                        scratch.append(segment, p + 1 - segment);
                        useScratch = true;
                        p += 2;
                        segment = p;
                        continue;
                    }
                    break; // closing quote
                }
                if (c == '\r') {
                    ++m_line;
                    if (p + 1 < end && p[1] == '\n') { // CRLF inside quotes becomes LF
                        scratch.append(segment, p - segment);
                        scratch.append('\n');
                        useScratch = true;
                        p += 2;
                        segment = p;
                        continue;
                    }
                } else if (c == '\n') {
                    ++m_line;
                }
                ++p;
            }
            const char *segmentEnd = p;
            if (fieldTooLong(segmentEnd - segment + scratch.size(), fieldLine))
                return false;
            ++p; // past the closing quote
            // Be lenient: text between the closing quote and the delimiter is kept literally.
            const char *trailing = p;
            p = fieldEnd(p, end);
            if (p != trailing || useScratch) {
                scratch.append(segment, segmentEnd - segment);
                scratch.append(trailing, p - trailing);
                m_fields.push_back(QByteArrayView(scratch));
            } else {
                m_fields.push_back(QByteArrayView(segment, segmentEnd - segment));
            }
        } else {
            const char *start = p;
            p = fieldEnd(p, end);
            if (fieldTooLong(p - start, m_recordLine))
                return false;
            m_fields.push_back(QByteArrayView(start, p - start));
        }
        if (qsizetype(m_fields.size()) > CsvReader::MaxColumns) {
            return fail(m_haveHeader ? tr("line %1: more than %2 fields, header has %3")
                                           .arg(m_recordLine)
                                           .arg(CsvReader::MaxColumns)
                                           .arg(m_header.size())
                                     : tr("line %1: the header has more than %2 columns; at most %2 are "
                                          "supported")
                                           .arg(m_recordLine)
                                           .arg(CsvReader::MaxColumns));
        }
        if (p - recordStart > CsvReader::MaxRecordBytes) {
            return fail(tr("line %1: a row of more than %2 MB; rows are limited to %2 MB")
                            .arg(m_recordLine)
                            .arg(CsvReader::MaxRecordBytes >> 20));
        }

        if (p == end)
            break;
        if (*p == ',') {
            ++p;
            continue;
        }
        // Line break: LF, CRLF or lone CR.
        if (*p == '\r' && p + 1 < end && p[1] == '\n')
            ++p;
        ++p;
        ++m_line;
        break;
    }
    m_p = p;
    return true;
}

std::optional<CsvTable> CsvReader::parse(QByteArrayView data, QString *error)
{
    CsvRecordReader reader(data);
    if (!reader.readHeader()) {
        setError(error, reader.error());
        return std::nullopt;
    }
    CsvTable table;
    table.header = reader.header();
    const qsizetype columns = table.header.size();

    // Columns often repeat the previous row's value (categories, flags, release names): share that
    // QString instead of allocating a copy. Holds the last raw bytes and decoded value per column.
    QList<QByteArrayView> lastBytes(columns);
    QStringList lastValues(columns);
    while (reader.next()) {
        QStringList fields;
        fields.reserve(columns);
        for (qsizetype column = 0; column < columns; ++column) {
            const QByteArrayView bytes = reader.field(column);
            if (bytes.isEmpty()) {
                fields.append(QString());
            } else if (!reader.isInData(column)) {
                fields.append(decode(bytes.data(), bytes.size()));
            } else if (lastBytes.at(column) == bytes) {
                fields.append(lastValues.at(column));
            } else {
                QString value = decode(bytes.data(), bytes.size());
                lastBytes[column] = bytes;
                lastValues[column] = value;
                fields.append(std::move(value));
            }
        }
        table.rows.append(std::move(fields));
        table.rowLines.append(reader.line());
    }
    if (!reader.error().isEmpty()) {
        setError(error, reader.error());
        return std::nullopt;
    }
    return table;
}

std::optional<QByteArray> CsvReader::readBytes(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.exists()) {
        setError(error, tr("%1: file not found").arg(path));
        return std::nullopt;
    }
    if (QFileInfo(path).isDir()) {
        setError(error, tr("%1: is a folder, not a CSV file").arg(path));
        return std::nullopt;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, tr("%1: cannot open: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        setError(error, tr("%1: cannot read: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    return data;
}

std::optional<CsvTable> CsvReader::readFile(const QString &path, QString *error)
{
    const std::optional<QByteArray> data = readBytes(path, error);
    if (!data)
        return std::nullopt;
    QString parseError;
    std::optional<CsvTable> table = parse(*data, &parseError);
    if (!table)
        setError(error, u"%1: %2"_s.arg(path, parseError));
    return table;
}

bool CsvReader::requireColumns(
    const CsvTable &table, const QStringList &columns, const QString &fileLabel, QString *error)
{
    QStringList missing;
    for (const QString &column : columns) {
        if (table.columnIndex(column) < 0 && !missing.contains(column))
            missing.append(column);
    }
    if (missing.isEmpty())
        return true;
    setError(error, tr("%1: missing required column(s): %2").arg(fileLabel, missing.join(u", "_s)));
    return false;
}

} // namespace dl
