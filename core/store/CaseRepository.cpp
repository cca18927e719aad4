// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/CaseRepository.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

CaseRepository::CaseRepository(const Store &store)
    : m_db(store.db())
{
}

static QVariantList metadataValues(const CaseMetadata &m)
{
    return { Sql::textOrNull(m.ageGroup),
        m.ageYears ? QVariant(*m.ageYears) : QVariant(QMetaType(QMetaType::Int)), Sql::textOrNull(m.sex),
        Sql::textOrNull(m.skinTypeSelf), Sql::textOrNull(m.bodySites.join(u"; "_s)),
        Sql::textOrNull(m.symptoms.join(u"; "_s)), Sql::textOrNull(m.duration), Sql::textOrNull(m.country),
        Sql::textOrNull(m.licenceTag), Sql::textOrNull(m.split) };
}

static const QString s_metadataColumns = u"age_group, age_years, sex, skin_type_self, body_sites, symptoms, "
                                         "duration, country, licence_tag, split"_s;

/// The metadata columns (s_metadataColumns) of the current row, from column `first` on.
static CaseMetadata metadataFromQuery(const QSqlQuery &query, int first)
{
    CaseMetadata m;
    m.ageGroup = query.value(first).toString();
    if (!query.value(first + 1).isNull())
        m.ageYears = query.value(first + 1).toInt();
    m.sex = query.value(first + 2).toString();
    m.skinTypeSelf = query.value(first + 3).toString();
    m.bodySites = query.value(first + 4).toString().split(u"; "_s, Qt::SkipEmptyParts);
    m.symptoms = query.value(first + 5).toString().split(u"; "_s, Qt::SkipEmptyParts);
    m.duration = query.value(first + 6).toString();
    m.country = query.value(first + 7).toString();
    m.licenceTag = query.value(first + 8).toString();
    m.split = query.value(first + 9).toString();
    return m;
}

std::optional<qint64> CaseRepository::findId(
    qint64 sourceId, const QString &sourceCaseId, QString *error) const
{
    const auto id = Sql::scalar(m_db, u"SELECT id FROM cases WHERE source_id = ? AND source_case_id = ?"_s,
        { sourceId, sourceCaseId }, error);
    if (!id)
        return std::nullopt;
    return id->toLongLong();
}

qint64 CaseRepository::insert(qint64 sourceId, const QString &sourceCaseId, const QString &publicId,
    const CaseMetadata &metadata, QString *error)
{
    QVariantList binds { publicId, sourceId, sourceCaseId };
    binds << metadataValues(metadata) << Sql::now();
    return Sql::insertReturningId(m_db,
        u"INSERT INTO cases (public_id, source_id, source_case_id, age_group, age_years, sex, "
        u"skin_type_self, "
        "body_sites, symptoms, duration, country, licence_tag, split, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
        binds, error);
}

bool CaseRepository::updateMetadata(qint64 caseId, const CaseMetadata &metadata, QString *error)
{
    QVariantList binds = metadataValues(metadata);
    binds << caseId;
    return Sql::exec(m_db,
        u"UPDATE cases SET age_group = ?, age_years = ?, sex = ?, skin_type_self = ?, body_sites = ?, "
        "symptoms = ?, duration = ?, country = ?, licence_tag = ?, split = ? WHERE id = ?"_s,
        binds, error);
}

bool CaseRepository::linkImage(
    qint64 caseId, qint64 imageId, int position, const QString &shotType, QString *error)
{
    return Sql::exec(m_db,
        u"INSERT INTO case_images (case_id, image_id, position, shot_type) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (case_id, image_id) DO UPDATE SET position = excluded.position, "
        "shot_type = excluded.shot_type"_s,
        { caseId, imageId, position, Sql::textOrNull(shotType) }, error);
}

bool CaseRepository::setAttributes(
    qint64 caseId, const QList<QPair<QString, QString>> &attributes, QString *error)
{
    QSqlQuery query(m_db);
    for (const auto &[name, value] : attributes) {
        if (!Sql::exec(query,
                u"INSERT INTO case_attributes (case_id, name, value) VALUES (?, ?, ?) "
                "ON CONFLICT (case_id, name) DO UPDATE SET value = excluded.value"_s,
                { caseId, name, value }, error))
            return false;
    }
    return true;
}

CaseRepository::Change CaseRepository::setReferenceLabel(
    qint64 caseId, const ReferenceLabel &label, QString *error)
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
            u"SELECT id, value FROM reference_labels WHERE case_id = ? AND rater = ? AND field = ?"_s,
            { caseId, Sql::text(label.rater), label.field }, error))
        return Change::Failed;
    if (query.next()) {
        if (query.value(1).toString() == label.value)
            return Change::Unchanged;
        return Sql::exec(m_db, u"UPDATE reference_labels SET value = ? WHERE id = ?"_s,
                   { label.value, query.value(0) }, error)
            ? Change::Updated
            : Change::Failed;
    }
    return Sql::exec(m_db,
               u"INSERT INTO reference_labels (case_id, rater, field, value) VALUES (?, ?, ?, ?)"_s,
               { caseId, Sql::text(label.rater), label.field, Sql::text(label.value) }, error)
        ? Change::Inserted
        : Change::Failed;
}

CaseMetadata CaseRepository::metadata(qint64 caseId, QString *error) const
{
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT %1 FROM cases WHERE id = ?"_s.arg(s_metadataColumns), { caseId }, error)
        || !query.next())
        return {};
    return metadataFromQuery(query, 0);
}

QList<QPair<QString, QString>> CaseRepository::attributes(qint64 caseId, QString *error) const
{
    QList<QPair<QString, QString>> result;
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT name, value FROM case_attributes WHERE case_id = ? ORDER BY name"_s,
            { caseId }, error))
        return result;
    while (query.next())
        result.append({ query.value(0).toString(), query.value(1).toString() });
    return result;
}

QList<ReferenceLabel> CaseRepository::referenceLabels(qint64 caseId, QString *error) const
{
    QList<ReferenceLabel> labels;
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
            u"SELECT rater, field, value FROM reference_labels WHERE case_id = ? ORDER BY rater, field"_s,
            { caseId }, error))
        return labels;
    while (query.next())
        labels.append({ query.value(0).toString(), query.value(1).toString(), query.value(2).toString() });
    return labels;
}

QList<qint64> CaseRepository::casesOfImage(qint64 imageId, QString *error) const
{
    QList<qint64> ids;
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT case_id FROM case_images WHERE image_id = ? ORDER BY case_id"_s, {imageId}, error))
        return ids;
    while (query.next())
        ids.append(query.value(0).toLongLong());
    return ids;
}

QList<qint64> CaseRepository::imageIds(qint64 caseId, QString *error) const
{
    QList<qint64> ids;
    QSqlQuery query(m_db);
    if (!Sql::exec(query, u"SELECT image_id FROM case_images WHERE case_id = ? ORDER BY position, image_id"_s,
            { caseId }, error))
        return ids;
    while (query.next())
        ids.append(query.value(0).toLongLong());
    return ids;
}

QHash<qint64, CaseRecord> CaseRepository::all(QString *error) const
{
    QHash<qint64, CaseRecord> cases;
    Sql::forEachRow(m_db,
        u"SELECT id, public_id, source_id, source_case_id, %1 FROM cases"_s.arg(s_metadataColumns), {}, error,
        [&](const QSqlQuery &q) {
            const qint64 id = q.value(0).toLongLong();
            cases.insert(id,
                { id, q.value(1).toString(), q.value(2).toLongLong(), q.value(3).toString(),
                    metadataFromQuery(q, 4) });
        });
    return cases;
}

QHash<qint64, QList<qint64>> CaseRepository::casesOfEachImage(QString *error) const
{
    QHash<qint64, QList<qint64>> cases;
    Sql::forEachRow(m_db, u"SELECT image_id, case_id FROM case_images ORDER BY image_id, case_id"_s, {},
        error, [&](const QSqlQuery &q) { cases[q.value(0).toLongLong()].append(q.value(1).toLongLong()); });
    return cases;
}

QList<QPair<qint64, ReferenceLabel>> CaseRepository::allReferenceLabels(QString *error) const
{
    QList<QPair<qint64, ReferenceLabel>> labels;
    Sql::forEachRow(m_db, u"SELECT case_id, rater, field, value FROM reference_labels ORDER BY id"_s, {},
        error, [&](const QSqlQuery &q) {
            labels.append({ q.value(0).toLongLong(),
                { q.value(1).toString(), q.value(2).toString(), q.value(3).toString() } });
        });
    return labels;
}

} // namespace dl
