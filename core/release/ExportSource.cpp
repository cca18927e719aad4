// SPDX-License-Identifier: GPL-3.0-or-later
#include "release/ExportSource.h"

#include "masks/CocoRle.h"
#include "qa/LabelFields.h"
#include "qa/StaleConsensus.h"
#include "store/AnnotationRepository.h"
#include "store/CaseRepository.h"
#include "store/ConsensusRepository.h"
#include "store/Sql.h"
#include "store/Store.h"

#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

const FieldConsensus *ExportImage::consensusOf(const QString &field) const
{
    for (const FieldConsensus &f : consensus) {
        if (f.field == field)
            return &f;
    }
    return nullptr;
}

QString ExportImage::settled(const QString &field) const
{
    const FieldConsensus *f = consensusOf(field);
    if (!f || (f->status != ConsensusStatus::Agreed && f->status != ConsensusStatus::Adjudicated))
        return {};
    return f->value;
}

/// True when some rater claimed it and no settled consensus says otherwise.
static bool claimed(const ExportImage &image, const QString &field, bool raterSaid)
{
    const FieldConsensus *f = image.consensusOf(field);
    if (f && (f->status == ConsensusStatus::Agreed || f->status == ConsensusStatus::Adjudicated))
        return f->value == u"yes"_s;
    return raterSaid;
}

static bool hasPixels(const MaskRecord &record)
{
    if (record.encoding != u"rle"_s)
        return !record.data.isEmpty(); // other encodings: decoded later; assume a region
    QString error;
    const auto rle = CocoRle::fromString(record.data, record.height, record.width, &error);
    return rle && CocoRle::area(*rle) > 0;
}

ReleaseCandidate ExportImage::candidate() const
{
    ReleaseCandidate c;
    c.imageId = image.id;
    c.imageName = image.publicId;
    c.raters = int(annotations.size());
    bool anySensitive = false;
    QSet<QString> kindsClaimed;
    for (const Annotation &a : annotations) {
        anySensitive = anySensitive || a.sensitive == true;
        for (const QString &kind : a.identifying)
            kindsClaimed.insert(kind);
    }
    c.sensitive = claimed(*this, u"sensitive"_s, anySensitive);
    for (const QString &kind : LabelFields::identifyingKinds()) {
        if (claimed(*this, u"identifying_"_s + kind, kindsClaimed.contains(kind)))
            c.identifying.append(kind);
    }
    for (auto it = masks.cbegin(); it != masks.cend(); ++it) {
        for (const MaskRecord &record : *it) {
            if (record.layer.startsWith(u"identifying:"_s) && hasPixels(record)) {
                const QString kind = record.layer.mid(12);
                if (!c.redacted.contains(kind))
                    c.redacted.append(kind);
            }
        }
    }
    std::sort(c.redacted.begin(), c.redacted.end());
    c.openFaceFlag = openFaceFlag;
    c.confirmedFace = confirmedFace;
    QString condition = settled(u"diagnosis"_s);
    c.quasiIdentifiers = {metadata.ageGroup,  metadata.sex,     metadata.skinTypeSelf,
                          metadata.bodySites.join(u"; "_s), metadata.country, condition};
    return c;
}

std::optional<ExportSource::Data> ExportSource::load(Store &store, QString *error)
{
    // On a team store, images whose labels annotators changed get their consensus first.
    if (!StaleConsensus::recompute(store, error))
        return std::nullopt;
    const QSqlDatabase db = store.db();
    QString readError;
    const QList<Annotation> annotations = AnnotationRepository(db).all(&readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    QMap<qint64, QList<Annotation>> byImage;
    for (const Annotation &a : annotations)
        byImage[a.imageId].append(a);

    Data data;
    QSqlQuery query(db);
    // Rater pseudonyms: every user who labelled something, in name order.
    if (!Sql::exec(query,
                   u"SELECT DISTINCT u.id, u.name FROM users u JOIN annotations a ON a.user_id = u.id ORDER BY u.name"_s,
                   {}, error))
        return std::nullopt;
    int n = 0;
    while (query.next())
        data.raterPseudonyms.insert(query.value(0).toLongLong(), u"rater_%1"_s.arg(++n, 2, 10, QChar(u'0')));

    QHash<qint64, bool> openFace, confirmedFace;
    if (!Sql::exec(query, u"SELECT image_id, status FROM image_flags WHERE kind = 'face'"_s, {}, error))
        return std::nullopt;
    while (query.next()) {
        const QString status = query.value(1).toString();
        openFace.insert(query.value(0).toLongLong(), status == u"open"_s);
        confirmedFace.insert(query.value(0).toLongLong(), status == u"confirmed"_s);
    }

    ImageRepository images(db);
    CaseRepository cases(db);
    ConsensusRepository consensus(db);
    MaskRepository masks(db);
    QSet<qint64> sourceIds;
    for (auto it = byImage.cbegin(); it != byImage.cend(); ++it) {
        ExportImage e;
        const auto record = images.find(it.key(), error);
        if (!record)
            return std::nullopt;
        e.image = *record;
        e.image.thumbnail.clear();
        e.annotations = *it;
        const QList<qint64> caseIds = cases.casesOfImage(it.key(), &readError);
        if (!readError.isEmpty()) {
            *error = readError;
            return std::nullopt;
        }
        if (!caseIds.isEmpty()) {
            e.caseId = caseIds.first();
            e.metadata = cases.metadata(e.caseId, &readError);
            if (!Sql::exec(query, u"SELECT public_id, source_case_id, source_id FROM cases WHERE id = ?"_s, {e.caseId},
                           error)
                || !query.next())
                return std::nullopt;
            e.caseName = query.value(0).toString();
            e.sourceCaseId = query.value(1).toString();
            e.sourceId = query.value(2).toLongLong();
        } else {
            if (!Sql::exec(query, u"SELECT MIN(source_id) FROM image_files WHERE image_id = ?"_s, {it.key()}, error))
                return std::nullopt;
            if (query.next() && !query.value(0).isNull())
                e.sourceId = query.value(0).toLongLong();
        }
        if (e.sourceId > 0)
            sourceIds.insert(e.sourceId);
        for (const Annotation &a : e.annotations) {
            QList<MaskRecord> layers = masks.latestOfEachLayer(a.id, &readError);
            if (!readError.isEmpty()) {
                *error = readError;
                return std::nullopt;
            }
            if (!layers.isEmpty())
                e.masks.insert(a.id, layers);
        }
        for (const ConsensusRow &row : consensus.forImage(it.key(), &readError))
            e.consensus.append(row.consensus);
        e.differential = consensus.differential(it.key(), &readError);
        if (!readError.isEmpty()) {
            *error = readError;
            return std::nullopt;
        }
        e.openFaceFlag = openFace.value(it.key());
        e.confirmedFace = confirmedFace.value(it.key());
        data.images.append(e);
    }
    std::sort(data.images.begin(), data.images.end(),
              [](const ExportImage &a, const ExportImage &b) { return a.image.publicId < b.image.publicId; });

    if (!Sql::exec(query, u"SELECT id, kind, name, licence, attribution, ids_public FROM sources ORDER BY id"_s, {},
                   error))
        return std::nullopt;
    while (query.next()) {
        if (!sourceIds.contains(query.value(0).toLongLong()))
            continue;
        data.sources.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                             query.value(3).toString(), query.value(4).toString(), query.value(5).toBool()});
    }
    return data;
}

} // namespace dl
