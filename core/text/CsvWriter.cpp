// SPDX-License-Identifier: GPL-3.0-or-later
#include "text/CsvWriter.h"

#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

bool needsQuoting(const QString &field)
{
    if (field.isEmpty())
        return false;
    const auto isBlank = [](QChar c) { return c == u' ' || c == u'\t'; };
    if (isBlank(field.front()) || isBlank(field.back()))
        return true;
    for (const QChar c : field) {
        if (c == u',' || c == u'"' || c == u'\r' || c == u'\n')
            return true;
    }
    return false;
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

QString CsvWriter::escapeField(const QString &field)
{
    if (!needsQuoting(field))
        return field;
    QString quoted;
    quoted.reserve(field.size() + 2);
    quoted += u'"';
    for (const QChar c : field) {
        if (c == u'"')
            quoted += u'"';
        quoted += c;
    }
    quoted += u'"';
    return quoted;
}

QString CsvWriter::formatRow(const QStringList &fields)
{
    if (fields.size() == 1 && fields.front().isEmpty())
        return u"\"\"\n"_s;
    QString line;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            line += u',';
        line += escapeField(fields.at(i));
    }
    line += u'\n';
    return line;
}

bool CsvWriter::writeFile(
    const QString &path, const QStringList &header, const QList<QStringList> &rows, QString *error)
{
    if (!header.isEmpty()) {
        for (qsizetype i = 0; i < rows.size(); ++i) {
            if (rows.at(i).size() > header.size()) {
                setError(error,
                    tr("%1: row %2 has %3 fields, header has %4")
                        .arg(path, QString::number(i + 1), QString::number(rows.at(i).size()),
                            QString::number(header.size())));
                return false;
            }
        }
    }

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        setError(error, tr("%1: cannot open for writing: %2").arg(path, file.errorString()));
        return false;
    }

    // Write in chunks so a large table never needs one huge buffer.
    QByteArray chunk;
    constexpr qsizetype chunkLimit = 1 << 20;
    bool ok = true;
    const auto flush = [&]() {
        if (!chunk.isEmpty() && file.write(chunk) != chunk.size())
            ok = false;
        chunk.clear();
    };
    if (!header.isEmpty())
        chunk += formatRow(header).toUtf8();
    for (const QStringList &row : rows) {
        chunk += formatRow(row).toUtf8();
        if (chunk.size() >= chunkLimit) {
            flush();
            if (!ok)
                break;
        }
    }
    if (ok)
        flush();

    if (!ok) {
        setError(error, tr("%1: write failed: %2").arg(path, file.errorString()));
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        setError(error, tr("%1: cannot save: %2").arg(path, file.errorString()));
        return false;
    }
    return true;
}

} // namespace dl
