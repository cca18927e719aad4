// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/DemoDataset.h"

#include "demo/DemoMetadata.h"
#include "demo/SyntheticSkin.h"
#include "text/CsvWriter.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSet>
#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

// The scene of a case is rendered this much larger than the images cut from it.
constexpr double kSceneScale = 1.5;

const QString kCloseUp = u"CLOSE_UP"_s;
const QString kAtAnAngle = u"AT_AN_ANGLE"_s;
const QString kAtDistance = u"AT_DISTANCE"_s;

struct CasePlan
{
    DemoCase truth;
    int lesions = 1;
    quint32 renderSeed = 1;
    quint32 viewSeed = 1;
    quint32 metadataSeed = 1;
};

QRandomGenerator seeded(quint32 seed, quint32 salt)
{
    const quint32 seeds[2] = { seed, salt };
    return QRandomGenerator(seeds, 2);
}

double uniform(QRandomGenerator &random, double lo, double hi)
{
    return lo + (hi - lo) * random.generateDouble();
}

int range(QRandomGenerator &random, int lo, int hi) // inclusive
{
    return lo + int(random.bounded(quint32(hi - lo + 1)));
}

template <typename T> void shuffle(QList<T> &items, QRandomGenerator &random)
{
    for (qsizetype i = items.size() - 1; i > 0; --i)
        items.swapItemsAt(i, range(random, 0, int(i)));
}

// SCIN-like ids: signed 64-bit decimal numbers, unique within the dataset.
QString uniqueId(QRandomGenerator &random, QSet<qint64> &used)
{
    for (;;) {
        const qint64 id = qint64(random.generate64());
        if (id != 0 && !used.contains(id)) {
            used.insert(id);
            return QString::number(id);
        }
    }
}

// 1..3 images per case (mean 2) adding up to `images`.
QList<int> caseSizes(int images, QRandomGenerator &random)
{
    QList<int> sizes;
    int left = images;
    while (left > 0) {
        const double draw = random.generateDouble();
        const int size = std::min(left, draw < 0.25 ? 1 : draw < 0.75 ? 2 : 3);
        sizes.append(size);
        left -= size;
    }
    return sizes;
}

QStringList shotTypes(int count, QRandomGenerator &random)
{
    if (count == 1)
        return { random.generateDouble() < 0.8 ? kCloseUp : kAtAnAngle };
    QStringList others { kAtAnAngle, kAtDistance };
    shuffle(others, random);
    QStringList shots { kCloseUp };
    shots.append(others.mid(0, count - 1));
    if (count == 3 && random.generateDouble() < 0.3)
        shots.swapItemsAt(0, 1);
    return shots;
}

QList<CasePlan> planCases(const DemoOptions &options)
{
    QRandomGenerator random = seeded(options.seed, 0xca5e5u);
    QSet<qint64> usedIds;
    const QStringList conditions = SyntheticSkin::demoConditions();
    QList<QString> conditionCycle;
    QList<int> typeCycle;
    QList<CasePlan> plans;
    for (int size : caseSizes(options.images, random)) {
        // Shuffled rounds through all conditions and all six types keep a small demo balanced.
        if (conditionCycle.isEmpty()) {
            conditionCycle = conditions;
            shuffle(conditionCycle, random);
        }
        if (typeCycle.isEmpty()) {
            typeCycle = { 1, 2, 3, 4, 5, 6 };
            shuffle(typeCycle, random);
        }
        CasePlan plan;
        plan.truth.caseId = uniqueId(random, usedIds);
        plan.truth.condition = conditionCycle.takeFirst();
        plan.truth.fitzpatrick = typeCycle.takeFirst();
        plan.renderSeed = random.generate();
        plan.viewSeed = random.generate();
        plan.metadataSeed = random.generate();
        plan.truth.monk = SyntheticSkin::monkForFitzpatrick(plan.truth.fitzpatrick, plan.renderSeed);
        const bool growth = plan.truth.condition == u"Melanocytic naevus"_s
            || plan.truth.condition == u"Seborrhoeic keratosis"_s;
        plan.lesions = range(random, 1, growth ? 2 : 3);
        plan.truth.shotTypes = shotTypes(size, random);
        for (int i = 0; i < size; ++i)
            plan.truth.imagePaths.append(u"dataset/images/"_s + uniqueId(random, usedIds) + u".jpg"_s);
        plans.append(plan);
    }
    return plans;
}

cv::Point2f lesionCentre(const cv::Mat &mask)
{
    const cv::Moments m = cv::moments(mask, true);
    if (m.m00 <= 0.0)
        return { mask.cols / 2.0f, mask.rows / 2.0f };
    return { float(m.m10 / m.m00), float(m.m01 / m.m00) };
}

// A rectangle of `size` centred near `centre`, moved to lie inside `bounds`.
cv::Rect2f fitRect(cv::Point2f centre, cv::Size2f size, cv::Size bounds)
{
    size.width = std::min(size.width, float(bounds.width));
    size.height = std::min(size.height, float(bounds.height));
    const float x = std::clamp(centre.x - size.width / 2, 0.0f, float(bounds.width) - size.width);
    const float y = std::clamp(centre.y - size.height / 2, 0.0f, float(bounds.height) - size.height);
    return { x, y, size.width, size.height };
}

cv::Mat resized(const cv::Mat &image, cv::Size out)
{
    cv::Mat result;
    const bool shrinking = image.cols > out.width || image.rows > out.height;
    cv::resize(image, result, out, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return result;
}

// Cuts one photograph of the scene: a crop around the lesion, a tilted view, or the whole scene.
cv::Mat shoot(
    const cv::Mat &scene, cv::Point2f lesion, const QString &shot, cv::Size out, QRandomGenerator &random)
{
    cv::Mat image;
    const cv::Point2f jitter(
        float(uniform(random, -0.08, 0.08) * out.width), float(uniform(random, -0.08, 0.08) * out.height));
    if (shot == kAtDistance) {
        image = resized(scene, out);
    } else if (shot == kAtAnAngle) {
        const float zoom = float(uniform(random, 0.95, 1.15));
        const cv::Point2f centre = lesion + jitter;
        const float hw = out.width * zoom / 2, hh = out.height * zoom / 2;
        std::array<cv::Point2f, 4> quad { cv::Point2f(-hw, -hh), { hw, -hh }, { hw, hh }, { -hw, hh } };
        // Foreshortening: one side of the rectangle seen shorter, as from an oblique camera.
        const int side = range(random, 0, 3);
        const float squeeze = float(uniform(random, 0.12, 0.28));
        cv::Point2f &a = quad[size_t(side)], &b = quad[size_t((side + 1) % 4)];
        const cv::Point2f inward = (b - a) * (squeeze / 2);
        a += inward;
        b -= inward;
        const float angle = float(uniform(random, -0.35, 0.35));
        const float c = std::cos(angle), s = std::sin(angle);
        std::array<cv::Point2f, 4> source;
        for (size_t i = 0; i < quad.size(); ++i)
            source[i] = centre + cv::Point2f(c * quad[i].x - s * quad[i].y, s * quad[i].x + c * quad[i].y);
        // Keep the quadrilateral inside the scene: shrink if too large, then shift.
        cv::Rect2f box = cv::boundingRect(std::vector<cv::Point2f>(source.begin(), source.end()));
        const float fit = std::min({ 1.0f, float(scene.cols) / box.width, float(scene.rows) / box.height });
        for (cv::Point2f &p : source)
            p = centre + (p - centre) * fit;
        box = cv::boundingRect(std::vector<cv::Point2f>(source.begin(), source.end()));
        const cv::Rect2f placed = fitRect((box.tl() + box.br()) * 0.5f, box.size(), scene.size());
        for (cv::Point2f &p : source)
            p += placed.tl() - box.tl();
        const std::array<cv::Point2f, 4> target { cv::Point2f(0, 0), { float(out.width), 0 },
            { float(out.width), float(out.height) }, { 0, float(out.height) } };
        const cv::Mat transform = cv::getPerspectiveTransform(source.data(), target.data());
        cv::warpPerspective(scene, image, transform, out, cv::INTER_LINEAR, cv::BORDER_REFLECT101);
    } else {
        const float zoom = float(uniform(random, 0.8, 0.95));
        const cv::Rect2f crop
            = fitRect(lesion + jitter, cv::Size2f(out.width * zoom, out.height * zoom), scene.size());
        const cv::Rect pixels = cv::Rect(crop) & cv::Rect(0, 0, scene.cols, scene.rows);
        image = resized(scene(pixels), out);
    }
    // Every shot has its own exposure and white balance.
    const double exposure = uniform(random, 0.93, 1.06);
    cv::multiply(image,
        cv::Scalar(exposure * uniform(random, 0.97, 1.03), exposure, exposure * uniform(random, 0.97, 1.03)),
        image);
    return image;
}

bool writeJpeg(const cv::Mat &image, const QString &path, int quality, QString *error)
{
    std::vector<uchar> bytes;
    if (!cv::imencode(".jpg", image, bytes, { cv::IMWRITE_JPEG_QUALITY, quality })) {
        *error = DemoDataset::tr("Cannot encode the demo image %1.").arg(QDir::toNativeSeparators(path));
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(reinterpret_cast<const char *>(bytes.data()), qint64(bytes.size()))
            != qint64(bytes.size())
        || !file.commit()) {
        *error
            = DemoDataset::tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

} // namespace

QStringList DemoDataset::caseColumns()
{
    return DemoMetadata::caseColumns();
}

QStringList DemoDataset::labelColumns()
{
    return DemoMetadata::labelColumns();
}

bool DemoDataset::writeScinLayout(const QString &dir, const DemoOptions &options, QString *error,
    const std::function<bool(int done, int total)> &progress)
{
    QString message;
    auto fail = [&](const QString &text) {
        if (error)
            *error = text;
        return false;
    };
    if (options.images < 0)
        return fail(tr("The number of demo images must not be negative (%1).").arg(options.images));
    if (options.size.width() < 16 || options.size.height() < 16)
        return fail(tr("The demo image size %1 x %2 is too small (at least 16 x 16).")
                        .arg(options.size.width())
                        .arg(options.size.height()));
    const QDir root(dir);
    const QString imageDir = root.filePath(u"dataset/images"_s);
    if (!QDir().mkpath(imageDir))
        return fail(tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(imageDir)));

    const int quality = std::clamp(options.jpegQuality, 1, 100);
    const cv::Size out(options.size.width(), options.size.height());
    const QList<CasePlan> plans = planCases(options);
    const int total = options.images;
    QStringList written;
    auto cancel = [&]() {
        for (const QString &path : std::as_const(written))
            QFile::remove(path);
        return fail(tr("cancelled"));
    };

    int done = 0;
    if (progress && !progress(done, total))
        return cancel();
    for (const CasePlan &plan : plans) {
        SkinParams params;
        params.fitzpatrick = plan.truth.fitzpatrick;
        params.monk = plan.truth.monk;
        params.condition = plan.truth.condition;
        params.lesions = plan.lesions;
        params.size
            = QSize(int(std::lround(out.width * kSceneScale)), int(std::lround(out.height * kSceneScale)));
        params.seed = plan.renderSeed;
        cv::Mat mask;
        const cv::Mat scene = SyntheticSkin::render(params, &mask);
        const cv::Point2f lesion = lesionCentre(mask);
        QRandomGenerator random = seeded(plan.viewSeed, 0x5407u);
        for (qsizetype i = 0; i < plan.truth.imagePaths.size(); ++i) {
            const cv::Mat image = shoot(scene, lesion, plan.truth.shotTypes.at(i), out, random);
            const QString path = root.filePath(plan.truth.imagePaths.at(i));
            if (!writeJpeg(image, path, quality, &message)) {
                for (const QString &file : std::as_const(written))
                    QFile::remove(file);
                return fail(message);
            }
            written.append(path);
            ++done;
            if (progress && !progress(done, total))
                return cancel();
        }
    }

    QList<QStringList> caseRows, labelRows;
    for (const CasePlan &plan : plans) {
        QRandomGenerator random = seeded(plan.metadataSeed, 0x3e7au);
        caseRows.append(DemoMetadata::caseRow(plan.truth, random));
        labelRows.append(DemoMetadata::labelRow(plan.truth, random));
    }
    if (!CsvWriter::writeFile(root.filePath(u"scin_cases.csv"_s), caseColumns(), caseRows, &message)
        || !CsvWriter::writeFile(root.filePath(u"scin_labels.csv"_s), labelColumns(), labelRows, &message))
        return fail(message);
    return true;
}

} // namespace dl
