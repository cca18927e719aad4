// SPDX-License-Identifier: GPL-3.0-or-later
#include "release/BundleExporter.h"

#include "auth/Permissions.h"
#include "base/Version.h"
#include "export/BundleWriter.h"
#include "export/CocoWriter.h"
#include "export/LabelMeWriter.h"
#include "export/MetadataStripper.h"
#include "imaging/ImageDecoder.h"
#include "imaging/ImageFormat.h"
#include "masks/MaskCodec.h"
#include "masks/MaskService.h"
#include "model/LabelVocabulary.h"
#include "qa/ConsensusService.h"
#include "qa/LabelFields.h"
#include "qa/MaskConsensus.h"
#include "release/ExportSource.h"
#include "release/MaskConsensusReport.h"
#include "store/AuditLog.h"
#include "store/ImageFileCache.h"
#include "store/Store.h"
#include "taxonomy/Taxonomy.h"
#include "text/CsvWriter.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QThread>
#include <QtConcurrent/QtConcurrentMap>

#include <opencv2/core.hpp>

#include <cmath>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

/// One exported region: a condition and, for rater bundles, whose it is.
struct NamedMask
{
    QString condition;
    QString rater; ///< pseudonym; empty for consensus masks
    Rle rle;       ///< for COCO (the pixels stay in the worker's buffers)
};

/// A worker thread's mask buffers, reused from image to image: a 12 MP buffer costs its page
/// faults each time it is allocated anew, which would dominate an export.
struct Buffers
{
    QList<cv::Mat> raters;   ///< decoded rater layers
    QList<cv::Mat> results;  ///< the image's exported masks
    cv::Mat votes;
    cv::Mat redaction;
};

Buffers &buffers()
{
    thread_local Buffers b;
    return b;
}

/// Decodes a stored layer into `out` (reusing its memory); false and *error when unreadable.
/// `bounds`, when given, receives a rectangle that holds every pixel set (from the run-length
/// form, without looking at the pixels).
bool decodeInto(const MaskRecord &record, cv::Mat &out, QString *error, cv::Rect *bounds = nullptr)
{
    if (record.encoding == u"rle"_s) {
        const auto rle = CocoRle::fromString(record.data, record.height, record.width, error);
        if (rle && CocoRle::decodeInto(*rle, out)) {
            if (bounds) {
                const QRectF box = CocoRle::bbox(*rle);
                *bounds = box.isEmpty() ? cv::Rect() : cv::Rect(int(std::floor(box.x())), int(std::floor(box.y())), int(std::ceil(box.width())) + 1,
                                   int(std::ceil(box.height())) + 1)
                    & cv::Rect(0, 0, out.cols, out.rows);
            }
            return true;
        }
        if (error && error->isEmpty())
            *error = QCoreApplication::translate("dl::BundleExporter", "a mask layer cannot be read.");
        return false;
    }
    out = MaskService::decode(record, error);
    if (bounds)
        *bounds = cv::Rect(0, 0, out.cols, out.rows);
    return !out.empty();
}

/// STAPLE's estimate of one rater on one consensus region (staple.csv).
struct StapleRow
{
    QString condition;
    QString rater; ///< pseudonym
    RaterPerformance performance;
    int iterations = 0;
};

struct ImageOutput
{
    QString error;
    QString imagePath; ///< inside the bundle
    int width = 0, height = 0;
    QList<NamedMask> masks;
    QList<StapleRow> staple;
    int maskFiles = 0;
    bool redacted = false;
    bool reencoded = false;
    QStringList notes; ///< from the metadata stripper
};

struct Context
{
    ImageFileCache *files = nullptr; ///< where the image files are (downloaded on a team store)
    BundleExportOptions options;
    int quorum = 2;
    QHash<qint64, QString> pseudonyms;
    BundleWriter *writer = nullptr;
    /// Set when the release gate generalised the condition: masks go by the condition's group.
    const AnonymityResult *generalisedCondition = nullptr;
};

QString conditionName(const QString &id)
{
    const Condition *c = Taxonomy::builtin().find(id);
    return c ? c->name : id;
}

QSize displayedSize(const ImageRecord &image)
{
    return image.orientation >= 5 && image.orientation <= 8 ? QSize(image.height, image.width)
                                                              : QSize(image.width, image.height);
}

/// The latest version of a layer of an annotation, if there is one.
const MaskRecord *layerRecord(const ExportImage &e, qint64 annotationId, const QString &layer)
{
    const auto it = e.masks.constFind(annotationId);
    if (it == e.masks.cend())
        return nullptr;
    for (const MaskRecord &record : *it) {
        if (record.layer == layer)
            return &record;
    }
    return nullptr;
}

/// `labels`: the image's consensus row as attributes (LabelMe carries them as "attributes").
ImageOutput processImage(const ExportImage &e, const Context &context, const QJsonObject &labels)
{
    ImageOutput out;
    const QSize size = displayedSize(e.image);
    out.width = size.width();
    out.height = size.height();
    auto fail = [&](const QString &message) {
        out.error = QCoreApplication::translate("dl::BundleExporter", "Image %1: %2").arg(e.image.publicId, message);
        return out;
    };
    QString error;

    Buffers &buffer = buffers();
    auto sizeMatches = [&](const cv::Mat &m) { return m.cols == size.width() && m.rows == size.height(); };

    // Regions to burn in: every rater's identifying regions, together.
    bool anyRedaction = false;
    for (const Annotation &a : e.annotations) {
        for (const MaskRecord &record : e.masks.value(a.id)) {
            if (!record.layer.startsWith(u"identifying:"_s))
                continue;
            if (buffer.raters.isEmpty())
                buffer.raters.append(cv::Mat());
            if (!decodeInto(record, buffer.raters.first(), &error))
                return fail(error);
            if (!sizeMatches(buffer.raters.first()))
                return fail(QCoreApplication::translate("dl::BundleExporter", "a mask does not have the image's size."));
            if (!anyRedaction)
                buffer.redaction = cv::Mat::zeros(buffer.raters.first().size(), CV_8UC1);
            cv::bitwise_or(buffer.redaction, buffer.raters.first(), buffer.redaction);
            anyRedaction = true;
        }
    }
    const cv::Mat redaction = anyRedaction ? buffer.redaction : cv::Mat();
    out.redacted = anyRedaction && cv::countNonZero(redaction) > 0;

    // The image: metadata stripped losslessly, or decoded, redacted and written as PNG.
    const ImageFormat format = formatFromName(e.image.format);
    QString fileError;
    const QString path = context.files->localFile(e.image, &fileError);
    if (path.isEmpty())
        return fail(fileError);
    const ImageFileCache::Pin pin(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(file.errorString());
    const QByteArray raw = file.readAll();
    file.close();
    const bool lossless = !out.redacted && e.image.orientation <= 1
        && (format == ImageFormat::Jpeg || format == ImageFormat::Png);
    QByteArray bytes;
    QString extension;
    if (lossless) {
        bytes = MetadataStripper::strip(raw, &error, &out.notes);
        extension = formatExtension(format);
    } else {
        QImage image = ImageDecoder::decode(raw, &error);
        if (image.isNull())
            return fail(error);
        if (out.redacted) {
            Redactor::Options options;
            options.mode = context.options.redaction;
            image = Redactor::redact(image, redaction, options, &error);
            if (image.isNull())
                return fail(error);
        }
        bytes = MetadataStripper::encodeLossless(image, &error);
        extension = u"png"_s;
        out.reencoded = true;
    }
    if (bytes.isEmpty())
        return fail(error);
    out.imagePath = u"images/%1.%2"_s.arg(e.image.publicId, extension);
    if (!context.writer->addFile(out.imagePath, bytes, &error))
        return fail(error);

    // The masks, into this thread's buffers.
    QList<LabelMeMask> shapes;
    auto addMask = [&](const QString &id, const QString &rater, const cv::Mat &mask, const cv::Rect &within) {
        // A generalised condition: the group's region is that of its first condition written.
        const QString condition = context.generalisedCondition
            ? context.generalisedCondition->generalise(QuasiIdentifiers::condition(), id) : id;
        if (std::any_of(out.masks.cbegin(), out.masks.cend(),
                        [&](const NamedMask &m) { return m.condition == condition && m.rater == rater; }))
            return true;
        const QString path = rater.isEmpty() ? u"masks/%1/%2.png"_s.arg(e.image.publicId, condition)
                                             : u"masks/%1/%2/%3.png"_s.arg(e.image.publicId, rater, condition);
        if (!context.writer->addFile(path, MaskCodec::encodeBinaryPng(mask), &error))
            return false;
        ++out.maskFiles;
        out.masks.append({condition, rater, CocoRle::encode(mask)});
        shapes.append({condition, mask, rater, {}, within});
        return true;
    };
    if (context.options.labels == BundleExportOptions::Labels::Consensus) {
        int used = 0;
        for (const QString &condition : MaskConsensusReport::conditions(e, context.quorum)) {
            QList<cv::Mat> votes;
            QStringList voters;
            cv::Rect region; // holds every pixel any rater set: the vote runs there only
            for (const Annotation &a : e.annotations) {
                if (std::none_of(a.diagnoses.cbegin(), a.diagnoses.cend(),
                                 [&](const Diagnosis &d) { return d.conditionId == condition; }))
                    continue;
                voters.append(context.pseudonyms.value(a.userId));
                if (buffer.raters.size() <= votes.size())
                    buffer.raters.append(cv::Mat());
                cv::Mat &m = buffer.raters[votes.size()];
                if (const MaskRecord *record = layerRecord(e, a.id, u"condition:"_s + condition)) {
                    cv::Rect bounds;
                    if (!decodeInto(*record, m, &error, &bounds))
                        return fail(error);
                    if (!sizeMatches(m))
                        return fail(QCoreApplication::translate("dl::BundleExporter", "the masks of %1 differ in size.")
                                        .arg(condition));
                    region = region.empty() ? bounds : (region | bounds);
                } else {
                    m.create(size.height(), size.width(), CV_8UC1);
                    m.setTo(0); // named it, drew nothing: a vote for "outside"
                }
                votes.append(m);
            }
            if (region.empty())
                continue;
            if (buffer.results.size() <= used)
                buffer.results.append(cv::Mat());
            cv::Mat &result = buffer.results[used];
            result.create(size.height(), size.width(), CV_8UC1);
            result.setTo(0);
            QList<cv::Mat> regionVotes;
            for (const cv::Mat &m : std::as_const(votes))
                regionVotes.append(m(region));
            cv::Mat regionResult = result(region);
            std::optional<StapleResult> staple;
            cv::Rect within = region; // holds every pixel of the result
            if (context.options.maskMethod == BundleExportOptions::MaskMethod::Staple) {
                StapleOptions options;
                options.threshold = context.options.stapleThreshold;
                options.outsidePixels = qint64(size.width()) * size.height() - region.area();
                options.probabilityMap = context.options.stapleProbabilities;
                staple = MaskConsensus::staple(regionVotes, options);
                if (!staple)
                    return fail(QCoreApplication::translate("dl::BundleExporter", "STAPLE cannot be run on the masks of %1.")
                                    .arg(condition));
                // Below a low threshold, even the pixels nobody marked can be in.
                if (staple->outsideProbability >= options.threshold) {
                    result.setTo(255);
                    within = cv::Rect(0, 0, size.width(), size.height());
                }
                staple->mask.copyTo(regionResult);
            } else {
                MaskConsensus::majorityInto(regionVotes, int(votes.size()) / 2 + 1, regionResult, buffer.votes);
            }
            if (cv::countNonZero(result(within)) == 0)
                continue;
            ++used;
            // With the condition generalised, files name the group, and only its first region is written.
            const QString released = context.generalisedCondition
                ? context.generalisedCondition->generalise(QuasiIdentifiers::condition(), condition) : condition;
            const bool firstOfItsName = std::none_of(out.masks.cbegin(), out.masks.cend(), [&](const NamedMask &m) {
                return m.condition == released && m.rater.isEmpty();
            });
            if (!addMask(condition, {}, result, within))
                return fail(error);
            if (staple && firstOfItsName) {
                for (qsizetype j = 0; j < voters.size(); ++j)
                    out.staple.append({released, voters.at(j), staple->raters.at(j), staple->iterations});
                if (context.options.stapleProbabilities) {
                    // The posterior of every pixel: nobody's outside the region, 0..255.
                    cv::Mat soft(size.height(), size.width(), CV_8UC1,
                                 cv::Scalar(std::round(255.0 * staple->outsideProbability)));
                    cv::Mat inRegion = soft(region);
                    staple->probability.convertTo(inRegion, CV_8UC1, 255.0);
                    if (!context.writer->addFile(u"probabilities/%1/%2.png"_s.arg(e.image.publicId, released),
                                                 MaskCodec::encodePng(soft), &error))
                        return fail(error);
                }
            }
        }
    } else {
        int used = 0;
        for (const Annotation &a : e.annotations) {
            for (const MaskRecord &record : e.masks.value(a.id)) {
                if (!record.layer.startsWith(u"condition:"_s))
                    continue;
                if (buffer.results.size() <= used)
                    buffer.results.append(cv::Mat());
                cv::Mat &m = buffer.results[used];
                cv::Rect bounds;
                if (!decodeInto(record, m, &error, &bounds))
                    return fail(error);
                if (!sizeMatches(m))
                    return fail(QCoreApplication::translate("dl::BundleExporter", "a mask does not have the image's size."));
                if (bounds.empty() || cv::countNonZero(m(bounds)) == 0)
                    continue;
                ++used;
                if (!addMask(record.layer.mid(10), context.pseudonyms.value(a.userId), m, bounds))
                    return fail(error);
            }
        }
    }
    const QString labelMePath = u"labelme/%1.json"_s.arg(e.image.publicId);
    const auto labelMe = LabelMeWriter::build(LabelMeWriter::relativeImagePath(labelMePath, out.imagePath),
                                              size.width(), size.height(), shapes, &error);
    if (!labelMe)
        return fail(error);
    QJsonObject document = *labelMe;
    document.insert(u"attributes"_s, labels); // an extra key, which LabelMe keeps
    if (!context.writer->addFile(labelMePath, LabelMeWriter::toJson(document), &error))
        return fail(error);
    return out;
}

QString fitzpatrickLabel(const QString &value)
{
    return value.isEmpty() || value == u"not_gradable"_s ? QString() : u"FST"_s + value;
}

QString gradableOf(const QString &value)
{
    if (value.isEmpty())
        return {};
    return value == u"not_gradable"_s ? u"NO"_s : u"YES"_s;
}

/// {'Eczema': 0.6923, 'Psoriasis': 0.0769}: the SCIN form, condition names, four decimals.
QString weightedLabel(const QList<WeightedCondition> &differential)
{
    QStringList items;
    for (const WeightedCondition &w : differential) {
        QString name = conditionName(w.conditionId);
        name.replace(u'\\', u"\\\\"_s).replace(u'\'', u"\\'"_s);
        items.append(u"'%1': %2"_s.arg(name, QString::number(w.weight, 'f', 4)));
    }
    return u"{"_s + items.join(u", "_s) + u"}"_s;
}

QStringList consensusColumns()
{
    QStringList columns {u"image_id"_s, u"case_id"_s, u"consensus_status"_s, u"raters"_s,
                         u"gradable_for_skin_condition"_s, u"ungradable_reason"_s, u"visible_skin_condition"_s,
                         u"sensitive_content"_s};
    for (const QString &kind : LabelVocabulary::identifyingKindIds())
        columns.append(u"identifying_"_s + kind);
    columns << u"skin_condition_label"_s << u"skin_condition_name"_s << u"weighted_skin_condition_label"_s
            << u"gradable_for_fitzpatrick_skin_type"_s << u"fitzpatrick_skin_type_label"_s
            << u"gradable_for_monk_skin_tone"_s << u"monk_skin_tone_label"_s << u"age_group"_s << u"sex_at_birth"_s
            << u"fitzpatrick_skin_type"_s << u"body_parts"_s << u"condition_duration"_s << u"country"_s
            << u"split"_s;
    return columns;
}

/// `released`: the values the release gate generalised (ReleaseDecision::generalised).
QStringList consensusRow(const ExportImage &e, const QString &caseId, const ReleasePlan &plan,
                         const QHash<QString, QString> &released)
{
    // agreed: every field settled; partial: some are not (pending or to adjudicate).
    const bool allSettled = std::all_of(e.consensus.cbegin(), e.consensus.cend(), [](const FieldConsensus &f) {
        return f.status == ConsensusStatus::Agreed || f.status == ConsensusStatus::Adjudicated;
    });
    const bool adjudicated = std::any_of(e.consensus.cbegin(), e.consensus.cend(),
                                         [](const FieldConsensus &f) { return f.status == ConsensusStatus::Adjudicated; });
    QStringList row {e.image.publicId, caseId,
                     allSettled ? (adjudicated ? u"adjudicated"_s : u"agreed"_s) : u"partial"_s,
                     QString::number(e.annotations.size()),
                     e.settled(u"gradable"_s).toUpper(), e.settled(u"ungradable_reason"_s),
                     e.settled(u"visible_condition"_s).toUpper(), e.settled(u"sensitive"_s).toUpper()};
    for (const QString &kind : LabelVocabulary::identifyingKindIds())
        row.append(e.settled(u"identifying_"_s + kind).toUpper());
    const QString top = e.settled(u"diagnosis"_s);
    const QString fst = e.settled(u"fitzpatrick_type"_s), monk = e.settled(u"monk_tone"_s);
    // Generalised quasi-identifiers replace the case's values; the dermatologists' skin type
    // follows the self-reported one's level.
    auto value = [&](const QString &column, const QString &raw) { return released.value(column, raw); };
    const bool conditionGeneralised = released.contains(QuasiIdentifiers::condition()) && !top.isEmpty()
        && plan.anonymity.levelOf(QuasiIdentifiers::condition()) > 0;
    const QString condition = conditionGeneralised ? released.value(QuasiIdentifiers::condition()) : top;
    QString fstLabel = fitzpatrickLabel(fst);
    if (released.contains(u"skin_type"_s) && !fstLabel.isEmpty())
        fstLabel = plan.anonymity.generalise(u"skin_type"_s, fstLabel);
    row << condition << (condition.isEmpty() ? QString() : conditionName(condition))
        << (conditionGeneralised ? QString() : weightedLabel(e.differential)) << gradableOf(fst) << fstLabel
        << gradableOf(monk) << (monk == u"not_gradable"_s ? QString() : monk)
        << value(u"age_group"_s, e.metadata.ageGroup) << value(u"sex_at_birth"_s, e.metadata.sex)
        << value(u"skin_type"_s, e.metadata.skinTypeSelf)
        << value(u"body_site"_s, e.metadata.bodySites.join(u"; "_s))
        << value(u"condition_duration"_s, e.metadata.duration) << value(u"country"_s, e.metadata.country)
        << e.metadata.split;
    return row;
}

void appendRatings(QStringList &lines, const ExportImage &e, const QHash<qint64, QString> &pseudonyms,
                   const AnonymityResult *generalisedCondition)
{
    for (const Annotation &a : e.annotations) {
        const QString rater = pseudonyms.value(a.userId);
        auto add = [&](const QString &field, const QString &value) {
            if (value.isEmpty())
                return;
            const bool diagnosis = field.startsWith(u"diagnosis_"_s) && !field.endsWith(u"_confidence"_s);
            lines.append(CsvWriter::formatRow(
                {e.image.publicId, rater, field,
                 diagnosis && generalisedCondition && value != LabelFields::cannotDetermine()
                     ? generalisedCondition->generalise(QuasiIdentifiers::condition(), value)
                     : value}));
        };
        for (const LabelField &field : LabelFields::all()) {
            if (field.uses & LabelField::Agreement)
                add(field.name, field.value(a));
        }
        for (qsizetype i = 0; i < a.diagnoses.size(); ++i)
            add(u"diagnosis_%1_confidence"_s.arg(i + 1), QString::number(a.diagnoses.at(i).confidence));
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small generator whose output is fixed by its definition.
class SplitMix64
{
public:
    explicit SplitMix64(quint64 seed) : m_state(seed) { }
    quint64 next()
    {
        quint64 z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, bound), by rejection.
    quint64 below(quint64 bound)
    {
        const quint64 limit = ~quint64(0) - (~quint64(0) % bound);
        quint64 x = next();
        while (x >= limit)
            x = next();
        return x % bound;
    }

private:
    quint64 m_state;
};

/// The consensus masks' method and its settings, for release_report.json and the manifest.
QJsonObject maskConsensusJson(const BundleExportOptions &options)
{
    if (options.maskMethod == BundleExportOptions::MaskMethod::Majority)
        return {{u"method"_s, u"majority"_s}, {u"rule"_s, u"more than half of the raters who named the condition"_s}};
    const StapleOptions defaults;
    return {{u"method"_s, u"staple"_s},
            {u"threshold"_s, options.stapleThreshold},
            {u"prior"_s, u"global: the mean share of raters marking a pixel, over the image"_s},
            {u"initialisation"_s, u"posterior = share of votes"_s},
            {u"tolerance"_s, defaults.tolerance},
            {u"max_iterations"_s, defaults.maxIterations},
            {u"probabilities"_s, options.stapleProbabilities}};
}

} // namespace

QHash<qint64, QString> BundleExporter::raterPseudonyms(QList<qint64> userIds, quint32 seed)
{
    std::sort(userIds.begin(), userIds.end());
    userIds.erase(std::unique(userIds.begin(), userIds.end()), userIds.end());
    SplitMix64 random(seed);
    for (qsizetype i = userIds.size() - 1; i > 0; --i)
        std::swap(userIds[i], userIds[qsizetype(random.below(quint64(i) + 1))]);
    QHash<qint64, QString> names;
    for (qsizetype i = 0; i < userIds.size(); ++i)
        names.insert(userIds.at(i), u"rater_%1"_s.arg(i + 1, 2, 10, QChar(u'0')));
    return names;
}

QJsonObject BundleExportReport::toJson() const
{
    QJsonObject o {{u"ok"_s, ok},
                   {u"out"_s, outPath},
                   {u"images"_s, images},
                   {u"masks"_s, masks},
                   {u"annotations"_s, annotations},
                   {u"redacted"_s, redacted},
                   {u"reencoded"_s, reencoded},
                   {u"release"_s, plan.toJson()}};
    if (!ok)
        o.insert(u"error"_s, error);
    if (ok)
        o.insert(u"rater_seed"_s, double(raterSeed));
    if (!notes.isEmpty())
        o.insert(u"notes"_s, QJsonArray::fromStringList(notes));
    if (cancelled)
        o.insert(u"cancelled"_s, true);
    return o;
}

std::optional<ReleasePlan> BundleExporter::preview(const ReleaseOptions &options, QString *error)
{
    if (!Permissions::check(m_actor, Action::ExportBundles, error))
        return std::nullopt;
    const auto data = ExportSource::load(m_store, error);
    if (!data)
        return std::nullopt;
    QList<ReleaseCandidate> candidates;
    for (const ExportImage &e : data->images)
        candidates.append(e.candidate());
    ReleasePlan plan = ReleaseGate::decide(candidates, options);
    if (!plan.error.isEmpty()) {
        *error = plan.error;
        return std::nullopt;
    }
    return plan;
}

BundleExportReport BundleExporter::run(const BundleExportOptions &options, const std::function<bool(int, int)> &progress)
{
    BundleExportReport report;
    report.outPath = options.outPath;
    if (!Permissions::check(m_actor, Action::ExportBundles, &report.error))
        return report;
    if (options.outPath.isEmpty()) {
        report.error = tr("No output path given.");
        return report;
    }
    auto data = ExportSource::load(m_store, &report.error);
    if (!data)
        return report;
    // Rater numbers from a seeded shuffle, not from the order of the names.
    report.raterSeed = options.raterSeed ? *options.raterSeed : QRandomGenerator::system()->generate();
    data->raterPseudonyms = raterPseudonyms(data->raterPseudonyms.keys(), report.raterSeed);
    QList<ReleaseCandidate> candidates;
    for (const ExportImage &e : data->images)
        candidates.append(e.candidate());
    report.plan = ReleaseGate::decide(candidates, options.release);
    if (!report.plan.error.isEmpty()) {
        report.error = report.plan.error;
        return report;
    }
    QList<const ExportImage *> released;
    QHash<const ExportImage *, const ReleaseDecision *> decisionOf;
    for (qsizetype i = 0; i < data->images.size(); ++i) {
        if (report.plan.decisions.at(i).released()) {
            released.append(&data->images.at(i));
            decisionOf.insert(&data->images.at(i), &report.plan.decisions.at(i));
        }
    }

    BundleWriter writer;
    if (!writer.begin(options.outPath, options.zip ? BundleWriter::Kind::Zip : BundleWriter::Kind::Directory,
                      options.overwrite, &report.error))
        return report;

    ImageFileCache files(m_store);
    Context context {&files, options, ConsensusService::quorum(m_store), data->raterPseudonyms,
                     &writer, nullptr};
    if (report.plan.generalised && report.plan.anonymity.levelOf(QuasiIdentifiers::condition()) > 0)
        context.generalisedCondition = &report.plan.anonymity;
    // The dataset's own case id only where the source publishes its ids and the admin asked for it.
    QSet<qint64> publicSources;
    for (const ExportSourceInfo &s : data->sources) {
        if (s.idsPublic && options.publicIds)
            publicSources.insert(s.id);
    }
    auto caseIdOf = [&](const ExportImage &e) {
        return publicSources.contains(e.sourceId) ? e.sourceCaseId : e.caseName;
    };

    // Sources and their licences, as COCO licenses (the images refer to them).
    QJsonArray licences, sourcesJson;
    QHash<qint64, int> licenceOfSource;
    for (const ExportSourceInfo &s : data->sources) {
        licenceOfSource.insert(s.id, int(licences.size()) + 1);
        licences.append(QJsonObject {{u"id"_s, int(licences.size()) + 1}, {u"name"_s, s.licence}, {u"url"_s, u""_s}});
        // A source's name is its folder's name, which may be a path's or a person's: sources go by
        // their kind and a pseudonym.
        sourcesJson.append(QJsonObject {{u"id"_s, m_store.pseudonym(u"source"_s, QByteArray::number(s.id))},
                                        {u"kind"_s, s.kind},
                                        {u"licence"_s, s.licence},
                                        {u"attribution"_s, s.attribution}});
    }
    CocoWriter coco;
    coco.setInfo({{u"description"_s, tr("DermLabel label bundle")},
                  {u"version"_s, u"1"_s},
                  {u"contributor"_s, u""_s}});
    coco.setLicenses(licences);
    QHash<QString, bool> categories;
    QString error;

    // Images and masks in parallel, in chunks; COCO in image order after each chunk.
    const int threads = options.threads > 0 ? options.threads : std::max(1, QThread::idealThreadCount());
    QThreadPool pool;
    pool.setMaxThreadCount(threads);
    const qsizetype chunk = qsizetype(threads) * 2;
    const QStringList columns = consensusColumns();
    QStringList consensusLines {CsvWriter::formatRow(columns)};
    QStringList ratingLines {CsvWriter::formatRow({u"item"_s, u"rater"_s, u"field"_s, u"value"_s})};
    const bool staple = options.labels == BundleExportOptions::Labels::Consensus
        && options.maskMethod == BundleExportOptions::MaskMethod::Staple;
    QStringList stapleLines {CsvWriter::formatRow(
        {u"image_id"_s, u"layer"_s, u"rater"_s, u"sensitivity"_s, u"specificity"_s, u"iterations"_s})};
    const int total = int(released.size());
    for (qsizetype first = 0; first < released.size(); first += chunk) {
        const QList<const ExportImage *> batch = released.mid(first, chunk);
        // The image's labels (the released, generalised values) travel with each of its regions.
        QHash<const ExportImage *, QJsonObject> labelsOf;
        QHash<const ExportImage *, QStringList> rowOf;
        for (const ExportImage *e : batch) {
            const QStringList row = consensusRow(*e, caseIdOf(*e), report.plan, decisionOf.value(e)->generalised);
            QJsonObject labels;
            for (qsizetype c = 2; c < columns.size(); ++c) {
                if (!row.at(c).isEmpty())
                    labels.insert(columns.at(c), row.at(c));
            }
            rowOf.insert(e, row);
            labelsOf.insert(e, labels);
        }
        const QList<ImageOutput> outputs = QtConcurrent::blockingMapped(
            &pool, batch, [&context, &labelsOf](const ExportImage *e) { return processImage(*e, context, labelsOf.value(e)); });
        for (qsizetype i = 0; i < batch.size(); ++i) {
            const ExportImage &e = *batch.at(i);
            const ImageOutput &out = outputs.at(i);
            if (!out.error.isEmpty()) {
                report.error = out.error;
                writer.abort();
                return report;
            }
            const QStringList &row = rowOf[&e];
            const QJsonObject &labels = labelsOf[&e];
            CocoImageRecord record {out.imagePath, out.width, out.height, licenceOfSource.value(e.sourceId), {}};
            for (const NamedMask &m : out.masks) {
                if (!categories.contains(m.condition)) {
                    const Condition *c = Taxonomy::builtin().find(m.condition);
                    if (!coco.addCategory(m.condition, c && !c->parentId.isEmpty() ? c->parentId : u"skin_condition"_s,
                                          &error)) {
                        report.error = error;
                        writer.abort();
                        return report;
                    }
                    categories.insert(m.condition, true);
                }
                QJsonObject attributes = labels;
                attributes.insert(u"condition_name"_s, conditionName(m.condition));
                if (!m.rater.isEmpty())
                    attributes.insert(u"rater"_s, m.rater);
                record.masks.append({m.condition, cv::Mat(), attributes, m.rle});
            }
            if (!coco.addImage(record, &error)) {
                report.error = error;
                writer.abort();
                return report;
            }
            consensusLines.append(CsvWriter::formatRow(row));
            appendRatings(ratingLines, e, data->raterPseudonyms, context.generalisedCondition);
            for (const StapleRow &s : out.staple)
                stapleLines.append(CsvWriter::formatRow({e.image.publicId, u"condition:"_s + s.condition, s.rater,
                                                         QString::number(s.performance.sensitivity, 'f', 9),
                                                         QString::number(s.performance.specificity, 'f', 9),
                                                         QString::number(s.iterations)}));
            ++report.images;
            report.masks += out.maskFiles;
            report.redacted += out.redacted ? 1 : 0;
            report.reencoded += out.reencoded ? 1 : 0;
            for (const QString &note : out.notes)
                report.notes.append(tr("Image %1: %2").arg(e.image.publicId, note));
        }
        if (progress && !progress(report.images, total)) {
            writer.abort();
            report.cancelled = true;
            report.error = tr("Export cancelled; nothing was written.");
            return report;
        }
    }
    report.annotations = coco.annotationCount();

    QJsonObject release = report.plan.toJson();
    release.insert(u"rater_seed"_s, double(report.raterSeed));
    const QJsonObject maskConsensus = maskConsensusJson(options);
    if (options.labels == BundleExportOptions::Labels::Consensus)
        release.insert(u"mask_consensus"_s, maskConsensus);
    if (staple && !writer.addFile(u"staple.csv"_s, stapleLines.join(QString()).toUtf8(), &error)) {
        report.error = error;
        writer.abort();
        return report;
    }
    if (!writer.addFile(u"coco.json"_s, coco.toJson(), &error)
        || !writer.addFile(u"consensus.csv"_s, consensusLines.join(QString()).toUtf8(), &error)
        || !writer.addFile(u"ratings.csv"_s, ratingLines.join(QString()).toUtf8(), &error)
        || !writer.addFile(u"release_report.json"_s, QJsonDocument(release).toJson(QJsonDocument::Indented), &error)) {
        report.error = error;
        writer.abort();
        return report;
    }
    const QJsonObject manifest {
        {u"program"_s, u"DermLabel"_s},
        {u"program_version"_s, programVersion()},
        {u"created_at"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {u"counts"_s, QJsonObject {{u"images"_s, report.images},
                                   {u"masks"_s, report.masks},
                                   {u"coco_annotations"_s, report.annotations},
                                   {u"raters"_s, int(data->raterPseudonyms.size())},
                                   {u"held_back"_s, report.plan.heldBack}}},
        {u"sources"_s, sourcesJson},
        {u"options"_s, QJsonObject {{u"labels"_s, options.labels == BundleExportOptions::Labels::Consensus
                                                      ? u"consensus"_s
                                                      : u"raters"_s},
                                    {u"k"_s, options.release.k},
                                    {u"l"_s, options.release.l},
                                    {u"suppression_limit"_s, options.release.suppressionLimit},
                                    {u"min_raters"_s, options.release.minRaters},
                                    {u"quorum"_s, context.quorum},
                                    {u"mask_consensus"_s, maskConsensus},
                                    {u"redaction"_s, options.redaction == Redactor::Mode::Fill ? u"fill"_s : u"blur"_s},
                                    {u"public_case_ids"_s, options.publicIds},
                                    {u"rater_seed"_s, double(report.raterSeed)},
                                    {u"zip"_s, options.zip}}},
    };
    // No export goes unrecorded: the audit entry is written first, and when it cannot be, nothing is
    // exported. Should the bundle then fail to be completed, that is recorded too.
    QString auditError;
    if (!AuditLog::record(m_store, m_actor.id, u"export.bundle"_s, u"store"_s, -1,
                          {{u"images"_s, report.images}, {u"held_back"_s, report.plan.heldBack}}, &auditError)) {
        writer.abort();
        report.error = tr("The export could not be recorded in the audit log, so nothing was exported: %1")
                           .arg(auditError);
        return report;
    }
    if (!writer.finish(manifest, &error)) {
        AuditLog::record(m_store, m_actor.id, u"export.failed"_s, u"store"_s, -1, {{u"error"_s, error}}, nullptr);
        report.error = error;
        return report;
    }
    report.ok = true;
    return report;
}

} // namespace dl
