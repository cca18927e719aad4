// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/MaskRepository.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

MaskRepository::MaskRepository(const Store &store)
    : m_db(store.db())
{
}

QList<MaskRecord> MaskRepository::select(
    const QString &where, const QVariantList &binds, bool withData, QString *error) const
{
    QList<MaskRecord> records;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    const QString columns = withData ? u"data"_s : u"NULL"_s;
    if (!Sql::exec(query,
            u"SELECT id, annotation_id, layer, version, encoding, width, height, "_s + columns
                + u", LENGTH(data), created_at FROM masks m WHERE "_s + where + u" ORDER BY layer, version"_s,
            binds, error))
        return records;
    while (query.next()) {
        MaskRecord r;
        r.id = query.value(0).toLongLong();
        r.annotationId = query.value(1).toLongLong();
        r.layer = query.value(2).toString();
        r.version = query.value(3).toInt();
        r.encoding = query.value(4).toString();
        r.width = query.value(5).toInt();
        r.height = query.value(6).toInt();
        if (withData)
            r.data = query.value(7).toByteArray();
        r.dataSize = query.value(8).toLongLong();
        r.createdAt = query.value(9).toString();
        records.append(std::move(r));
    }
    return records;
}

int MaskRepository::addVersion(qint64 annotationId, const QString &layer, const QString &encoding, int width,
    int height, const QByteArray &data, QString *error, qint64 *rowId)
{
    const auto highest = Sql::scalar(m_db,
        u"SELECT COALESCE(MAX(version), 0) FROM masks WHERE annotation_id = ? "
        "AND layer = ?"_s,
        { annotationId, layer }, error);
    if (!highest)
        return -1;
    const int version = highest->toInt() + 1;
    const qint64 id = Sql::insertReturningId(m_db,
        u"INSERT INTO masks (annotation_id, layer, version, encoding, width, "
        "height, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id"_s,
        { annotationId, layer, version, encoding, width, height, data, Sql::now() }, error);
    if (id < 0)
        return -1;
    if (rowId)
        *rowId = id;
    return version;
}

std::optional<MaskRecord> MaskRepository::latest(
    qint64 annotationId, const QString &layer, QString *error) const
{
    QString dbError;
    const QList<MaskRecord> found
        = select(u"annotation_id = ? AND layer = ? AND version = (SELECT MAX(version) FROM masks "
                 "WHERE annotation_id = m.annotation_id AND layer = m.layer)"_s,
            { annotationId, layer }, true, &dbError);
    if (!dbError.isEmpty() && error)
        *error = dbError;
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

QList<MaskRecord> MaskRepository::latestOfEachLayer(qint64 annotationId, QString *error) const
{
    return select(u"annotation_id = ? AND version = (SELECT MAX(version) FROM masks "
                  "WHERE annotation_id = m.annotation_id AND layer = m.layer)"_s,
        { annotationId }, true, error);
}

QHash<qint64, QList<MaskRecord>> MaskRepository::latestOfEachLayerByAnnotation(QString *error) const
{
    QHash<qint64, QList<MaskRecord>> byAnnotation;
    const QList<MaskRecord> records = select(u"version = (SELECT MAX(version) FROM masks "
                                              "WHERE annotation_id = m.annotation_id AND layer = m.layer)"_s,
        {}, true, error);
    for (const MaskRecord &record : records)
        byAnnotation[record.annotationId].append(record);
    return byAnnotation;
}

std::optional<MaskRecord> MaskRepository::version(
    qint64 annotationId, const QString &layer, int version, QString *error) const
{
    QString dbError;
    const QList<MaskRecord> found = select(u"annotation_id = ? AND layer = ? AND version = ?"_s,
        { annotationId, layer, version }, true, &dbError);
    if (!dbError.isEmpty() && error)
        *error = dbError;
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

QList<MaskRecord> MaskRepository::versions(qint64 annotationId, const QString &layer, QString *error) const
{
    if (layer.isEmpty())
        return select(u"annotation_id = ?"_s, { annotationId }, false, error);
    return select(u"annotation_id = ? AND layer = ?"_s, { annotationId, layer }, false, error);
}

QList<MaskedAnnotation> MaskRepository::maskedAnnotations(QString *error) const
{
    QList<MaskedAnnotation> annotations;
    Sql::forEachRow(m_db,
        u"SELECT DISTINCT a.image_id, i.public_id, a.id, u.name FROM annotations a"
        " JOIN masks m ON m.annotation_id = a.id JOIN images i ON i.id = a.image_id"
        " JOIN users u ON u.id = a.user_id ORDER BY a.image_id, u.name"_s,
        {}, error, [&](const QSqlQuery &q) {
            annotations.append({ q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toLongLong(),
                q.value(3).toString() });
        });
    return annotations;
}

} // namespace dl
