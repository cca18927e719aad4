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

inline bool isBlankText(const QString &s)
{
    for (const QChar c : s) {
        if (c != u' ' && c != u'\t')
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

std::optional<CsvTable> CsvReader::parse(QByteArrayView data, QString *error)
{
    const char *p = data.data();
    const char *end = p + data.size();
    if (data.size() >= 3 && uchar(p[0]) == 0xEF && uchar(p[1]) == 0xBB && uchar(p[2]) == 0xBF)
        p += 3;
    if (p == end) {
        setError(error, tr("the file is empty"));
        return std::nullopt;
    }

    const qsizetype bad = firstInvalidUtf8(reinterpret_cast<const uchar *>(p), end - p);
    if (bad >= 0) {
        setError(error,
            tr("line %1: invalid UTF-8 (byte 0x%2); save the file as UTF-8")
                .arg(lineOfOffset(p, bad))
                .arg(uint(uchar(p[bad])), 2, 16, QLatin1Char('0')));
        return std::nullopt;
    }

    CsvTable table;
    bool haveHeader = false;
    qsizetype line = 1;
    QByteArray scratch;
    QStringList fields;

    // Columns often repeat the previous row's value (categories, flags, release names): share that
    // QString instead of allocating a copy. Holds the last raw bytes and decoded value per column.
    QList<QByteArrayView> lastBytes;
    QStringList lastValues;
    const auto take = [&](const char *begin, qsizetype size) -> QString {
        if (size == 0)
            return QString();
        const qsizetype column = fields.size();
        if (column >= lastBytes.size())
            return decode(begin, size);
        const QByteArrayView bytes(begin, size);
        if (lastBytes.at(column) == bytes)
            return lastValues.at(column);
        QString value = decode(begin, size);
        lastBytes[column] = bytes;
        lastValues[column] = value;
        return value;
    };

    qsizetype cells = 0;
    const auto fieldTooLong = [&](qsizetype bytes, qsizetype fieldLine) {
        if (bytes <= MaxFieldBytes)
            return false;
        setError(error,
            tr("line %1: a field of more than %2 MB; fields are limited to %2 MB")
                .arg(fieldLine)
                .arg(MaxFieldBytes >> 20));
        return true;
    };
    while (p < end) {
        const qsizetype recordLine = line;
        const char *recordStart = p;
        fields.clear();
        if (haveHeader)
            fields.reserve(table.header.size());
        bool anyQuoted = false;

        // One record: fields up to a line break outside quotes or the end of the data.
        for (;;) {
            if (p < end && *p == '"') {
                anyQuoted = true;
                const qsizetype fieldLine = line;
                ++p;
                const char *segment = p;
                bool useScratch = false;
                scratch.clear();
                for (;;) {
                    if (p == end) {
                        setError(
                            error, tr("line %1: a quoted field is not closed (missing '\"')").arg(fieldLine));
                        return std::nullopt;
                    }
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
                        ++line;
                        if (p + 1 < end && p[1] == '\n') { // CRLF inside quotes becomes LF
                            scratch.append(segment, p - segment);
                            scratch.append('\n');
                            useScratch = true;
                            p += 2;
                            segment = p;
                            continue;
                        }
                    } else if (c == '\n') {
                        ++line;
                    }
                    ++p;
                }
                const char *segmentEnd = p;
                if (fieldTooLong(segmentEnd - segment + scratch.size(), fieldLine))
                    return std::nullopt;
                ++p; // past the closing quote
                // Be lenient: text between the closing quote and the delimiter is kept literally.
                const char *trailing = p;
                while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                    ++p;
                if (p != trailing || useScratch) {
                    scratch.append(segment, segmentEnd - segment);
                    scratch.append(trailing, p - trailing);
                    fields.append(decode(scratch.constData(), scratch.size()));
                } else {
                    fields.append(take(segment, segmentEnd - segment));
                }
            } else {
                const char *start = p;
                while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                    ++p;
                if (fieldTooLong(p - start, recordLine))
                    return std::nullopt;
                fields.append(take(start, p - start));
            }
            if (fields.size() > MaxColumns) {
                setError(error,
                    haveHeader ? tr("line %1: more than %2 fields, header has %3")
                                     .arg(recordLine)
                                     .arg(MaxColumns)
                                     .arg(table.header.size())
                               : tr("line %1: the header has more than %2 columns; at most %2 are "
                                    "supported")
                                     .arg(recordLine)
                                     .arg(MaxColumns));
                return std::nullopt;
            }
            if (p - recordStart > MaxRecordBytes) {
                setError(error,
                    tr("line %1: a row of more than %2 MB; rows are limited to %2 MB")
                        .arg(recordLine)
                        .arg(MaxRecordBytes >> 20));
                return std::nullopt;
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
            ++line;
            break;
        }

        if (!anyQuoted && fields.size() == 1 && isBlankText(fields.front()))
            continue; // blank line

        if (!haveHeader) {
            haveHeader = true;
            QSet<QString> seen;
            for (qsizetype i = 0; i < fields.size(); ++i) {
                QString name = fields.at(i).trimmed();
                if (i == 0 && name.startsWith(QChar(0xFEFF)))
                    name = name.mid(1).trimmed();
                if (seen.contains(name)) {
                    setError(error,
                        name.isEmpty()
                            ? tr("line %1: the header has more than one empty column name").arg(recordLine)
                            : tr("line %1: duplicate column name \"%2\" in the header")
                                  .arg(recordLine)
                                  .arg(name));
                    return std::nullopt;
                }
                seen.insert(name);
                table.header.append(name);
            }
            lastBytes.resize(table.header.size());
            lastValues.resize(table.header.size());
            continue;
        }

        const qsizetype columns = table.header.size();
        if (fields.size() > columns) {
            setError(error,
                tr("line %1: %2 fields, header has %3").arg(recordLine).arg(fields.size()).arg(columns));
            return std::nullopt;
        }
        cells += columns;
        if (cells > MaxCells) {
            setError(error,
                tr("line %1: more than %2 million fields in all (rows x columns); split the file")
                    .arg(recordLine)
                    .arg(MaxCells / 1'000'000));
            return std::nullopt;
        }
        while (fields.size() < columns)
            fields.append(QString());
        table.rows.append(std::move(fields));
        table.rowLines.append(recordLine);
        fields = QStringList();
    }

    if (!haveHeader) {
        setError(error, tr("no header row (the file holds only blank lines)"));
        return std::nullopt;
    }
    return table;
}

std::optional<CsvTable> CsvReader::readFile(const QString &path, QString *error)
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
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        setError(error, tr("%1: cannot read: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    QString parseError;
    std::optional<CsvTable> table = parse(data, &parseError);
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
