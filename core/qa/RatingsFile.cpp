// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/RatingsFile.h"

#include "text/CsvReader.h"
#include "text/CsvWriter.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

/// Bytes -> id of one column of one table: open addressing on a 64-bit hash, the bytes compared
/// only when the hashes match. Keys point into the file's data, or into `arena` for the rare
/// fields that needed unescaping.
class ByteIds
{
public:
    template<typename Intern>
    qint32 idOf(const CsvRecordReader &reader, qsizetype column, std::deque<QByteArray> &arena, Intern intern)
    {
        const QByteArrayView bytes = reader.field(column);
        const quint64 hash = hashOf(bytes);
        if ((m_used + 1) * 2 > m_slots.size())
            grow();
        size_t at = size_t(hash) & (m_slots.size() - 1);
        for (;; at = (at + 1) & (m_slots.size() - 1)) {
            Slot &slot = m_slots[at];
            if (slot.id < 0)
                break;
            if (slot.hash == hash && slot.size == bytes.size()
                && std::equal(bytes.begin(), bytes.end(), slot.data))
                return slot.id;
        }
        const char *key = bytes.data();
        if (!reader.isInData(column)) {
            arena.push_back(bytes.toByteArray());
            key = arena.back().constData();
        }
        const qint32 id = intern(QString::fromUtf8(bytes));
        m_slots[at] = {hash, key, bytes.size(), id};
        ++m_used;
        return id;
    }

private:
    struct Slot
    {
        quint64 hash = 0;
        const char *data = nullptr;
        qsizetype size = 0;
        qint32 id = -1;
    };

    static quint64 hashOf(QByteArrayView bytes)
    {
        quint64 h = 14695981039346656037ULL; // FNV-1a, then a final mix for the low bits
        for (const char c : bytes)
            h = (h ^ uchar(c)) * 1099511628211ULL;
        return h ^ (h >> 29);
    }

    void grow()
    {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(std::max<size_t>(64, old.size() * 2), Slot());
        for (const Slot &slot : old) {
            if (slot.id < 0)
                continue;
            size_t at = size_t(slot.hash) & (m_slots.size() - 1);
            while (m_slots[at].id >= 0)
                at = (at + 1) & (m_slots.size() - 1);
            m_slots[at] = slot;
        }
    }

    std::vector<Slot> m_slots;
    size_t m_used = 0;
};

struct FieldIds
{
    qsizetype table = 0;
    ByteIds items, raters, values;
    QByteArrayView lastItem; ///< in the data; the rows of one item usually follow each other
    qint32 lastItemId = -1;
};

} // namespace

std::optional<QList<RatingTable>> RatingsFile::read(
    const QString &path, QString *error, const QHash<QString, MeasureLevel> &levels)
{
    // Streamed: the records are interned straight from the file's bytes (a QString per distinct
    // name, not per cell), under the same rules and messages as fromCsv(CsvReader::readFile()).
    const std::optional<QByteArray> data = CsvReader::readBytes(path, error);
    if (!data)
        return std::nullopt;
    CsvRecordReader reader(*data);
    const auto parseError = [&](const QString &message) {
        if (error)
            *error = u"%1: %2"_s.arg(path, message);
        return std::nullopt;
    };
    if (!reader.readHeader())
        return parseError(reader.error());
    const QStringList expected { u"item"_s, u"rater"_s, u"field"_s, u"value"_s };
    if (reader.header() != expected) {
        if (error) {
            *error = tr("%1: the header must be exactly \"item,rater,field,value\", not \"%2\".")
                         .arg(path, reader.header().join(u','));
        }
        return std::nullopt;
    }
    QList<RatingTable> tables;
    std::vector<std::unique_ptr<FieldIds>> fieldIds;
    std::unordered_map<std::string_view, FieldIds *> fieldOf;
    std::deque<QByteArray> arena;
    QByteArrayView lastField;
    FieldIds *current = nullptr;
    while (reader.next()) {
        const QByteArrayView item = reader.field(0);
        const QByteArrayView value = reader.field(3);
        if (value.isEmpty())
            continue;
        if (item.isEmpty() || reader.field(1).isEmpty() || reader.field(2).isEmpty()) {
            if (error) {
                *error = tr("%1, line %2: the item, rater and field must not be empty.")
                             .arg(path)
                             .arg(reader.line());
            }
            return std::nullopt;
        }
        const QByteArrayView field = reader.field(2);
        if (!current || !reader.isInData(2) || field != lastField) {
            const std::string_view key(field.data(), size_t(field.size()));
            const auto it = fieldOf.find(key);
            if (it != fieldOf.end()) {
                current = it->second;
            } else {
                const QString name = QString::fromUtf8(field);
                fieldIds.push_back(std::make_unique<FieldIds>());
                current = fieldIds.back().get();
                current->table = tables.size();
                tables.append(RatingTable(name, levels.value(name, MeasureLevel::Nominal)));
                arena.push_back(field.toByteArray());
                fieldOf.emplace(std::string_view(arena.back().constData(), size_t(arena.back().size())), current);
            }
            lastField = reader.isInData(2) ? field : QByteArrayView();
        }
        RatingTable &table = tables[current->table];
        qint32 itemId = current->lastItemId;
        if (itemId < 0 || !reader.isInData(0) || item != current->lastItem) {
            itemId = current->items.idOf(
                reader, 0, arena, [&](const QString &name) { return table.internItem(name); });
            current->lastItem = reader.isInData(0) ? item : QByteArrayView();
            current->lastItemId = reader.isInData(0) ? itemId : -1;
        }
        const qint32 raterId
            = current->raters.idOf(reader, 1, arena, [&](const QString &name) { return table.internRater(name); });
        const qint32 valueId
            = current->values.idOf(reader, 3, arena, [&](const QString &name) { return table.internValue(name); });
        if (!table.addIds(itemId, raterId, valueId)) {
            if (error) {
                *error = tr("%1, line %2: rater \"%3\" already rated item \"%4\" for field \"%5\".")
                             .arg(path)
                             .arg(reader.line())
                             .arg(table.raters().at(raterId), table.items().at(itemId), table.field());
            }
            return std::nullopt;
        }
    }
    if (!reader.error().isEmpty())
        return parseError(reader.error());
    std::sort(tables.begin(), tables.end(),
        [](const RatingTable &a, const RatingTable &b) { return a.field() < b.field(); });
    return tables;
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
