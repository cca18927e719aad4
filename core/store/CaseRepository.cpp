// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/CaseRepository.h"

#include "store/Sql.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

static QVariantList metadataValues(const CaseMetadata &m)
{
    return { Sql::textOrNull(m.ageGroup),
        m.ageYears ? QVariant(*m.ageYears) : QVariant(QMetaType(QMetaType::Int)), Sql::textOrNull(m.sex),
        Sql::textOrNull(m.skinTypeSelf), Sql::textOrNull(m.bodySites.join(u"; "_s)),
        Sql::textOrNull(m.symptoms.join(u"; "_s)), Sql::textOrNull(m.duration), Sql::textOrNull(m.country),
        Sql::textOrNull(m.licenceTag), Sql::textOrNull(m.split) };
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
    CaseMetadata m;
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
            u"SELECT age_group, age_years, sex, skin_type_self, body_sites, symptoms, duration, country, "
            "licence_tag, split FROM cases WHERE id = ?"_s,
            { caseId }, error)
        || !query.next())
        return m;
    m.ageGroup = query.value(0).toString();
    if (!query.value(1).isNull())
        m.ageYears = query.value(1).toInt();
    m.sex = query.value(2).toString();
    m.skinTypeSelf = query.value(3).toString();
    m.bodySites = query.value(4).toString().split(u"; "_s, Qt::SkipEmptyParts);
    m.symptoms = query.value(5).toString().split(u"; "_s, Qt::SkipEmptyParts);
    m.duration = query.value(6).toString();
    m.country = query.value(7).toString();
    m.licenceTag = query.value(8).toString();
    m.split = query.value(9).toString();
    return m;
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

} // namespace dl
