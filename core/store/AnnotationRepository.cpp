// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/AnnotationRepository.h"

#include "store/Sql.h"
#include "store/Store.h"

#include <QHash>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

AnnotationRepository::AnnotationRepository(const Store &store)
    : m_db(store.db())
{
}

static QVariant optionalBool(const std::optional<bool> &value)
{
    return value ? QVariant(*value ? 1 : 0) : QVariant(QMetaType(QMetaType::Int));
}

QList<Annotation> AnnotationRepository::select(
    const QString &where, const QVariantList &binds, QString *error) const
{
    QList<Annotation> annotations;
    QSqlQuery query(m_db);
    if (!Sql::exec(query,
            u"SELECT id, image_id, user_id, gradable, ungradable_reason, visible_condition, sensitive, "
            "identifying, cannot_determine, fitzpatrick, monk, note, created_at, updated_at, version "
            "FROM annotations WHERE "_s
                + where + u" ORDER BY user_id"_s,
            binds, error))
        return annotations;
    while (query.next()) {
        Annotation a;
        a.id = query.value(0).toLongLong();
        a.imageId = query.value(1).toLongLong();
        a.userId = query.value(2).toLongLong();
        if (!query.value(3).isNull())
            a.gradable = query.value(3).toBool();
        a.ungradableReason = query.value(4).toString();
        a.visibleCondition = query.value(5).toString();
        if (!query.value(6).isNull())
            a.sensitive = query.value(6).toBool();
        a.identifying = query.value(7).toString().split(u',', Qt::SkipEmptyParts);
        a.cannotDetermine = query.value(8).toBool();
        a.fitzpatrick = query.value(9).toString();
        a.monk = query.value(10).toString();
        a.note = query.value(11).toString();
        a.createdAt = query.value(12).toString();
        a.updatedAt = query.value(13).toString();
        a.version = query.value(14).toInt();
        annotations.append(a);
    }
    if (annotations.isEmpty())
        return annotations;
    // One query for the diagnoses of all the annotations selected.
    QHash<qint64, qsizetype> indexOf;
    indexOf.reserve(annotations.size());
    for (qsizetype i = 0; i < annotations.size(); ++i)
        indexOf.insert(annotations.at(i).id, i);
    QSqlQuery diagnoses(m_db);
    if (!Sql::exec(diagnoses,
            u"SELECT annotation_id, condition_id, confidence FROM annotation_diagnoses "
            "WHERE annotation_id IN (SELECT id FROM annotations WHERE "_s
                + where + u") ORDER BY annotation_id, position"_s,
            binds, error))
        return {};
    while (diagnoses.next()) {
        const auto it = indexOf.constFind(diagnoses.value(0).toLongLong());
        if (it != indexOf.cend())
            annotations[*it].diagnoses.append({ diagnoses.value(1).toString(), diagnoses.value(2).toInt() });
    }
    return annotations;
}

std::optional<Annotation> AnnotationRepository::find(qint64 imageId, qint64 userId, QString *error) const
{
    const QList<Annotation> found = select(u"image_id = ? AND user_id = ?"_s, { imageId, userId }, error);
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

QList<Annotation> AnnotationRepository::forImage(qint64 imageId, QString *error) const
{
    return select(u"image_id = ?"_s, { imageId }, error);
}

QList<Annotation> AnnotationRepository::all(QString *error) const
{
    return select(u"1 = 1"_s, {}, error);
}

SaveResult AnnotationRepository::save(Annotation &a, QString *error)
{
    const QString now = Sql::now();
    const QVariantList labels { optionalBool(a.gradable), Sql::textOrNull(a.ungradableReason),
        Sql::textOrNull(a.visibleCondition), optionalBool(a.sensitive), Sql::textOrNull(a.identifying.join(u',')),
        a.cannotDetermine ? 1 : 0, Sql::textOrNull(a.fitzpatrick), Sql::textOrNull(a.monk), Sql::text(a.note) };
    QSqlQuery query(m_db);
    bool done = false;
    if (a.version <= 0) {
        // Not based on a stored row: only a first save inserts; a row there already is a conflict.
        done = Sql::exec(query,
            u"INSERT INTO annotations (gradable, ungradable_reason, visible_condition, sensitive, identifying, "
            "cannot_determine, fitzpatrick, monk, note, image_id, user_id, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (image_id, user_id) DO NOTHING RETURNING id, version, created_at"_s,
            labels + QVariantList { a.imageId, a.userId, now, now }, error);
    } else {
        // Based on version N: written only while the row is still at N.
        done = Sql::exec(query,
            u"UPDATE annotations SET gradable = ?, ungradable_reason = ?, visible_condition = ?, sensitive = ?, "
            "identifying = ?, cannot_determine = ?, fitzpatrick = ?, monk = ?, note = ?, updated_at = ?, "
            "version = version + 1 WHERE image_id = ? AND user_id = ? AND version = ? "
            "RETURNING id, version, created_at"_s,
            labels + QVariantList { now, a.imageId, a.userId, a.version }, error);
    }
    if (!done)
        return SaveResult::Failed;
    if (!query.next())
        return SaveResult::Conflict;
    const qint64 id = query.value(0).toLongLong();
    a.id = id;
    a.version = query.value(1).toInt();
    a.createdAt = query.value(2).toString();
    a.updatedAt = now;
    query.finish();
    if (!Sql::exec(m_db, u"DELETE FROM annotation_diagnoses WHERE annotation_id = ?"_s, { id }, error))
        return SaveResult::Failed;
    QSqlQuery insert(m_db);
    for (int i = 0; i < a.diagnoses.size(); ++i) {
        if (!Sql::exec(insert,
                u"INSERT INTO annotation_diagnoses (annotation_id, position, condition_id, confidence) "
                "VALUES (?, ?, ?, ?)"_s,
                { id, i + 1, a.diagnoses.at(i).conditionId, a.diagnoses.at(i).confidence }, error))
            return SaveResult::Failed;
    }
    return SaveResult::Saved;
}

} // namespace dl
