// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/ConsensusService.h"

#include "auth/Permissions.h"
#include "qa/LabelFields.h"
#include "model/LabelVocabulary.h"
#include "store/AnnotationRepository.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/ConsensusRepository.h"
#include "store/ImageRepository.h"
#include "store/Store.h"
#include "store/StoreTransaction.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace dl {

static const QString QuorumKey = u"consensus_quorum"_s;

int ConsensusService::quorum(const Store &store)
{
    bool ok = false;
    const int q = store.setting(QuorumKey, u"2"_s).toInt(&ok);
    return ok && q >= 1 ? q : 2;
}

bool ConsensusService::setQuorum(int quorum, QString *error)
{
    if (!Permissions::check(m_actor, Action::Adjudicate, error))
        return false;
    if (quorum < 1 || quorum > 20) {
        *error = tr("The quorum must be from 1 to 20 raters.");
        return false;
    }
    // The change and its audit entry in one transaction: no quorum changes unrecorded.
    const int before = ConsensusService::quorum(m_store);
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        *error = tx.error();
        return false;
    }
    if (!m_store.setSetting(QuorumKey, QString::number(quorum), error)
        || !AuditLog::record(m_store, m_actor.id, u"consensus.quorum"_s, u"store"_s, -1,
                             {{u"from"_s, before}, {u"to"_s, quorum}}, error))
        return false;
    if (!tx.commit()) {
        *error = tx.error();
        return false;
    }
    return true;
}

static ImageConsensus withAdjudications(ImageConsensus consensus, const QList<Adjudication> &adjudications)
{
    for (const Adjudication &a : adjudications) {
        auto it = std::find_if(consensus.fields.begin(), consensus.fields.end(),
                               [&](const FieldConsensus &f) { return f.field == a.field; });
        if (it == consensus.fields.end())
            continue;
        it->value = a.value;
        it->status = ConsensusStatus::Adjudicated;
        it->reason = a.reason;
    }
    return consensus;
}

bool ConsensusService::recomputeImage(const Store &store, qint64 imageId, int quorum, QString *error)
{
    QString readError;
    const QList<Annotation> annotations = AnnotationRepository(store).forImage(imageId, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return false;
    }
    ConsensusRepository repository(store);
    const QList<Adjudication> adjudications = repository.adjudications(imageId, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return false;
    }
    if (annotations.isEmpty() && adjudications.isEmpty())
        return repository.remove(imageId, error);
    const auto expected = AssignmentRepository(store).expectedRaters(imageId, error);
    if (!expected)
        return false;
    const ImageConsensus consensus = ConsensusCalculator(quorum).compute(annotations, *expected);
    return repository.replace(imageId, withAdjudications(consensus, adjudications), error);
}

std::optional<ConsensusSummary> ConsensusService::compute(QString *error,
                                                          const std::function<bool(qsizetype, qsizetype)> &progress)
{
    if (!Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        *error = tx.error();
        return std::nullopt;
    }
    QString readError;
    const QList<Annotation> all = AnnotationRepository(m_store).all(&readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    ConsensusRepository repository(m_store);
    // Every image that has ratings or an adjudication, with its annotations.
    QMap<qint64, QList<Annotation>> byImage;
    for (const Annotation &a : all)
        byImage[a.imageId].append(a);
    for (qint64 imageId : repository.adjudicatedImages(&readError))
        byImage[imageId];
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    if (!repository.clear(error))
        return std::nullopt;

    const QHash<qint64, int> expected = AssignmentRepository(m_store).expectedRatersPerImage(&readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }

    const ConsensusCalculator calculator(quorum(m_store));
    qsizetype done = 0;
    for (auto it = byImage.cbegin(); it != byImage.cend(); ++it) {
        const QList<Adjudication> adjudications = repository.adjudications(it.key(), &readError);
        if (!readError.isEmpty()) {
            *error = readError;
            return std::nullopt;
        }
        if (!repository.replace(it.key(), withAdjudications(calculator.compute(*it, expected.value(it.key())), adjudications), error))
            return std::nullopt;
        if (progress && !progress(++done, byImage.size())) {
            *error = tr("Cancelled; the consensus was left as it was.");
            return std::nullopt;
        }
    }
    if (!AuditLog::record(m_store, m_actor.id, u"consensus.compute"_s, u"store"_s, 0,
                          {{u"images"_s, byImage.size()}, {u"quorum"_s, calculator.quorum()}}, error))
        return std::nullopt;
    if (!tx.commit()) {
        *error = tx.error();
        return std::nullopt;
    }
    return summary(error);
}

std::optional<ConsensusSummary> ConsensusService::summary(QString *error) const
{
    if (!Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    const ConsensusRepository repository(m_store);
    QString readError;
    const QList<ConsensusStatusCount> counts = repository.statusCounts(&readError);
    const qint64 images = readError.isEmpty() ? repository.imageCount(&readError) : 0;
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    ConsensusSummary s;
    for (const ConsensusStatusCount &count : counts) {
        switch (count.status) {
        case ConsensusStatus::Agreed:
            s.agreed = count.fields;
            break;
        case ConsensusStatus::Pending:
            s.pending = count.fields;
            break;
        case ConsensusStatus::Adjudicate:
            s.toAdjudicate = count.fields;
            s.imagesToAdjudicate = count.images;
            break;
        case ConsensusStatus::Adjudicated:
            s.adjudicated = count.fields;
            break;
        }
    }
    s.images = images;
    return s;
}

std::optional<QList<ConsensusRow>> ConsensusService::rows(std::optional<ConsensusStatus> status, QString *error) const
{
    if (!Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    QList<ConsensusRow> list = ConsensusRepository(m_store).rows(status, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    return list;
}

std::optional<QList<ConsensusRow>> ConsensusService::forImage(qint64 imageId, QString *error) const
{
    if (!Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    QList<ConsensusRow> list = ConsensusRepository(m_store).forImage(imageId, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    return list;
}

std::optional<QList<WeightedCondition>> ConsensusService::differential(qint64 imageId, QString *error) const
{
    if (!Permissions::check(m_actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    QList<WeightedCondition> list = ConsensusRepository(m_store).differential(imageId, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    return list;
}

bool ConsensusService::isValidValue(const QString &field, const QString &value)
{
    static const QStringList yesNo {u"yes"_s, u"no"_s};
    auto scale = [&](int max) {
        if (value == u"not_gradable"_s)
            return true;
        bool ok = false;
        const int n = value.toInt(&ok);
        return ok && n >= 1 && n <= max && QString::number(n) == value;
    };
    if (field == u"diagnosis"_s)
        return !value.trimmed().isEmpty();
    if (field == u"gradable"_s || field == u"sensitive"_s || field.startsWith(u"identifying_"_s))
        return yesNo.contains(value) && (!field.startsWith(u"identifying_"_s) || LabelFields::find(field));
    if (field == u"ungradable_reason"_s)
        return LabelVocabulary::contains(LabelVocabulary::ungradableReasons(), value);
    if (field == u"visible_condition"_s)
        return QStringList {u"yes"_s, u"no"_s, u"unsure"_s}.contains(value);
    if (field == u"fitzpatrick_type"_s)
        return scale(6);
    if (field == u"monk_tone"_s)
        return scale(10);
    return false;
}

bool ConsensusService::adjudicate(qint64 imageId, const QString &field, const QString &value, const QString &reason,
                                  QString *error)
{
    if (!Permissions::check(m_actor, Action::Adjudicate, error))
        return false;
    const LabelField *known = LabelFields::find(field);
    if (field != u"diagnosis"_s && (!known || !(known->uses & LabelField::Consensus))) {
        *error = tr("%1 is not a field with a consensus.").arg(field);
        return false;
    }
    if (!isValidValue(field, value)) {
        *error = tr("'%1' is not a value of %2.").arg(value, LabelFields::displayName(field));
        return false;
    }
    if (reason.trimmed().isEmpty()) {
        *error = tr("Give a reason for the decision.");
        return false;
    }
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        *error = tx.error();
        return false;
    }
    QString readError;
    const bool exists = ImageRepository(m_store).find(imageId, &readError).has_value();
    if (!readError.isEmpty()) {
        *error = readError;
        return false;
    }
    if (!exists) {
        *error = tr("No such image.");
        return false;
    }
    ConsensusRepository repository(m_store);
    QString previous;
    for (const Adjudication &a : repository.adjudications(imageId, error)) {
        if (a.field == field)
            previous = a.value;
    }
    if (!repository.saveAdjudication({imageId, field, value, reason.trimmed(), m_actor.id, {}}, error)
        || !recomputeImage(m_store, imageId, quorum(m_store), error)
        || !AuditLog::record(m_store, m_actor.id, u"consensus.adjudicate"_s, u"image"_s, imageId,
                             {{u"field"_s, field},
                              {u"value"_s, value},
                              {u"previous"_s, previous.isEmpty() ? QJsonValue() : QJsonValue(previous)},
                              {u"reason"_s, reason.trimmed()}},
                             error))
        return false;
    if (!tx.commit()) {
        *error = tx.error();
        return false;
    }
    return true;
}

} // namespace dl
