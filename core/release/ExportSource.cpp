// SPDX-License-Identifier: GPL-3.0-or-later
#include "release/ExportSource.h"

#include "masks/CocoRle.h"
#include "model/LabelVocabulary.h"
#include "qa/LabelFields.h"
#include "qa/StaleConsensus.h"
#include "release/FaceCheck.h"
#include "store/AnnotationRepository.h"
#include "store/CaseRepository.h"
#include "store/ConsensusRepository.h"
#include "store/ImageFlagRepository.h"
#include "store/ImageRepository.h"
#include "store/MaskRepository.h"
#include "store/SourceRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"

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
    for (const QString &kind : LabelVocabulary::identifyingKindIds()) {
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
    c.facePending = facePending;
    // The person is the case: all its images share its metadata (cases table).
    c.person = caseId >= 0 ? caseName : image.publicId;
    c.demographics = {{u"age_group"_s, {metadata.ageGroup}},
                      {u"sex_at_birth"_s, {metadata.sex}},
                      {u"skin_type"_s, {metadata.skinTypeSelf}},
                      {u"body_site"_s, metadata.bodySites},
                      {u"country"_s, {metadata.country}},
                      {u"condition_duration"_s, {metadata.duration}}};
    const QString condition = settled(u"diagnosis"_s);
    // "cannot determine" names no condition.
    c.condition = condition == LabelFields::cannotDetermine() ? QString() : condition;
    return c;
}

namespace {

/// Every table an export reads, each in one query for all images.
struct StoreTables
{
    QList<Annotation> annotations;
    QList<User> users;
    QList<ImageFlag> faceFlags;
    QList<ImageFlag> facePending;
    QHash<qint64, ImageRecord> images;
    QHash<qint64, QList<qint64>> casesOfImage;
    QHash<qint64, CaseRecord> cases;
    QHash<qint64, qint64> firstSourceOfImage;
    QHash<qint64, QList<MaskRecord>> masks;
    QList<ConsensusRow> consensus;
    QHash<qint64, QList<WeightedCondition>> differentials;
    QList<SourceRecord> sources;

    bool read(const Store &store, QString *error)
    {
        QString e;
        annotations = AnnotationRepository(store).all(&e);
        if (e.isEmpty())
            users = UserRepository(store).list(&e);
        if (e.isEmpty())
            faceFlags = ImageFlagRepository(store).ofKind(u"face"_s, &e);
        if (e.isEmpty())
            facePending = ImageFlagRepository(store).ofKind(FaceCheck::pendingKind(), &e);
        const ImageRepository imageRepository(store);
        if (e.isEmpty())
            images = imageRepository.all(&e);
        if (e.isEmpty())
            firstSourceOfImage = imageRepository.firstSourceOfEachImage(&e);
        const CaseRepository caseRepository(store);
        if (e.isEmpty())
            casesOfImage = caseRepository.casesOfEachImage(&e);
        if (e.isEmpty())
            cases = caseRepository.all(&e);
        if (e.isEmpty())
            masks = MaskRepository(store).latestOfEachLayerByAnnotation(&e);
        const ConsensusRepository consensusRepository(store);
        if (e.isEmpty())
            consensus = consensusRepository.rows(std::nullopt, &e);
        if (e.isEmpty())
            differentials = consensusRepository.differentials(&e);
        if (e.isEmpty())
            sources = SourceRepository(store).list(&e);
        if (!e.isEmpty())
            *error = e;
        return e.isEmpty();
    }
};

} // namespace

std::optional<ExportSource::Data> ExportSource::load(Store &store, QString *error)
{
    // On a team store, images whose labels annotators changed get their consensus first.
    if (!StaleConsensus::recompute(store, error))
        return std::nullopt;
    StoreTables tables;
    if (!tables.read(store, error))
        return std::nullopt;
    QMap<qint64, QList<Annotation>> byImage;
    for (const Annotation &a : std::as_const(tables.annotations))
        byImage[a.imageId].append(a);

    Data data;
    // Rater pseudonyms: every user who labelled something, in name order.
    QSet<qint64> raters;
    for (const Annotation &a : std::as_const(tables.annotations))
        raters.insert(a.userId);
    int n = 0;
    for (const User &user : std::as_const(tables.users)) {
        if (raters.contains(user.id))
            data.raterPseudonyms.insert(user.id, u"rater_%1"_s.arg(++n, 2, 10, QChar(u'0')));
    }

    QHash<qint64, bool> openFace, confirmedFace;
    for (const ImageFlag &flag : std::as_const(tables.faceFlags)) {
        openFace.insert(flag.imageId, flag.status == u"open"_s);
        confirmedFace.insert(flag.imageId, flag.status == u"confirmed"_s);
    }
    QSet<qint64> facePending;
    for (const ImageFlag &flag : std::as_const(tables.facePending))
        facePending.insert(flag.imageId);
    QHash<qint64, QList<FieldConsensus>> consensusOfImage;
    for (const ConsensusRow &row : std::as_const(tables.consensus))
        consensusOfImage[row.imageId].append(row.consensus);

    QSet<qint64> sourceIds;
    for (auto it = byImage.cbegin(); it != byImage.cend(); ++it) {
        ExportImage e;
        const auto record = tables.images.constFind(it.key());
        if (record == tables.images.cend()) {
            *error = tr("Image %1 is labelled but not in the store.").arg(it.key());
            return std::nullopt;
        }
        e.image = *record;
        e.annotations = *it;
        const QList<qint64> caseIds = tables.casesOfImage.value(it.key());
        if (!caseIds.isEmpty()) {
            const auto found = tables.cases.constFind(caseIds.first());
            if (found == tables.cases.cend()) {
                *error = tr("Case %1 of image %2 is not in the store.").arg(caseIds.first()).arg(e.image.publicId);
                return std::nullopt;
            }
            e.caseId = found->id;
            e.metadata = found->metadata;
            e.caseName = found->publicId;
            e.sourceCaseId = found->sourceCaseId;
            e.sourceId = found->sourceId;
        } else {
            e.sourceId = tables.firstSourceOfImage.value(it.key(), -1);
        }
        if (e.sourceId > 0)
            sourceIds.insert(e.sourceId);
        for (const Annotation &a : std::as_const(e.annotations)) {
            const QList<MaskRecord> layers = tables.masks.value(a.id);
            if (!layers.isEmpty())
                e.masks.insert(a.id, layers);
        }
        e.consensus = consensusOfImage.value(it.key());
        e.differential = tables.differentials.value(it.key());
        e.openFaceFlag = openFace.value(it.key());
        e.confirmedFace = confirmedFace.value(it.key());
        e.facePending = facePending.contains(it.key());
        data.images.append(e);
    }
    std::sort(data.images.begin(), data.images.end(),
              [](const ExportImage &a, const ExportImage &b) { return a.image.publicId < b.image.publicId; });

    for (const SourceRecord &source : std::as_const(tables.sources)) {
        if (sourceIds.contains(source.id))
            data.sources.append(
                {source.id, source.kind, source.name, source.licence, source.attribution, source.idsPublic});
    }
    return data;
}

} // namespace dl
