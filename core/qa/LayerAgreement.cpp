// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/LayerAgreement.h"

#include "auth/Permissions.h"
#include "masks/CocoRle.h"
#include "masks/MaskService.h"
#include "qa/MaskAgreement.h"
#include "store/MaskRepository.h"
#include "store/Store.h"

#include <QJsonObject>
#include <QMap>

#include <algorithm>
#include <map>
#include <set>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

/// A stored mask as runs: parsed from its counts string, or (older PNG versions) decoded and
/// encoded again.
std::optional<Rle> runsOf(const MaskRecord &record, QString *error)
{
    if (record.encoding == MaskService::encodingName())
        return CocoRle::fromString(record.data, record.height, record.width, error);
    const cv::Mat pixels = MaskService::decode(record, error);
    if (pixels.empty())
        return std::nullopt;
    return CocoRle::encode(pixels);
}

} // namespace

std::optional<QList<RegionPairScore>> LayerAgreementReport::loadPairs(Store &store, const User &actor, QString *error)
{
    if (!Permissions::check(actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    struct Rated
    {
        qint64 annotation;
        QString rater;
    };
    // Annotations that have masks, by image, with the image's public id and the rater's name.
    QMap<qint64, QList<Rated>> annotationsOfImage;
    QHash<qint64, QString> publicIds;
    const MaskRepository masks(store);
    QString readError;
    const QList<MaskedAnnotation> masked = masks.maskedAnnotations(&readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    for (const MaskedAnnotation &a : masked) {
        publicIds.insert(a.imageId, a.imageName);
        annotationsOfImage[a.imageId].append({a.annotationId, a.raterName});
    }

    QList<RegionPairScore> result;
    for (auto it = annotationsOfImage.cbegin(); it != annotationsOfImage.cend(); ++it) {
        if (it->size() < 2)
            continue;
        // layer -> (rater, runs), raters in name order
        std::map<QString, QList<QPair<QString, Rle>>> byLayer;
        for (const Rated &rated : *it) {
            const QList<MaskRecord> records = masks.latestOfEachLayer(rated.annotation, &readError);
            if (!readError.isEmpty()) {
                *error = readError;
                return std::nullopt;
            }
            for (const MaskRecord &record : records) {
                std::optional<Rle> runs = runsOf(record, error);
                if (!runs) {
                    *error = tr("A stored mask of image %1 (%2) cannot be read: %3")
                                 .arg(publicIds.value(it.key()), record.layer, *error);
                    return std::nullopt;
                }
                byLayer[record.layer].append({rated.rater, std::move(*runs)});
            }
        }
        for (const auto &[layer, drawn] : byLayer) {
            for (qsizetype a = 0; a < drawn.size(); ++a) {
                for (qsizetype b = a + 1; b < drawn.size(); ++b) {
                    const auto dice = MaskAgreement::dice(drawn.at(a).second, drawn.at(b).second);
                    const auto iou = MaskAgreement::iou(drawn.at(a).second, drawn.at(b).second);
                    if (!dice || !iou)
                        continue; // different sizes: not comparable
                    result.append({publicIds.value(it.key()), layer, drawn.at(a).first, drawn.at(b).first, *dice, *iou});
                }
            }
        }
    }
    return result;
}

QList<LayerAgreement> LayerAgreementReport::summarize(const QList<RegionPairScore> &pairs)
{
    struct Sum
    {
        std::set<QString> images;
        int pairs = 0;
        double dice = 0, iou = 0, minDice = 1;
    };
    std::map<QString, Sum> sums;
    for (const RegionPairScore &pair : pairs) {
        Sum &sum = sums[pair.layer];
        sum.images.insert(pair.item);
        ++sum.pairs;
        sum.dice += pair.dice;
        sum.iou += pair.iou;
        sum.minDice = std::min(sum.minDice, pair.dice);
    }
    QList<LayerAgreement> result;
    for (const auto &[layer, sum] : sums)
        result.append({layer, int(sum.images.size()), sum.pairs, sum.dice / sum.pairs, sum.iou / sum.pairs, sum.minDice});
    return result;
}

QList<GroupLayerAgreement> LayerAgreementReport::stratify(
    const QList<RegionPairScore> &pairs, const QHash<QString, QString> &groups)
{
    std::map<QString, QList<RegionPairScore>> byGroup;
    for (const RegionPairScore &pair : pairs) {
        const auto group = groups.constFind(pair.item);
        if (group != groups.cend() && !group->isEmpty())
            byGroup[*group].append(pair);
    }
    QList<GroupLayerAgreement> result;
    for (const auto &[group, members] : byGroup)
        result.append({group, summarize(members)});
    return result;
}

std::optional<QList<LayerAgreement>> LayerAgreementReport::compute(Store &store, const User &actor, QString *error)
{
    const auto pairs = loadPairs(store, actor, error);
    if (!pairs)
        return std::nullopt;
    return summarize(*pairs);
}

QJsonArray LayerAgreementReport::toJson(const QList<LayerAgreement> &layers)
{
    QJsonArray array;
    for (const LayerAgreement &l : layers) {
        array.append(QJsonObject {{u"layer"_s, l.layer},
                                  {u"images"_s, l.images},
                                  {u"pairs"_s, l.pairs},
                                  {u"mean_dice"_s, l.meanDice},
                                  {u"mean_iou"_s, l.meanIou},
                                  {u"min_dice"_s, l.minDice}});
    }
    return array;
}

} // namespace dl
