// SPDX-License-Identifier: GPL-3.0-or-later
#include "taxonomy/TaxonomyCsv.h"

#include "text/CsvReader.h"
#include "text/CsvWriter.h"

using namespace Qt::StringLiterals;

namespace dl {

namespace {

constexpr QStringView kId = u"id";
constexpr QStringView kName = u"name";
constexpr QStringView kSynonyms = u"synonyms";
constexpr QStringView kParent = u"parent";

QStringList header()
{
    return { kId.toString(), kName.toString(), kSynonyms.toString(), kParent.toString() };
}

QList<QStringList> toRows(const QList<Condition> &conditions)
{
    QList<QStringList> rows;
    rows.reserve(conditions.size());
    for (const Condition &c : conditions)
        rows.append({ c.id, c.name, c.synonyms.join(TaxonomyCsv::SynonymSeparator), c.parentId });
    return rows;
}

} // namespace

QStringList TaxonomyCsv::splitSynonyms(QStringView field)
{
    QStringList out;
    for (const QStringView part : field.tokenize(SynonymSeparator)) {
        const QString s = part.toString().simplified();
        if (!s.isEmpty())
            out.append(s);
    }
    return out;
}

std::optional<TaxonomyCsv::Rows> TaxonomyCsv::read(
    QByteArrayView csv, const QString &fileLabel, QString *error, QStringList *warnings)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };

    QString parseError;
    const std::optional<CsvTable> table = CsvReader::parse(csv, &parseError);
    if (!table)
        return fail(u"%1: %2"_s.arg(fileLabel, parseError));
    if (!CsvReader::requireColumns(*table, { kId.toString(), kName.toString() }, fileLabel, error))
        return std::nullopt;
    if (table->rows.isEmpty())
        return fail(tr("%1: the file has a header but no conditions").arg(fileLabel));

    if (warnings) {
        for (const QString &column : table->header) {
            if (column != kId && column != kName && column != kSynonyms && column != kParent)
                warnings->append(tr("%1: column \"%2\" is not used and was ignored").arg(fileLabel, column));
        }
    }

    const qsizetype idColumn = table->columnIndex(kId);
    const qsizetype nameColumn = table->columnIndex(kName);
    const qsizetype synonymsColumn = table->columnIndex(kSynonyms);
    const qsizetype parentColumn = table->columnIndex(kParent);

    Rows rows;
    rows.conditions.reserve(table->rows.size());
    rows.lines = table->rowLines;
    for (const QStringList &fields : table->rows) {
        Condition c;
        c.id = fields.at(idColumn).simplified();
        c.name = fields.at(nameColumn).simplified();
        if (synonymsColumn >= 0)
            c.synonyms = splitSynonyms(fields.at(synonymsColumn));
        if (parentColumn >= 0)
            c.parentId = fields.at(parentColumn).simplified();
        rows.conditions.append(std::move(c));
    }
    return rows;
}

QByteArray TaxonomyCsv::write(const QList<Condition> &conditions)
{
    QString text = CsvWriter::formatRow(header());
    for (const QStringList &row : toRows(conditions))
        text += CsvWriter::formatRow(row);
    return text.toUtf8();
}

bool TaxonomyCsv::writeFile(const QString &path, const QList<Condition> &conditions, QString *error)
{
    return CsvWriter::writeFile(path, header(), toRows(conditions), error);
}

} // namespace dl
