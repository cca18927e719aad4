// SPDX-License-Identifier: GPL-3.0-or-later
#include "release/MaskConsensusReport.h"

#include "auth/Permissions.h"
#include "masks/MaskService.h"
#include "qa/ConsensusService.h"
#include "qa/LabelFields.h"
#include "release/ExportSource.h"
#include "store/UserRepository.h"

#include <QJsonArray>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

QStringList MaskConsensusReport::conditions(const ExportImage &e, int quorum)
{
    QStringList conditions;
    const QString top = e.settled(u"diagnosis"_s);
    if (!top.isEmpty() && top != LabelFields::cannotDetermine())
        conditions.append(top);
    for (const WeightedCondition &w : e.differential) {
        int named = 0;
        for (const Annotation &a : e.annotations)
            named += std::any_of(a.diagnoses.cbegin(), a.diagnoses.cend(),
                                 [&](const Diagnosis &d) { return d.conditionId == w.conditionId; });
        if (named >= quorum && !conditions.contains(w.conditionId))
            conditions.append(w.conditionId);
    }
    return conditions;
}

std::optional<QList<LayerConsensus>> MaskConsensusReport::compute(Store &store, const User &actor, Method method,
                                                                  double stapleThreshold, QString *error)
{
    if (!Permissions::check(actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    const auto data = ExportSource::load(store, error);
    if (!data)
        return std::nullopt;
    QString readError;
    QHash<qint64, QString> userNames;
    for (const User &user : UserRepository(store).list(&readError))
        userNames.insert(user.id, user.name);
    if (!readError.isEmpty()) {
        if (error)
            *error = readError;
        return std::nullopt;
    }
    const int quorum = ConsensusService::quorum(store);
    QList<LayerConsensus> layers;
    for (const ExportImage &e : data->images) {
        for (const QString &condition : conditions(e, quorum)) {
            const QString layer = u"condition:"_s + condition;
            LayerConsensus result {e.image.publicId, layer, {}, 0, {}, 0, true};
            QList<cv::Mat> masks;
            QList<int> drawn; // indices into masks of the raters who drew
            cv::Size size;
            cv::Rect region;
            for (const Annotation &a : e.annotations) {
                if (std::none_of(a.diagnoses.cbegin(), a.diagnoses.cend(),
                                 [&](const Diagnosis &d) { return d.conditionId == condition; }))
                    continue;
                result.raters.append(userNames.value(a.userId));
                cv::Mat m;
                for (const MaskRecord &record : e.masks.value(a.id)) {
                    if (record.layer != layer)
                        continue;
                    m = MaskService::decode(record, error);
                    if (m.empty())
                        return std::nullopt;
                }
                if (!m.empty()) {
                    if (!size.empty() && m.size() != size) {
                        if (error)
                            *error = tr("Image %1: the masks of %2 differ in size.").arg(e.image.publicId, condition);
                        return std::nullopt;
                    }
                    size = m.size();
                    const cv::Rect bounds = cv::boundingRect(m);
                    region = region.empty() ? bounds : (bounds.empty() ? region : (region | bounds));
                }
                masks.append(m);
            }
            if (region.empty())
                continue; // nobody drew this layer
            QList<cv::Mat> votes;
            for (const cv::Mat &m : std::as_const(masks))
                votes.append(m.empty() ? cv::Mat(cv::Mat::zeros(region.size(), CV_8UC1)) : m(region));
            if (method == Method::Staple) {
                StapleOptions options;
                options.threshold = stapleThreshold;
                options.outsidePixels = qint64(size.area()) - region.area();
                options.probabilityMap = false;
                const auto staple = MaskConsensus::staple(votes, options);
                if (!staple) {
                    if (error)
                        *error = tr("Image %1: STAPLE cannot be run on the masks of %2.").arg(e.image.publicId, condition);
                    return std::nullopt;
                }
                result.area = cv::countNonZero(staple->mask);
                if (staple->outsideProbability >= stapleThreshold)
                    result.area += options.outsidePixels;
                result.performance = staple->raters;
                result.iterations = staple->iterations;
                result.converged = staple->converged;
            } else {
                const auto majority = MaskConsensus::majority(votes);
                result.area = majority ? cv::countNonZero(*majority) : 0;
            }
            layers.append(result);
        }
    }
    return layers;
}

QJsonObject MaskConsensusReport::toJson(const QList<LayerConsensus> &layers, Method method, double stapleThreshold)
{
    QJsonArray array;
    for (const LayerConsensus &l : layers) {
        QJsonObject o {{u"image"_s, l.imageId}, {u"layer"_s, l.layer}, {u"area"_s, double(l.area)}};
        QJsonArray raters;
        for (qsizetype j = 0; j < l.raters.size(); ++j) {
            QJsonObject rater {{u"rater"_s, l.raters.at(j)}};
            if (method == Method::Staple) {
                rater.insert(u"sensitivity"_s, l.performance.at(j).sensitivity);
                rater.insert(u"specificity"_s, l.performance.at(j).specificity);
            }
            raters.append(rater);
        }
        o.insert(u"raters"_s, raters);
        if (method == Method::Staple) {
            o.insert(u"iterations"_s, l.iterations);
            o.insert(u"converged"_s, l.converged);
        }
        array.append(o);
    }
    QJsonObject result {{u"method"_s, method == Method::Staple ? u"staple"_s : u"majority"_s}, {u"layers"_s, array}};
    if (method == Method::Staple)
        result.insert(u"threshold"_s, stapleThreshold);
    return result;
}

} // namespace dl
