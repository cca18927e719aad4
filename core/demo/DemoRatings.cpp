// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/DemoRatings.h"

#include "annotation/AnnotationService.h"
#include "demo/SyntheticSkin.h"
#include "model/LabelVocabulary.h"
#include "store/AssignmentRepository.h"
#include "store/CaseRepository.h"
#include "store/Store.h"
#include "store/UserRepository.h"
#include "taxonomy/Taxonomy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

struct Truth
{
    QString condition; ///< taxonomy id
    int fitzpatrick = 0;
    int monk = 0;
};

/// What one reference label says about the truth of its case's images.
void apply(Truth &t, const ReferenceLabel &label, const Taxonomy &taxonomy)
{
    if (label.field == u"weighted_skin_condition_label"_s) {
        const QJsonObject weights = QJsonDocument::fromJson(label.value.toUtf8()).object();
        double best = -1;
        for (auto it = weights.begin(); it != weights.end(); ++it) {
            if (it.value().toDouble() > best) {
                if (const auto id = taxonomy.idForName(it.key())) {
                    best = it.value().toDouble();
                    t.condition = *id;
                }
            }
        }
    } else if (label.field == u"fitzpatrick"_s && label.rater == u"dermatologist_1"_s) {
        t.fitzpatrick = label.value.toInt();
    } else if (label.field == u"monk_skin_tone_india"_s) {
        t.monk = label.value.toInt();
    }
}

/// The reference labels of each image's case, as the simulated raters' starting point.
std::optional<QHash<qint64, Truth>> truths(const Store &store, QString *error)
{
    const Taxonomy &taxonomy = Taxonomy::builtin();
    const CaseRepository cases(store);
    QString readError;
    const QHash<qint64, QList<qint64>> casesOfImage = cases.casesOfEachImage(&readError);
    QHash<qint64, QList<ReferenceLabel>> labelsOfCase;
    for (const auto &[caseId, label] : cases.allReferenceLabels(&readError))
        labelsOfCase[caseId].append(label);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    QHash<qint64, Truth> result;
    for (auto image = casesOfImage.cbegin(); image != casesOfImage.cend(); ++image) {
        for (qint64 caseId : *image) {
            for (const ReferenceLabel &label : labelsOfCase.value(caseId))
                apply(result[image.key()], label, taxonomy);
        }
    }
    return result;
}

} // namespace

int DemoRatings::simulate(Store &store, const DemoRatingOptions &options, QString *error)
{
    const auto truth = truths(store, error);
    if (!truth)
        return -1;
    // Wrong guesses come from the conditions the demo shows, as a real rater's would.
    QStringList conditions;
    for (const QString &name : SyntheticSkin::demoConditions()) {
        if (const auto id = Taxonomy::builtin().idForName(name))
            conditions.append(*id);
    }
    if (conditions.isEmpty()) {
        *error = tr("The taxonomy has no conditions.");
        return -1;
    }
    QList<User> annotators;
    for (const User &u : UserRepository(store).list(error)) {
        if (u.role == Role::Annotator && u.active)
            annotators.append(u);
    }
    std::sort(annotators.begin(), annotators.end(), [](const User &a, const User &b) { return a.name < b.name; });

    // Any reason but "other": the simulated raters name what they saw.
    QStringList reasons = LabelVocabulary::ungradableReasonIds();
    reasons.removeAll(u"other"_s);
    QRandomGenerator random(options.seed);
    int written = 0;
    for (qsizetype r = 0; r < annotators.size(); ++r) {
        const User &rater = annotators.at(r);
        // Noise grows from the first rater to the last: 6 %, 14 %, 22 %, ...
        const double noise = 0.06 + 0.08 * double(r);
        auto chance = [&](double p) { return random.generateDouble() < p; };
        QString readError;
        QList<qint64> queue;
        for (const AssignmentRecord &record : AssignmentRepository(store).forUser(rater.id, &readError))
            queue.append(record.imageId);
        if (!readError.isEmpty()) {
            *error = readError;
            return -1;
        }
        std::sort(queue.begin(), queue.end());
        const qsizetype labelled = qsizetype(double(queue.size()) * std::clamp(options.share, 0.0, 1.0) + 0.5);
        AnnotationService service(store, rater);
        for (qsizetype i = 0; i < labelled; ++i) {
            const qint64 imageId = queue.at(i);
            const Truth t = truth->value(imageId);
            auto own = service.own(imageId, error);
            if (!own)
                return -1;
            Annotation a = *own;
            a.gradable = !chance(0.05 + noise / 2);
            if (!*a.gradable) {
                a.ungradableReason = reasons.at(random.bounded(int(reasons.size())));
            } else {
                a.visibleCondition = chance(noise / 2) ? u"unsure"_s : u"yes"_s;
                a.sensitive = chance(0.02);
                if (chance(0.03 + noise / 4))
                    a.identifying = {chance(0.5) ? u"tattoo"_s : u"jewellery_or_birthmark"_s};
                auto other = [&] { return conditions.at(random.bounded(int(conditions.size()))); };
                QStringList differential;
                const QString truthCondition = t.condition.isEmpty() ? other() : t.condition;
                if (chance(noise * 1.5))
                    differential << other() << truthCondition;
                else
                    differential << truthCondition;
                for (int extra = random.bounded(3); extra > 0; --extra)
                    differential << other();
                differential.removeDuplicates();
                for (qsizetype k = 0; k < std::min<qsizetype>(differential.size(), Annotation::MaxDiagnoses); ++k)
                    a.diagnoses.append({differential.at(k), k == 0 ? 3 + random.bounded(3) : 1 + random.bounded(3)});
                auto jitter = [&](int value, int max, double p) {
                    if (value < 1)
                        value = 1 + random.bounded(max);
                    if (chance(p))
                        value += chance(0.5) ? 1 : -1;
                    return QString::number(std::clamp(value, 1, max));
                };
                a.fitzpatrick = chance(0.02) ? u"not_gradable"_s : jitter(t.fitzpatrick, 6, noise * 1.5);
                a.monk = chance(0.03) ? u"not_gradable"_s : jitter(t.monk, 10, noise * 2.5);
            }
            if (!service.save(a, error) || !service.setStatus(imageId, AssignmentStatus::Done, error))
                return -1;
            ++written;
        }
    }
    return written;
}

} // namespace dl
