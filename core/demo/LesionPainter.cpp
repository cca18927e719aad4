// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/LesionPainter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>
#include <numbers>
#include <opencv2/imgproc.hpp>

namespace dl {

namespace {

float smoothstep(float edge0, float edge1, float x)
{
    const float t = std::clamp((x - edge0) / (edge1 - edge0), 0.0f, 1.0f);
    return t * t * (3.0f - 2.0f * t);
}

// 1 for d <= inner, 0 for d >= outer, smooth in between.
float inside(float d, float inner, float outer)
{
    return 1.0f - smoothstep(inner, outer, d);
}

float at(const cv::Mat &field, int x, int y)
{
    return field.ptr<float>(y)[x];
}

// Calls f(x, y, d) for every pixel whose normalised blob distance d is below maxD
// (d < 1 is inside the perturbed boundary).
template <typename F>
void forBlob(const LesionPainter::Blob &blob, float maxD, const cv::Mat &noise, cv::Rect &touched, F &&f)
{
    const float reach
        = std::max(blob.a, blob.b) * (1.0f + blob.ampSum) * (maxD + 1.2f * blob.noiseGain) + 2.0f;
    const int x0 = std::max(0, int(std::floor(blob.centre.x - reach)));
    const int x1 = std::min(noise.cols - 1, int(std::ceil(blob.centre.x + reach)));
    const int y0 = std::max(0, int(std::floor(blob.centre.y - reach)));
    const int y1 = std::min(noise.rows - 1, int(std::ceil(blob.centre.y + reach)));
    if (x0 > x1 || y0 > y1)
        return;
    touched |= cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    for (int y = y0; y <= y1; ++y) {
        const float *n = noise.ptr<float>(y);
        const float dy = float(y) - blob.centre.y;
        for (int x = x0; x <= x1; ++x) {
            const float dx = float(x) - blob.centre.x;
            const float u = (dx * blob.cosA + dy * blob.sinA) / blob.a;
            const float v = (-dx * blob.sinA + dy * blob.cosA) / blob.b;
            const float r = std::sqrt(u * u + v * v);
            float radius = 1.0f;
            if (r > 1e-6f) {
                // (zr + i zi)^k for k = 2..6 gives cos(k theta), sin(k theta) without atan2.
                const float zr = u / r, zi = v / r;
                float pr = zr, pi = zi;
                for (size_t k = 0; k < blob.amp.size(); ++k) {
                    const float nr = pr * zr - pi * zi;
                    pi = pr * zi + pi * zr;
                    pr = nr;
                    radius += blob.amp[k] * (pr * blob.cosPhase[k] + pi * blob.sinPhase[k]);
                }
            }
            const float d = r / radius + blob.noiseGain * n[x];
            if (d < maxD)
                f(x, y, d);
        }
    }
}

} // namespace

cv::Mat &LesionPainter::ensure(cv::Mat &field)
{
    if (field.empty()) {
        void *data = std::calloc(size_t(m_size.area()), sizeof(float));
        if (!data)
            throw std::bad_alloc();
        m_fields.storage.emplace_back(static_cast<float *>(data), &std::free);
        field = cv::Mat(m_size, CV_32F, data);
    }
    return field;
}

void LesionPainter::raise(cv::Mat &field, int x, int y, float value)
{
    float &p = ensure(field).ptr<float>(y)[x];
    p = std::max(p, value);
}

LesionPainter::LesionPainter(const SkinNoise &noise, LesionFields &fields, quint32 seed)
    : m_noise(noise)
    , m_fields(fields)
    , m_size(noise.low.size())
    , m_unit(float(std::min(noise.low.cols, noise.low.rows)))
{
    const quint32 seeds[2] = { seed, 0x1e5109u };
    m_random = QRandomGenerator(seeds, 2);
}

double LesionPainter::uniform(double lo, double hi)
{
    return lo + (hi - lo) * m_random.generateDouble();
}

int LesionPainter::range(int lo, int hi)
{
    return lo + int(m_random.bounded(quint32(hi - lo + 1)));
}

bool LesionPainter::chance(double p)
{
    return m_random.generateDouble() < p;
}

cv::Point2f LesionPainter::pointInDisk(cv::Point2f centre, float radius)
{
    const double angle = uniform(0.0, 2.0 * std::numbers::pi);
    const double r = radius * std::sqrt(m_random.generateDouble());
    return { centre.x + float(r * std::cos(angle)), centre.y + float(r * std::sin(angle)) };
}

std::vector<cv::Point2f> LesionPainter::regionCentres(int count, float minSeparation, float reach)
{
    // Centres keep `reach` (plus a margin for the noisy border) from the edges, so that every lesion
    // region lies inside the frame; if the canvas is too small for that, they fall back to the middle.
    const float margin = reach * 1.15f + 2.0f;
    auto span = [margin](float size, double lo, double hi) {
        float first = std::max(size * float(lo), margin), last = std::min(size * float(hi), size - margin);
        if (first > last)
            first = last = size / 2.0f;
        return std::pair { first, last };
    };
    const float w = float(m_size.width), h = float(m_size.height);
    const auto [x0, x1] = span(w, 0.18, 0.82);
    const auto [y0, y1] = span(h, 0.18, 0.82);
    std::vector<cv::Point2f> centres;
    centres.emplace_back(
        std::clamp(w * float(uniform(0.4, 0.6)), x0, x1), std::clamp(h * float(uniform(0.4, 0.6)), y0, y1));
    while (int(centres.size()) < count) {
        cv::Point2f p;
        for (int attempt = 0; attempt < 40; ++attempt) {
            p = { float(uniform(x0, x1)), float(uniform(y0, y1)) };
            const bool clear = std::all_of(centres.begin(), centres.end(),
                [&](cv::Point2f q) { return std::hypot(p.x - q.x, p.y - q.y) >= minSeparation; });
            if (clear)
                break;
        }
        centres.push_back(p);
    }
    return centres;
}

LesionPainter::Blob LesionPainter::makeBlob(
    cv::Point2f centre, float a, float b, float irregular, float noiseGain)
{
    Blob blob;
    blob.centre = centre;
    blob.a = std::max(a, 0.5f);
    blob.b = std::max(b, 0.5f);
    const double angle = uniform(0.0, std::numbers::pi);
    blob.cosA = float(std::cos(angle));
    blob.sinA = float(std::sin(angle));
    for (size_t k = 0; k < blob.amp.size(); ++k) {
        blob.amp[k] = irregular * float(uniform(0.3, 1.0) / std::pow(double(k + 1), 0.7));
        const double phase = uniform(0.0, 2.0 * std::numbers::pi);
        blob.cosPhase[k] = float(std::cos(phase));
        blob.sinPhase[k] = float(std::sin(phase));
        blob.ampSum += blob.amp[k];
    }
    if (blob.ampSum > 0.45f) {
        const float f = 0.45f / blob.ampSum;
        for (float &v : blob.amp)
            v *= f;
        blob.ampSum = 0.45f;
    }
    blob.noiseGain = noiseGain;
    return blob;
}

// A short wavy line (scratch, burrow) drawn anti-aliased with `value` (max-combined).
void LesionPainter::drawStroke(
    cv::Mat &field, cv::Point2f from, float length, float angle, float wobble, float value, int thickness)
{
    std::vector<cv::Point> points;
    const int steps = std::max(2, int(length / 2.0f));
    const double phase = uniform(0.0, 6.28), freq = uniform(1.0, 2.5);
    for (int i = 0; i <= steps; ++i) {
        const float t = float(i) / float(steps);
        const float off = wobble * float(std::sin(phase + freq * 6.28 * t));
        const float x = from.x + std::cos(angle) * length * t - std::sin(angle) * off;
        const float y = from.y + std::sin(angle) * length * t + std::cos(angle) * off;
        points.emplace_back(cvRound(x * 16.0f), cvRound(y * 16.0f));
    }
    // Draw into a patch around the stroke only.
    const int margin = thickness + 2;
    const cv::Rect fixed = cv::boundingRect(points); // in 1/16 pixels
    const cv::Rect box(fixed.x / 16 - margin, fixed.y / 16 - margin, fixed.width / 16 + 2 * margin + 1,
        fixed.height / 16 + 2 * margin + 1);
    const cv::Rect area = box & cv::Rect(0, 0, m_size.width, m_size.height);
    if (area.empty())
        return;
    for (cv::Point &p : points)
        p -= area.tl() * 16;
    cv::Mat stroke = cv::Mat::zeros(area.size(), CV_8U);
    cv::polylines(stroke, points, false, cv::Scalar(255), thickness, cv::LINE_AA, 4);
    cv::Mat strokeF;
    stroke.convertTo(strokeF, CV_32F, value / 255.0);
    m_fields.touched |= area;
    cv::Mat target = ensure(field)(area);
    cv::max(target, strokeF, target);
}

void LesionPainter::paint(Condition condition, int regions)
{
    if (condition == Condition::None)
        return;
    regions = std::clamp(regions, 1, 4);
    // How far (in units of the short side) the ground-truth region of one lesion region can reach from
    // its centre, from the size ranges of the painters below.
    float reach = 0.3f;
    switch (condition) {
    case Condition::None:
        break;
    case Condition::Eczema:
        reach = 0.3f;
        break;
    case Condition::Psoriasis:
        reach = 0.3f;
        break;
    case Condition::Acne:
        reach = 0.22f;
        break;
    case Condition::Urticaria:
        reach = 0.3f;
        break;
    case Condition::Tinea:
        reach = 0.19f;
        break;
    case Condition::MelanocyticNaevus:
        reach = 0.06f;
        break;
    case Condition::SeborrhoeicKeratosis:
        reach = 0.12f;
        break;
    case Condition::Impetigo:
        reach = 0.24f;
        break;
    case Condition::InsectBite:
        reach = 0.26f;
        break;
    case Condition::Scabies:
        reach = 0.21f;
        break;
    }
    const bool small = condition == Condition::MelanocyticNaevus || condition == Condition::InsectBite;
    const std::vector<cv::Point2f> centres
        = regionCentres(regions, m_unit * (small ? 0.18f : 0.32f), m_unit * reach);
    for (size_t i = 0; i < centres.size(); ++i) {
        const cv::Point2f c = centres[i];
        switch (condition) {
        case Condition::None:
            break;
        case Condition::Eczema:
            paintEczema(c);
            break;
        case Condition::Psoriasis:
            paintPsoriasis(c);
            break;
        case Condition::Acne:
            paintAcne(c);
            break;
        case Condition::Urticaria:
            paintUrticaria(c);
            break;
        case Condition::Tinea:
            paintTinea(c);
            break;
        case Condition::MelanocyticNaevus:
            paintNaevus(c, i == 0);
            break;
        case Condition::SeborrhoeicKeratosis:
            paintKeratosis(c);
            break;
        case Condition::Impetigo:
            paintImpetigo(c);
            break;
        case Condition::InsectBite:
            paintInsectBite(c);
            break;
        case Condition::Scabies:
            paintScabies(c);
            break;
        }
    }
}

// Well-demarcated red plaque with a raised edge and silvery flakes of scale, plus a few satellites.
void LesionPainter::paintPsoriasis(cv::Point2f centre)
{
    const float a = m_unit * float(uniform(0.09, 0.17));
    const int satellites = range(0, 3);
    for (int s = 0; s <= satellites; ++s) {
        const bool main = s == 0;
        const float ra = main ? a : a * float(uniform(0.12, 0.25));
        const cv::Point2f c = main ? centre : pointInDisk(centre, a * 1.5f);
        const Blob blob = makeBlob(c, ra, ra * float(uniform(0.55, 0.95)), 0.16f, main ? 0.09f : 0.04f);
        forBlob(blob, 1.1f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
            const float al = inside(d, 0.93f, 1.03f);
            const float mid = at(m_noise.mid, x, y), high = at(m_noise.high, x, y),
                        fine = at(m_noise.fine, x, y);
            raise(m_fields.extent, x, y, al);
            raise(m_fields.erythema, x, y, al * (0.82f + 0.18f * mid));
            raise(m_fields.height, x, y, inside(d, 0.75f, 1.05f) * (0.9f + 0.3f * high));
            const float cover = smoothstep(-0.35f, 0.45f, 0.65f * mid + 0.3f * high + 0.15f);
            const float cracks = smoothstep(0.02f, 0.1f, std::abs(high + 0.3f * fine));
            const float flakes = cover * cracks * (0.7f + 0.3f * smoothstep(-0.5f, 0.5f, fine));
            raise(m_fields.scale, x, y, al * flakes * inside(d, 0.55f, 0.95f) * 0.88f);
        });
    }
}

// Ill-defined erythematous patch with tiny papules, fine dry scale, scratches and lichenified lines.
void LesionPainter::paintEczema(cv::Point2f centre)
{
    const float a = m_unit * float(uniform(0.11, 0.22));
    const Blob blob = makeBlob(centre, a, a * float(uniform(0.6, 1.0)), 0.22f, 0.28f);
    forBlob(blob, 1.35f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
        const float al = inside(d, 0.6f, 1.3f);
        const float mid = at(m_noise.mid, x, y), high = at(m_noise.high, x, y), fine = at(m_noise.fine, x, y);
        raise(m_fields.extent, x, y, al);
        const float papules = smoothstep(0.45f, 0.75f, fine) * al;
        raise(m_fields.erythema, x, y, al * (0.6f + 0.2f * mid) + 0.3f * papules);
        raise(m_fields.height, x, y, 0.25f * al + 0.35f * papules);
        raise(m_fields.scale, x, y, al * smoothstep(0.35f, 0.8f, 0.6f * high + 0.5f * fine) * 0.3f);
        raise(m_fields.lineBoost, x, y, al * 0.8f);
    });
    const int scratches = range(1, 4);
    for (int i = 0; i < scratches; ++i) {
        const cv::Point2f from = pointInDisk(centre, a * 0.6f);
        const float angle = float(uniform(0.0, 6.28)), length = a * float(uniform(0.2, 0.5));
        drawStroke(m_fields.blood, from, length, angle, 1.0f, float(uniform(0.35, 0.6)), 1);
        drawStroke(m_fields.erythema, from, length, angle, 1.0f, 1.0f, 2);
    }
}

// Smooth raised wheals with a pale centre and a red flare, often polycyclic.
void LesionPainter::paintUrticaria(cv::Point2f centre)
{
    const int wheals = range(1, 3);
    for (int i = 0; i < wheals; ++i) {
        const float a = m_unit * float(uniform(0.045, 0.11));
        const cv::Point2f c = i == 0 ? centre : pointInDisk(centre, a * 1.6f);
        const Blob blob = makeBlob(c, a, a * float(uniform(0.55, 0.95)), 0.2f, 0.06f);
        forBlob(blob, 1.7f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
            const float core = inside(d, 0.88f, 1.04f);
            const float flare = inside(d, 0.95f, 1.65f);
            raise(m_fields.extent, x, y, core);
            raise(m_fields.erythema, x, y, std::max(0.6f * flare, 0.25f * core));
            raise(m_fields.pallor, x, y, core * inside(d, 0.25f, 0.95f) * 0.7f);
            raise(m_fields.height, x, y, 0.9f * inside(d, 0.45f, 1.05f));
            raise(m_fields.gloss, x, y, 0.35f * core);
        });
    }
}

// Annular plaque: scaly red raised ring with a clearer, slightly dusky centre.
void LesionPainter::paintTinea(cv::Point2f centre)
{
    const float a = m_unit * float(uniform(0.08, 0.16));
    const Blob blob = makeBlob(centre, a, a * float(uniform(0.75, 1.0)), 0.09f, 0.05f);
    const float width = float(uniform(0.2, 0.3));
    forBlob(blob, 1.1f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
        const float mid = at(m_noise.mid, x, y), high = at(m_noise.high, x, y), fine = at(m_noise.fine, x, y);
        const float outer = inside(d, 0.94f, 1.03f);
        const float inner = inside(d + 0.06f * mid, 1.0f - width - 0.08f, 1.0f - width + 0.04f);
        const float ring = std::max(0.0f, outer - inner);
        raise(m_fields.extent, x, y, outer);
        raise(m_fields.erythema, x, y, 0.88f * ring + 0.16f * inner);
        raise(m_fields.pigment, x, y, 0.1f * inner);
        raise(m_fields.scale, x, y, ring * smoothstep(0.15f, 0.65f, 0.6f * high + 0.6f * fine) * 0.6f);
        raise(m_fields.height, x, y, ring * (0.45f + 0.3f * smoothstep(0.5f, 0.8f, fine)));
    });
}

// Small round uniformly brown macule or dome with a smooth, regular border.
void LesionPainter::paintNaevus(cv::Point2f centre, bool first)
{
    const float a = m_unit * float(first ? uniform(0.03, 0.055) : uniform(0.015, 0.035));
    const Blob blob = makeBlob(centre, a, a * float(uniform(0.82, 1.0)), 0.035f, 0.012f);
    const bool raised = chance(0.5);
    const float depth = float(uniform(0.8, 0.95));
    forBlob(blob, 1.08f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
        const float al = inside(d, 0.9f, 1.02f);
        raise(m_fields.extent, x, y, al);
        raise(m_fields.pigment, x, y, al * (depth + 0.08f * (1.0f - d) + 0.04f * at(m_noise.high, x, y)));
        if (raised) {
            raise(m_fields.height, x, y, al * 0.7f * (1.0f - d * d * 0.6f));
            raise(m_fields.gloss, x, y, 0.2f * al);
        }
    });
}

// Sharply bordered, darker, waxy "stuck-on" papule with a fissured surface and horn cysts.
void LesionPainter::paintKeratosis(cv::Point2f centre)
{
    const float a = m_unit * float(uniform(0.045, 0.1));
    const Blob blob = makeBlob(centre, a, a * float(uniform(0.6, 0.9)), 0.1f, 0.035f);
    const float base = float(uniform(0.8, 0.97));
    forBlob(blob, 1.05f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
        const float al = inside(d, 0.95f, 1.01f);
        const float mid = at(m_noise.mid, x, y), high = at(m_noise.high, x, y), fine = at(m_noise.fine, x, y);
        const float crack = 1.0f - smoothstep(0.0f, 0.12f, std::abs(high));
        raise(m_fields.extent, x, y, al);
        raise(m_fields.pigment, x, y, al * std::min(1.0f, base + 0.18f * mid + 0.2f * crack));
        raise(m_fields.height, x, y, al * (1.2f + 0.5f * fine - 0.6f * crack));
        raise(m_fields.gloss, x, y, 0.7f * al);
        raise(m_fields.pallor, x, y, al * smoothstep(0.7f, 0.85f, fine) * (1.0f - crack) * 0.8f);
    });
}

// One dome-shaped papule with an erythematous halo (acne, scabies, bites).
void LesionPainter::paintPapule(cv::Point2f centre, float radius, float redness, float halo, float relief)
{
    const Blob blob = makeBlob(centre, radius, radius * float(uniform(0.8, 1.0)), 0.1f, 0.04f);
    forBlob(blob, halo, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
        const float core = inside(d, 0.8f, 1.05f);
        const float flare = inside(d, 0.9f, halo);
        raise(m_fields.extent, x, y, core);
        raise(m_fields.erythema, x, y, std::max(redness * core, 0.55f * redness * flare));
        raise(m_fields.height, x, y, relief * core * (1.0f - 0.7f * d * d));
        raise(m_fields.gloss, x, y, 0.12f * core);
    });
}

// A cluster of inflamed papules and pustules, open comedones and post-inflammatory macules.
void LesionPainter::paintAcne(cv::Point2f centre)
{
    const float spread = m_unit * float(uniform(0.1, 0.17));
    const int papules = range(5, 11);
    for (int i = 0; i < papules; ++i) {
        const float r = m_unit * float(uniform(0.01, 0.022));
        const cv::Point2f c = pointInDisk(centre, spread);
        paintPapule(c, r, float(uniform(0.75, 0.95)), 2.3f, 1.2f);
        if (chance(0.35)) {
            const Blob head = makeBlob(c, r * 0.45f, r * 0.4f, 0.1f, 0.02f);
            forBlob(head, 1.0f, m_noise.mid, m_fields.touched,
                [&](int x, int y, float d) { raise(m_fields.pus, x, y, 0.9f * inside(d, 0.5f, 1.0f)); });
        }
    }
    const int comedones = range(1, 5);
    for (int i = 0; i < comedones; ++i) {
        const float r = m_unit * float(uniform(0.003, 0.005));
        const Blob blob = makeBlob(pointInDisk(centre, spread * 1.1f), r, r, 0.05f, 0.02f);
        forBlob(blob, 1.0f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
            raise(m_fields.pigment, x, y, 0.9f * inside(d, 0.5f, 1.0f));
            raise(m_fields.extent, x, y, inside(d, 0.5f, 1.0f));
        });
    }
    const int marks = range(1, 3);
    for (int i = 0; i < marks; ++i) {
        const float r = m_unit * float(uniform(0.01, 0.02));
        const Blob blob = makeBlob(pointInDisk(centre, spread * 1.2f), r, r * 0.8f, 0.15f, 0.05f);
        forBlob(blob, 1.3f, m_noise.mid, m_fields.touched,
            [&](int x, int y, float d) { raise(m_fields.pigment, x, y, 0.3f * inside(d, 0.6f, 1.3f)); });
    }
}

// Many small excoriated papules, some tipped with blood crust, and short wavy burrows.
void LesionPainter::paintScabies(cv::Point2f centre)
{
    const float spread = m_unit * float(uniform(0.08, 0.15));
    const int papules = range(12, 24);
    for (int i = 0; i < papules; ++i) {
        const float r = m_unit * float(uniform(0.005, 0.01));
        const cv::Point2f c = pointInDisk(centre, spread);
        paintPapule(c, r, float(uniform(0.7, 0.95)), 2.0f, 0.9f);
        if (chance(0.25)) {
            const Blob crust = makeBlob(c, r * 0.6f, r * 0.5f, 0.2f, 0.05f);
            forBlob(crust, 1.0f, m_noise.mid, m_fields.touched,
                [&](int x, int y, float d) { raise(m_fields.blood, x, y, 0.85f * inside(d, 0.4f, 1.0f)); });
        }
    }
    const int burrows = range(1, 3);
    for (int i = 0; i < burrows; ++i) {
        const cv::Point2f from = pointInDisk(centre, spread);
        const float length = m_unit * float(uniform(0.03, 0.06)), angle = float(uniform(0.0, 6.28));
        drawStroke(m_fields.pigment, from, length, angle, 1.5f, 0.4f, 1);
        drawStroke(m_fields.extent, from, length, angle, 1.5f, 1.0f, 2);
        drawStroke(m_fields.scale, from, length, angle, 1.5f, 0.3f, 1);
    }
}

// One to three urticarial papules in a row, each with a central punctum or tiny vesicle.
void LesionPainter::paintInsectBite(cv::Point2f centre)
{
    const int bites = range(1, 3);
    const float angle = float(uniform(0.0, 6.28));
    const float r = m_unit * float(uniform(0.028, 0.045));
    const float step = r * float(uniform(3.0, 4.5));
    for (int i = 0; i < bites; ++i) {
        const float along = step * (float(i) - float(bites - 1) / 2.0f);
        const cv::Point2f c(centre.x + std::cos(angle) * along, centre.y + std::sin(angle) * along);
        const float ri = r * float(uniform(0.8, 1.15));
        paintPapule(c, ri, float(uniform(0.75, 0.95)), 2.6f, 1.0f);
        const bool vesicle = chance(0.3);
        const Blob punctum
            = makeBlob(c, ri * (vesicle ? 0.35f : 0.12f), ri * (vesicle ? 0.3f : 0.1f), 0.1f, 0.02f);
        forBlob(punctum, 1.0f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
            const float al = inside(d, 0.5f, 1.0f);
            if (vesicle) {
                raise(m_fields.pallor, x, y, 0.6f * al);
                raise(m_fields.gloss, x, y, 0.8f * al);
            } else {
                raise(m_fields.blood, x, y, 0.9f * al);
            }
        });
    }
}

// Erythematous erosion covered with golden "honey" crusts, with small satellite crusts.
void LesionPainter::paintImpetigo(cv::Point2f centre)
{
    const float a = m_unit * float(uniform(0.05, 0.11));
    const int satellites = range(0, 3);
    for (int s = 0; s <= satellites; ++s) {
        const bool main = s == 0;
        const float ra = main ? a : a * float(uniform(0.15, 0.3));
        const cv::Point2f c = main ? centre : pointInDisk(centre, a * 1.8f);
        const Blob blob = makeBlob(c, ra, ra * float(uniform(0.6, 1.0)), 0.25f, main ? 0.14f : 0.05f);
        forBlob(blob, 1.35f, m_noise.mid, m_fields.touched, [&](int x, int y, float d) {
            const float mid = at(m_noise.mid, x, y), high = at(m_noise.high, x, y),
                        fine = at(m_noise.fine, x, y);
            const float base = inside(d, 0.88f, 1.15f);
            const float crust
                = inside(d + 0.22f * mid, 0.62f, 0.9f) * (0.75f + 0.25f * smoothstep(-0.6f, 0.6f, high));
            raise(m_fields.extent, x, y, base);
            raise(m_fields.erythema, x, y, 0.75f * inside(d, 0.85f, 1.3f));
            raise(m_fields.crust, x, y, crust);
            raise(m_fields.height, x, y, crust * (0.7f + 0.15f * fine + 0.15f * high));
            raise(m_fields.gloss, x, y, 0.6f * crust);
        });
    }
}

} // namespace dl
