// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/LayerAgreement.h"

#include "auth/Permissions.h"
#include "masks/MaskRepository.h"
#include "masks/MaskService.h"
#include "qa/MaskAgreement.h"
#include "store/Sql.h"
#include "store/Store.h"

#include <QJsonObject>
#include <QMap>
#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace dl {

std::optional<QList<LayerAgreement>> LayerAgreementReport::compute(Store &store, const User &actor, QString *error)
{
    if (!Permissions::check(actor, Action::ViewAllAnnotations, error))
        return std::nullopt;
    const QSqlDatabase db = store.db();
    // Annotations that have masks, by image.
    QMap<qint64, QList<qint64>> annotationsOfImage;
    QSqlQuery query(db);
    if (!Sql::exec(query,
                   u"SELECT DISTINCT a.image_id, a.id FROM annotations a JOIN masks m ON m.annotation_id = a.id "
                   "ORDER BY a.image_id, a.id"_s,
                   {}, error))
        return std::nullopt;
    while (query.next())
        annotationsOfImage[query.value(0).toLongLong()].append(query.value(1).toLongLong());

    struct Sum
    {
        int images = 0, pairs = 0;
        double dice = 0, iou = 0, minDice = 1;
    };
    QMap<QString, Sum> sums;
    MaskRepository masks(db);
    for (auto it = annotationsOfImage.cbegin(); it != annotationsOfImage.cend(); ++it) {
        if (it->size() < 2)
            continue;
        // layer -> the raters' decoded masks
        QMap<QString, QList<cv::Mat>> byLayer;
        for (qint64 annotation : *it) {
            QString readError;
            for (const MaskRecord &record : masks.latestOfEachLayer(annotation, &readError)) {
                cv::Mat m = MaskService::decode(record, error);
                if (m.empty())
                    return std::nullopt;
                byLayer[record.layer].append(m);
            }
            if (!readError.isEmpty()) {
                *error = readError;
                return std::nullopt;
            }
        }
        for (auto layer = byLayer.cbegin(); layer != byLayer.cend(); ++layer) {
            if (layer->size() < 2)
                continue;
            Sum &sum = sums[layer.key()];
            ++sum.images;
            for (qsizetype a = 0; a < layer->size(); ++a) {
                for (qsizetype b = a + 1; b < layer->size(); ++b) {
                    const auto dice = MaskAgreement::dice(layer->at(a), layer->at(b));
                    const auto iou = MaskAgreement::iou(layer->at(a), layer->at(b));
                    if (!dice || !iou)
                        continue; // different sizes: not comparable
                    ++sum.pairs;
                    sum.dice += *dice;
                    sum.iou += *iou;
                    sum.minDice = std::min(sum.minDice, *dice);
                }
            }
        }
    }
    QList<LayerAgreement> result;
    for (auto it = sums.cbegin(); it != sums.cend(); ++it) {
        if (it->pairs == 0)
            continue;
        result.append({it.key(), it->images, it->pairs, it->dice / it->pairs, it->iou / it->pairs, it->minDice});
    }
    return result;
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
