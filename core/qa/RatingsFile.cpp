// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/RatingsFile.h"

#include "text/CsvReader.h"
#include "text/CsvWriter.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

std::optional<QList<RatingTable>> RatingsFile::read(
    const QString &path, QString *error, const QHash<QString, MeasureLevel> &levels)
{
    const std::optional<CsvTable> csv = CsvReader::readFile(path, error);
    if (!csv)
        return std::nullopt;
    return fromCsv(*csv, path, error, levels);
}

std::optional<QList<RatingTable>> RatingsFile::fromCsv(
    const CsvTable &csv, const QString &label, QString *error, const QHash<QString, MeasureLevel> &levels)
{
    const QStringList expected { u"item"_s, u"rater"_s, u"field"_s, u"value"_s };
    if (csv.header != expected) {
        if (error) {
            *error = tr("%1: the header must be exactly \"item,rater,field,value\", not \"%2\".")
                         .arg(label, csv.header.join(u','));
        }
        return std::nullopt;
    }
    QList<RatingTable> tables;
    QHash<QString, qsizetype> tableOf;
    for (qsizetype row = 0; row < csv.rows.size(); ++row) {
        const QStringList &fields = csv.rows.at(row);
        const qsizetype line = row < csv.rowLines.size() ? csv.rowLines.at(row) : row + 2;
        const QString &item = fields.at(0);
        const QString &rater = fields.at(1);
        const QString &field = fields.at(2);
        const QString &value = fields.at(3);
        if (value.isEmpty())
            continue;
        if (item.isEmpty() || rater.isEmpty() || field.isEmpty()) {
            if (error)
                *error = tr("%1, line %2: the item, rater and field must not be empty.").arg(label).arg(line);
            return std::nullopt;
        }
        auto it = tableOf.find(field);
        if (it == tableOf.end()) {
            it = tableOf.insert(field, tables.size());
            tables.append(RatingTable(field, levels.value(field, MeasureLevel::Nominal)));
        }
        if (!tables[*it].add(item, rater, value)) {
            if (error) {
                *error = tr("%1, line %2: rater \"%3\" already rated item \"%4\" for field \"%5\".")
                             .arg(label)
                             .arg(line)
                             .arg(rater, item, field);
            }
            return std::nullopt;
        }
    }
    std::sort(tables.begin(), tables.end(),
        [](const RatingTable &a, const RatingTable &b) { return a.field() < b.field(); });
    return tables;
}

bool RatingsFile::write(const QString &path, const QList<RatingTable> &tables, QString *error)
{
    QList<QStringList> rows;
    qsizetype total = 0;
    for (const RatingTable &table : tables)
        total += table.ratingCount();
    rows.reserve(total);
    for (const RatingTable &table : tables) {
        for (qsizetype i = 0; i < table.ratingCount(); ++i) {
            rows.append({ table.items().at(table.itemOf().at(i)), table.raters().at(table.raterOf().at(i)),
                table.field(), table.values().at(table.valueOf().at(i)) });
        }
    }
    return CsvWriter::writeFile(path, { u"item"_s, u"rater"_s, u"field"_s, u"value"_s }, rows, error);
}

} // namespace dl
