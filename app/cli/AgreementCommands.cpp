// SPDX-License-Identifier: GPL-3.0-or-later
// dermlabel-cli agreement and consensus.
#include "Cli.h"

#include "qa/AgreementReport.h"
#include "qa/ConsensusService.h"
#include "qa/LabelFields.h"
#include "qa/MeasureLevel.h"
#include "session/QaDataSet.h"
#include "qa/StaleConsensus.h"
#include "qa/StoreAgreementReport.h"
#include "qa/StoreRatings.h"
#include "release/MaskConsensusReport.h"
#include "store/Store.h"

#include <QCoreApplication>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Cli", text);
}

static QString number(const QJsonValue &value)
{
    return value.isDouble() ? QString::number(value.toDouble(), 'f', 3) : tr("n/a");
}

int Cli::agreementCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"store"_s, tr("Compute the statistics of every label field of this store."), tr("PATH")});
    parser.addOption({u"by"_s, tr("With --store: also per group of KEY: %1 (repeatable; default fitzpatrick "
                                  "and monk; 'none' for no groups).")
                                   .arg(StoreRatings::strataKeys().join(u", "_s)),
                      tr("KEY")});
    parser.addOption({u"ratings"_s, tr("A long table with the header item,rater,field,value."), tr("FILE.csv")});
    parser.addOption({u"level"_s, tr("Measurement level of a field: FIELD=nominal|ordinal|interval (repeatable; "
                                     "default nominal)."),
                      tr("FIELD=LEVEL")});
    parser.addOption({u"bootstrap"_s, tr("Add bootstrap 95% confidence intervals with N replicates."), tr("N")});
    parser.addOption({u"seed"_s, tr("Seed of the bootstrap (same seed, same intervals)."), tr("N")});
    int exitCode = Ok;
    if (!parse(parser, args, u"agreement"_s,
               tr("Inter-rater agreement: percent agreement, Cohen's kappa per rater pair (weighted for ordinal "
                  "and interval fields), Fleiss' kappa and Krippendorff's alpha."),
               false, &exitCode))
        return exitCode;
    const QString ratings = parser.value(u"ratings"_s);
    const bool fromStore = parser.isSet(u"store"_s);
    if (ratings.isEmpty() == !fromStore)
        return usageError(tr("agreement: give either --store PATH or --ratings FILE.csv."));
    QStringList strata {u"fitzpatrick"_s, u"monk"_s};
    if (parser.isSet(u"by"_s)) {
        strata.clear();
        for (const QString &key : parser.values(u"by"_s)) {
            if (key == u"none"_s)
                continue;
            if (!StoreRatings::strataKeys().contains(key))
                return usageError(tr("agreement: --by takes one of %1, not '%2'.")
                                      .arg(StoreRatings::strataKeys().join(u", "_s), key));
            if (!strata.contains(key))
                strata.append(key);
        }
    }
    QHash<QString, MeasureLevel> levels;
    for (const QString &spec : parser.values(u"level"_s)) {
        const qsizetype equals = spec.indexOf(u'=');
        const auto level = equals > 0 ? measureLevelFromName(QStringView(spec).mid(equals + 1)) : std::nullopt;
        if (!level)
            return usageError(tr("agreement: --level takes FIELD=nominal, FIELD=ordinal or FIELD=interval, not '%1'.")
                                  .arg(spec));
        levels.insert(spec.left(equals), *level);
    }
    AgreementOptions options;
    if (parser.isSet(u"bootstrap"_s)) {
        bool ok = false;
        options.bootstrap = true;
        options.replicates = parser.value(u"bootstrap"_s).toInt(&ok);
        if (!ok || options.replicates < 10)
            return usageError(tr("agreement: --bootstrap takes a number of replicates (10 or more)."));
    }
    if (parser.isSet(u"seed"_s)) {
        bool ok = false;
        options.seed = parser.value(u"seed"_s).toULongLong(&ok);
        if (!ok)
            return usageError(tr("agreement: --seed takes a whole number."));
    }
    if (fromStore && !levels.isEmpty())
        return usageError(tr("agreement: --level applies to --ratings; a store's fields have fixed levels."));
    QString error;
    QJsonObject report;
    if (fromStore) {
        const std::unique_ptr<Store> store = openStore(parser, false, false);
        if (!store)
            return Failed;
        const QaDataSet data = QaDataSet::load(*store, operatorUser(), options, strata, QaDataSet::Scope::Agreement);
        if (!data.ok())
            return failure(data.error);
        report = StoreAgreementReport::toJson(data.agreement);
    } else {
        report = AgreementReport::fromRatingsCsv(ratings, levels, options, &error);
        if (report.isEmpty())
            return failure(error);
    }
    if (json()) {
        printJson(report);
        return Ok;
    }
    printFields(report.value(u"fields"_s).toArray());
    if (fromStore) {
        const QJsonObject diagnoses = report.value(u"diagnoses"_s).toObject();
        out() << tr("Differential diagnoses: %1 items, top-1 agreement %2, top-3 overlap %3\n")
                     .arg(diagnoses.value(u"items"_s).toInt())
                     .arg(number(diagnoses.value(u"top1_agreement"_s)), number(diagnoses.value(u"top3_overlap"_s)));
        for (const QJsonValue &layerValue : report.value(u"masks"_s).toArray()) {
            const QJsonObject layer = layerValue.toObject();
            out() << tr("Masks %1: %2 rater pairs on %3 images, mean Dice %4, mean IoU %5\n")
                         .arg(layer.value(u"layer"_s).toString())
                         .arg(layer.value(u"pairs"_s).toInt())
                         .arg(layer.value(u"images"_s).toInt())
                         .arg(number(layer.value(u"mean_dice"_s)), number(layer.value(u"mean_iou"_s)));
        }
        const QJsonArray reference = report.value(u"reference"_s).toArray();
        if (!reference.isEmpty()) {
            out() << tr("\nReference labels of imported datasets:\n");
            printFields(reference);
        }
        for (const QJsonValue &stratumValue : report.value(u"strata"_s).toArray()) {
            const QJsonObject stratum = stratumValue.toObject();
            out() << tr("\nBy %1:\n").arg(stratum.value(u"by"_s).toString());
            for (const QJsonValue &fieldValue : stratum.value(u"fields"_s).toArray()) {
                const QJsonObject field = fieldValue.toObject();
                out() << u"  "_s << field.value(u"field"_s).toString() << u':';
                for (const QJsonValue &groupValue : field.value(u"groups"_s).toArray()) {
                    const QJsonObject group = groupValue.toObject();
                    out() << tr(" %1 (n=%2) alpha %3;")
                                 .arg(group.value(u"group"_s).toString())
                                 .arg(group.value(u"items"_s).toInt())
                                 .arg(number(group.value(u"krippendorff_alpha"_s)));
                }
                out() << u'\n';
            }
            QString diagnoses;
            for (const QJsonValue &groupValue : stratum.value(u"diagnoses"_s).toArray()) {
                const QJsonObject group = groupValue.toObject();
                diagnoses += tr(" %1 (n=%2) top-1 %3, top-3 %4;")
                                 .arg(group.value(u"group"_s).toString())
                                 .arg(group.value(u"items"_s).toInt())
                                 .arg(number(group.value(u"top1_agreement"_s)), number(group.value(u"top3_overlap"_s)));
            }
            if (!diagnoses.isEmpty())
                out() << tr("  differential diagnoses:") << diagnoses << u'\n';
            for (const QJsonValue &groupValue : stratum.value(u"masks"_s).toArray()) {
                const QJsonObject group = groupValue.toObject();
                for (const QJsonValue &layerValue : group.value(u"layers"_s).toArray()) {
                    const QJsonObject layer = layerValue.toObject();
                    out() << tr("  masks %1, %2: %3 rater pairs on %4 images, mean Dice %5, mean IoU %6\n")
                                 .arg(layer.value(u"layer"_s).toString(), group.value(u"group"_s).toString())
                                 .arg(layer.value(u"pairs"_s).toInt())
                                 .arg(layer.value(u"images"_s).toInt())
                                 .arg(number(layer.value(u"mean_dice"_s)), number(layer.value(u"mean_iou"_s)));
                }
            }
        }
    }
    return Ok;
}

void Cli::printFields(const QJsonArray &fields)
{
    for (const QJsonValue &value : fields) {
        const QJsonObject field = value.toObject();
        out() << tr("%1 (%2): %3 items, percent agreement %4, Fleiss' kappa %5, Krippendorff's alpha %6\n")
                     .arg(field.value(u"field"_s).toString(), field.value(u"level"_s).toString())
                     .arg(field.value(u"items"_s).toInt())
                     .arg(number(field.value(u"percent_agreement"_s)), number(field.value(u"fleiss_kappa"_s)),
                          number(field.value(u"krippendorff_alpha"_s)));
        for (const QJsonValue &pairValue : field.value(u"pairs"_s).toArray()) {
            const QJsonObject pair = pairValue.toObject();
            out() << tr("  %1 / %2: %3 items, Cohen's kappa %4")
                         .arg(pair.value(u"rater_a"_s).toString(), pair.value(u"rater_b"_s).toString())
                         .arg(pair.value(u"items"_s).toInt())
                         .arg(number(pair.value(u"cohen_kappa"_s)));
            if (pair.contains(u"cohen_kappa_quadratic"_s))
                out() << tr(", quadratic %1").arg(number(pair.value(u"cohen_kappa_quadratic"_s)));
            out() << u'\n';
        }
    }
}

int Cli::consensusCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"quorum"_s, tr("Votes a value needs to be agreed (stored with the store; default 2)."),
                      tr("N")});
    parser.addOption({u"masks"_s, tr("Also report the consensus regions of every image and layer (what export "
                                     "would write), by majority vote or STAPLE: area, and with STAPLE each "
                                     "rater's sensitivity and specificity and the EM iterations."),
                      tr("majority|staple")});
    parser.addOption({u"staple-threshold"_s, tr("With --masks staple: the posterior a pixel needs (default 0.5)."),
                      tr("P"), u"0.5"_s});
    int exitCode = Ok;
    if (!parse(parser, args, u"consensus"_s,
               tr("Compute and store the consensus of every rated image: majority vote per field (ties and "
                  "missing quorum go to adjudication) and the weighted differential diagnosis."),
               true, &exitCode))
        return exitCode;
    std::optional<int> quorum;
    if (parser.isSet(u"quorum"_s)) {
        bool ok = false;
        quorum = parser.value(u"quorum"_s).toInt(&ok);
        if (!ok || *quorum < 1)
            return usageError(tr("consensus: --quorum takes a number of raters (1 or more)."));
    }
    std::optional<MaskConsensusReport::Method> masks;
    if (parser.isSet(u"masks"_s)) {
        const QString method = parser.value(u"masks"_s);
        if (method != u"majority"_s && method != u"staple"_s)
            return usageError(tr("consensus: --masks takes majority or staple."));
        masks = method == u"staple"_s ? MaskConsensusReport::Method::Staple : MaskConsensusReport::Method::Majority;
    }
    bool thresholdOk = false;
    const double threshold = parser.value(u"staple-threshold"_s).toDouble(&thresholdOk);
    if (!thresholdOk || !(threshold > 0.0 && threshold <= 1.0))
        return usageError(tr("consensus: --staple-threshold takes a number above 0 and at most 1."));
    if (parser.isSet(u"staple-threshold"_s) && masks != MaskConsensusReport::Method::Staple)
        return usageError(tr("consensus: --staple-threshold goes with --masks staple."));
    const std::unique_ptr<Store> store = openStore(parser, false, true);
    if (!store)
        return Failed;
    ConsensusService service(*store, operatorUser());
    QString error;
    if (quorum && !service.setQuorum(*quorum, &error))
        return failure(error);
    // Clears the marks of a team store's changed images (compute() below covers every image).
    if (!StaleConsensus::recompute(*store, &error))
        return failure(error);
    const auto summary = service.compute(&error, [](qsizetype, qsizetype) { return !interrupted().load(); });
    if (!summary)
        return failure(error);
    std::optional<QList<LayerConsensus>> layers;
    if (masks) {
        layers = MaskConsensusReport::compute(*store, operatorUser(), *masks, threshold, &error);
        if (!layers)
            return failure(error);
    }
    if (json()) {
        QJsonObject result {{u"images"_s, double(summary->images)},
                   {u"quorum"_s, ConsensusService::quorum(*store)},
                   {u"fields_agreed"_s, double(summary->agreed)},
                   {u"fields_pending"_s, double(summary->pending)},
                   {u"fields_to_adjudicate"_s, double(summary->toAdjudicate)},
                   {u"fields_adjudicated"_s, double(summary->adjudicated)},
                   {u"images_to_adjudicate"_s, double(summary->imagesToAdjudicate)}};
        if (layers)
            result.insert(u"masks"_s, MaskConsensusReport::toJson(*layers, *masks, threshold));
        printJson(result);
        return Ok;
    }
    out() << tr("Consensus of %1 images (quorum %2): %3 fields agreed, %7 waiting for raters, %4 adjudicated, %5 to "
                "adjudicate on %6 images.\n")
                 .arg(summary->images)
                 .arg(ConsensusService::quorum(*store))
                 .arg(summary->agreed)
                 .arg(summary->adjudicated)
                 .arg(summary->toAdjudicate)
                 .arg(summary->imagesToAdjudicate)
                 .arg(summary->pending);
    if (layers) {
        out() << (masks == MaskConsensusReport::Method::Staple ? tr("Consensus regions by STAPLE (threshold %1):\n").arg(threshold)
                                                                 : tr("Consensus regions by majority vote:\n"));
        for (const LayerConsensus &l : std::as_const(*layers)) {
            out() << tr("  %1 %2: %3 pixels").arg(l.imageId, l.layer).arg(l.area);
            if (masks == MaskConsensusReport::Method::Staple) {
                out() << tr(", %1 iterations").arg(l.iterations);
                for (qsizetype j = 0; j < l.raters.size(); ++j)
                    out() << tr("; %1 sensitivity %2 specificity %3")
                                 .arg(l.raters.at(j), QString::number(l.performance.at(j).sensitivity, 'f', 3),
                                      QString::number(l.performance.at(j).specificity, 'f', 3));
            }
            out() << u'\n';
        }
    }
    return Ok;
}

} // namespace dl
