// SPDX-License-Identifier: GPL-3.0-or-later
#include "demo/SyntheticSkin.h"

#include "demo/LesionPainter.h"

#include <QRandomGenerator>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

using namespace Qt::StringLiterals;

namespace dl {

namespace {

using Condition = LesionPainter::Condition;

// Salts that give the independent random streams of one render.
constexpr quint32 kSkinSalt = 0x5c1a7e01u;
constexpr quint32 kHairSalt = 0x4a12b0d3u;

struct Tone
{
    float r, g, b;
};

// Base tones (sRGB, 0..1) from light pinkish-beige (I) to deep brown (VI). Neighbouring types differ in
// luminance by more than the seeded variation, so lighter types always render lighter.
constexpr std::array<Tone, 6> kFitzpatrickTones { {
    { 0.965f, 0.820f, 0.745f },
    { 0.900f, 0.715f, 0.590f },
    { 0.815f, 0.610f, 0.455f },
    { 0.675f, 0.465f, 0.320f },
    { 0.495f, 0.325f, 0.225f },
    { 0.310f, 0.200f, 0.150f },
} };

struct ConditionInfo
{
    QLatin1StringView name;
    Condition condition;
};

constexpr std::array<ConditionInfo, 10> kConditions { {
    { "Eczema"_L1, Condition::Eczema },
    { "Psoriasis"_L1, Condition::Psoriasis },
    { "Acne"_L1, Condition::Acne },
    { "Urticaria"_L1, Condition::Urticaria },
    { "Tinea"_L1, Condition::Tinea },
    { "Melanocytic naevus"_L1, Condition::MelanocyticNaevus },
    { "Seborrhoeic keratosis"_L1, Condition::SeborrhoeicKeratosis },
    { "Impetigo"_L1, Condition::Impetigo },
    { "Insect bite"_L1, Condition::InsectBite },
    { "Scabies"_L1, Condition::Scabies },
} };

Condition conditionFromName(const QString &name)
{
    const QString trimmed = name.trimmed();
    for (const ConditionInfo &info : kConditions) {
        if (trimmed.compare(info.name, Qt::CaseInsensitive) == 0)
            return info.condition;
    }
    return Condition::None;
}

float smoothstep(float edge0, float edge1, float x)
{
    const float t = std::clamp((x - edge0) / (edge1 - edge0), 0.0f, 1.0f);
    return t * t * (3.0f - 2.0f * t);
}

cv::Vec3f lerp(const cv::Vec3f &a, const cv::Vec3f &b, float t)
{
    return a + (b - a) * t;
}

cv::Vec3f bgr(float r, float g, float b)
{
    return { b, g, r };
}

// Brightness change as skin shows it: shadows and furrows turn warmer (blue falls fastest, red slowest).
cv::Vec3f shadowTint(float light)
{
    const float delta = light - 1.0f;
    return { 1.0f + 1.2f * delta, 1.0f + 1.05f * delta, 1.0f + 0.85f * delta };
}

QRandomGenerator seeded(quint32 seed, quint32 salt)
{
    const quint32 seeds[2] = { seed, salt };
    return QRandomGenerator(seeds, 2);
}

float uniform(QRandomGenerator &random, double lo, double hi)
{
    return float(lo + (hi - lo) * random.generateDouble());
}

// A well-mixed 32-bit hash of a pixel position and a seed (for per-pixel grain without storage).
quint32 hashPixel(int x, int y, quint32 seed)
{
    quint32 h = quint32(x) * 0x8da6b343u ^ quint32(y) * 0xd8163841u ^ seed * 0xcb1ab31fu;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

// Uniform in [0, 1).
float hashUnit(quint32 h)
{
    return float(h >> 8) * (1.0f / 16777216.0f);
}

// Value noise in about [-1, 1]: a random grid with cells of cellPx pixels, upscaled bicubically. Large
// cells are interpolated bicubically to about 8 pixels per cell and then bilinearly, which looks the
// same and costs a fraction.
cv::Mat valueNoise(cv::Size size, double cellPx, cv::RNG &rng)
{
    cellPx = std::max(cellPx, 1.5);
    const int cols = int(std::ceil(size.width / cellPx)) + 2;
    const int rows = int(std::ceil(size.height / cellPx)) + 2;
    cv::Mat grid(rows, cols, CV_32F);
    rng.fill(grid, cv::RNG::UNIFORM, -1.0f, 1.0f);
    cv::Mat out;
    const double stage = 8.0 / cellPx;
    if (stage < 0.5) {
        const cv::Size between(
            std::max(cols, int(size.width * stage)), std::max(rows, int(size.height * stage)));
        cv::Mat smooth;
        cv::resize(grid, smooth, between, 0, 0, cv::INTER_CUBIC);
        cv::resize(smooth, out, size, 0, 0, cv::INTER_LINEAR);
    } else {
        cv::resize(grid, out, size, 0, 0, cv::INTER_CUBIC);
    }
    return out;
}

// Two octaves of value noise, normalised to about [-1, 1]. The octaves are summed at a reduced size
// (about 8 pixels per cell of the finer octave) and upscaled bilinearly once.
cv::Mat fractalNoise(cv::Size size, double cellPx, cv::RNG &rng)
{
    const double detailCell = cellPx / 2.5;
    const double stage = std::min(1.0, 8.0 / std::max(detailCell, 1.5));
    const cv::Size between(std::max(2, int(size.width * stage)), std::max(2, int(size.height * stage)));
    cv::Mat out = valueNoise(between, cellPx * stage, rng);
    cv::addWeighted(out, 0.75, valueNoise(between, detailCell * stage, rng), 0.35, 0.0, out);
    if (between != size)
        cv::resize(out, out, size, 0, 0, cv::INTER_LINEAR);
    return out;
}

// Faint skin lines: three crossing families of wavy, broken furrows (the rhomboid micro-relief of skin)
// and a few deeper creases, evaluated one row at a time (values 0..1 at the working resolution).
class SkinLines
{
public:
    SkinLines(cv::Size size, float unit, const SkinNoise &noise, QRandomGenerator &random, cv::RNG &rng)
        : m_noise(noise)
        , m_breaks(valueNoise(size, unit * 0.015, rng))
    {
        const float base = uniform(random, 0.0, std::numbers::pi);
        const std::array<float, 3> angles { base, base + uniform(random, 0.95, 1.3),
            base + uniform(random, 1.9, 2.3) };
        for (size_t i = 0; i < m_families.size(); ++i) {
            // In units of the line spacing: s = x * kx + y * ky + phase + kw * warp; lines lie at integer s.
            const float spacing = unit * uniform(random, 0.011, 0.018);
            const float width = std::max(0.5f, unit * 0.0009f) * (i == 0 ? 1.15f : 1.0f) / spacing;
            Family &f = m_families[i];
            f.kx = std::cos(angles[i]) / spacing;
            f.ky = std::sin(angles[i]) / spacing;
            f.kw = unit * uniform(random, 0.003, 0.006) / spacing;
            f.phase = uniform(random, 0.0, 1.0);
            f.reach = 3.0f * width;
            f.inverseWidth2 = 1.0f / (2.0f * width * width);
            f.depth = i == 2 ? 0.6f : 1.0f;
        }
        const int creases = int(random.bounded(0u, 3u));
        if (creases > 0)
            m_creases = drawCreases(size, unit, base, creases, random);
    }

    void row(int y, float *out) const
    {
        constexpr float offset = 8192.0f; // keeps s positive so that truncation rounds
        const float *mid = m_noise.mid.ptr<float>(y), *high = m_noise.high.ptr<float>(y),
                    *fine = m_noise.fine.ptr<float>(y), *breaks = m_breaks.ptr<float>(y);
        const float *crease = m_creases.empty() ? nullptr : m_creases.ptr<float>(y);
        for (int x = 0; x < m_breaks.cols; ++x) {
            const float warp = mid[x] + 0.4f * high[x];
            // Each family has its own gaps: the break noise, its negative, and the fine noise.
            const std::array<float, 3> gaps { breaks[x], -breaks[x], fine[x] };
            float value = crease ? crease[x] : 0.0f;
            for (size_t i = 0; i < m_families.size(); ++i) {
                const Family &f = m_families[i];
                const float s = float(x) * f.kx + float(y) * f.ky + f.phase + f.kw * warp + offset;
                const int line = int(s + 0.5f);
                const float dist = std::abs(s - float(line));
                if (dist > f.reach)
                    continue;
                const float depth = f.depth * (0.55f + 0.45f * hashUnit(hashPixel(line, int(i), 0x11e5u)));
                const float present = smoothstep(-0.45f, 0.05f, gaps[i]);
                value = std::max(value, depth * present * std::exp(-dist * dist * f.inverseWidth2));
            }
            out[x] = value;
        }
    }

private:
    struct Family
    {
        float kx, ky, kw, phase, reach, inverseWidth2, depth;
    };

    static cv::Mat drawCreases(cv::Size size, float unit, float angle0, int count, QRandomGenerator &random)
    {
        cv::Mat canvas = cv::Mat::zeros(size, CV_8U);
        const float diag = std::hypot(float(size.width), float(size.height));
        const cv::Point2f mid(size.width / 2.0f, size.height / 2.0f);
        for (int i = 0; i < count; ++i) {
            const float angle = angle0 + uniform(random, -0.2, 0.2);
            const float off = unit * uniform(random, -0.5, 0.5);
            const float phase = uniform(random, 0.0, 6.28);
            std::vector<cv::Point> points;
            for (float t = -diag / 2; t <= diag / 2; t += unit * 0.02f) {
                const float o = off + unit * 0.008f * std::sin(phase + t / (unit * 0.15f));
                points.emplace_back(cvRound((mid.x + std::cos(angle) * t - std::sin(angle) * o) * 16.0f),
                    cvRound((mid.y + std::sin(angle) * t + std::cos(angle) * o) * 16.0f));
            }
            cv::polylines(
                canvas, points, false, cv::Scalar(230), std::max(1, cvRound(unit * 0.003f)), cv::LINE_AA, 4);
        }
        cv::Mat creases;
        canvas.convertTo(creases, CV_32F, 1.0 / 255.0);
        cv::GaussianBlur(creases, creases, cv::Size(0, 0), std::max(0.7, unit * 0.0015));
        return creases;
    }

    const SkinNoise &m_noise;
    cv::Mat m_breaks;
    cv::Mat m_creases; // empty without creases
    std::array<Family, 3> m_families {};
};

// Thin, slightly curved hair strands drawn onto the finished image (or none, for hairless skin). Each
// strand is a quadratic Bezier in short anti-aliased segments whose colour is mixed with the skin under
// them, fading towards the tip.
void drawHair(cv::Mat &image, float darkness, QRandomGenerator &random)
{
    if (random.generateDouble() < 0.45)
        return;
    const cv::Size size = image.size();
    const cv::Vec3f colour
        = lerp(bgr(92, 66, 46), bgr(20, 17, 15), std::sqrt(darkness)) * uniform(random, 0.7, 1.2);
    const float unit = float(std::min(size.width, size.height));
    const double area = double(size.width) * size.height / (1600.0 * 1200.0);
    const int strands = std::max(1, int(area * random.bounded(6u, 70u)));
    const float flow = uniform(random, 0.0, std::numbers::pi);
    const int thickness = unit > 1500 ? 2 : 1;
    const cv::Rect bounds(0, 0, size.width, size.height);
    for (int i = 0; i < strands; ++i) {
        const cv::Point2f start(uniform(random, 0, size.width), uniform(random, 0, size.height));
        const float angle = flow + uniform(random, -0.35, 0.35);
        const float length = unit * uniform(random, 0.04, 0.2);
        const float bend = length * uniform(random, -0.2, 0.2);
        const cv::Point2f dir(std::cos(angle), std::sin(angle)), normal(-dir.y, dir.x);
        const cv::Point2f end = start + dir * length;
        const cv::Point2f control = (start + end) * 0.5f + normal * bend;
        const float opacity = uniform(random, 0.45, 0.85);
        constexpr int segments = 16;
        cv::Point2f previous = start;
        for (int k = 1; k <= segments; ++k) {
            const float t = float(k) / float(segments);
            const cv::Point2f p = start * ((1 - t) * (1 - t)) + control * (2 * (1 - t) * t) + end * (t * t);
            const cv::Point centre((previous + p) * 0.5f);
            if (bounds.contains(centre)) {
                const cv::Vec3b under = image.at<cv::Vec3b>(centre);
                const cv::Vec3f mixed
                    = lerp(cv::Vec3f(under[0], under[1], under[2]), colour, opacity * (1.0f - t * t * t));
                cv::line(image, cv::Point(cvRound(previous.x * 16), cvRound(previous.y * 16)),
                    cv::Point(cvRound(p.x * 16), cvRound(p.y * 16)), cv::Scalar(mixed[0], mixed[1], mixed[2]),
                    thickness, cv::LINE_AA, 4);
            }
            previous = p;
        }
    }
}

// Surface relief -> Lambertian shading ratio and extra specular highlight for the pixels of `area`.
void reliefShading(
    const cv::Mat &height, cv::Rect area, float unit, float lightAngle, cv::Mat &shade, cv::Mat &specular)
{
    cv::Mat smooth, gx, gy;
    cv::GaussianBlur(height(area), smooth, cv::Size(0, 0), std::max(0.8, unit * 0.003));
    cv::Sobel(smooth, gx, CV_32F, 1, 0, 3, 1.0 / 8.0);
    cv::Sobel(smooth, gy, CV_32F, 0, 1, 3, 1.0 / 8.0);
    const float reliefScale = unit * 0.003f; // height unit -> pixels
    const float elevation = 0.85f; // light elevation angle from the skin plane, radians
    const cv::Vec3f light(std::cos(lightAngle) * std::cos(elevation),
        std::sin(lightAngle) * std::cos(elevation), std::sin(elevation));
    cv::Vec3f half = light + cv::Vec3f(0, 0, 1);
    half /= float(cv::norm(half));
    const float flatSpecular = std::pow(half[2], 30.0f);
    shade.create(area.size(), CV_32F);
    specular.create(area.size(), CV_32F);
    for (int y = 0; y < area.height; ++y) {
        const float *px = gx.ptr<float>(y), *py = gy.ptr<float>(y);
        float *ps = shade.ptr<float>(y), *pp = specular.ptr<float>(y);
        for (int x = 0; x < area.width; ++x) {
            if (px[x] == 0.0f && py[x] == 0.0f) {
                ps[x] = 1.0f;
                pp[x] = 0.0f;
                continue;
            }
            cv::Vec3f n(-reliefScale * px[x], -reliefScale * py[x], 1.0f);
            n /= std::sqrt(n.dot(n));
            ps[x] = std::clamp(n.dot(light) / light[2], 0.7f, 1.3f);
            pp[x] = std::max(0.0f, std::pow(std::max(0.0f, n.dot(half)), 30.0f) - flatSpecular);
        }
    }
}

// The seeded choices of one render that colour its pixels.
struct Look
{
    float darkness = 0; // 0 for type I, 1 for type VI
    cv::Vec3f base; // skin tone
    cv::Vec3f redFactor, brownFactor, scaleColour, honey, honeyDark, bloodColour, pusColour;
    float lx = 1, ly = 0, gradient = 0; // light direction and strength of the lighting gradient
    float ax = 1, ay = 0, curvature = 0; // body axis the skin curves around
    cv::Point2f sheenAt;
    float sheenSigma = 1, sheenStrength = 0;
    float microRelief = 0, poreDepth = 0, lineStrength = 0;
    quint32 textureSeed = 0;
};

// Colours the working-resolution canvas one row at a time from the noise, the skin lines and the lesion
// fields, so that no full-size colour buffer is needed before the upscale.
class SkinComposer
{
public:
    SkinComposer(const Look &look, const SkinNoise &noise, const SkinLines &lines, const LesionFields &fields,
        const cv::Mat &freckles, const cv::Mat &shade, const cv::Mat &specular, cv::Rect reliefArea)
        : m_look(look)
        , m_noise(noise)
        , m_lines(lines)
        , m_fields(fields)
        , m_freckles(freckles)
        , m_shade(shade)
        , m_specular(specular)
        , m_reliefArea(reliefArea)
        , m_lineRow(static_cast<size_t>(noise.low.cols))
        , m_sheenColumns(static_cast<size_t>(noise.low.cols))
    {
        // The sheen is a Gaussian, separable into a column and a row factor.
        for (int x = 0; x < noise.low.cols; ++x) {
            const float sx = float(x) - look.sheenAt.x;
            m_sheenColumns[size_t(x)]
                = look.sheenStrength * std::exp(-sx * sx / (2 * look.sheenSigma * look.sheenSigma));
        }
    }

    void row(int y, cv::Vec3f *out)
    {
        const Look &k = m_look;
        const int width = m_noise.low.cols, height = m_noise.low.rows;
        const float yn = (float(y) + 0.5f) / float(height) - 0.5f;
        const float sy = float(y) - k.sheenAt.y;
        const float sheenRow = std::exp(-sy * sy / (2 * k.sheenSigma * k.sheenSigma));
        auto ptr = [y](const cv::Mat &m) { return m.empty() ? nullptr : m.ptr<float>(y); };
        // Lesion fields are read only inside the painted box (they are zero elsewhere).
        const cv::Rect &box = m_fields.touched;
        const bool lesionRow = y >= box.y && y < box.y + box.height;
        auto field = [&](const cv::Mat &m) { return lesionRow ? ptr(m) : nullptr; };
        const int bx0 = box.x, bx1 = box.x + box.width;
        const float *low = ptr(m_noise.low), *mid = ptr(m_noise.mid), *fine = ptr(m_noise.fine);
        const float *ery = field(m_fields.erythema), *pig = field(m_fields.pigment),
                    *scl = field(m_fields.scale), *cru = field(m_fields.crust), *pal = field(m_fields.pallor),
                    *pus = field(m_fields.pus), *bld = field(m_fields.blood), *gls = field(m_fields.gloss),
                    *lbo = field(m_fields.lineBoost), *frk = ptr(m_freckles);
        const bool relieved = y >= m_reliefArea.y && y < m_reliefArea.y + m_reliefArea.height;
        const float *shd = relieved ? m_shade.ptr<float>(y - m_reliefArea.y) : nullptr;
        const float *spc = relieved ? m_specular.ptr<float>(y - m_reliefArea.y) : nullptr;
        const int rx0 = m_reliefArea.x, rx1 = m_reliefArea.x + m_reliefArea.width;
        m_lines.row(y, m_lineRow.data());
        for (int x = 0; x < width; ++x) {
            const bool lesion = lesionRow && x >= bx0 && x < bx1;
            auto at = [lesion, x](const float *r) { return lesion && r ? r[x] : 0.0f; };
            const float xn = (float(x) + 0.5f) / float(width) - 0.5f;
            const float across = xn * k.ax + yn * k.ay;
            // Micro relief and pores: one random value per working pixel, softened by the upscale.
            const quint32 h = hashPixel(x, y, k.textureSeed);
            const float micro = hashUnit(h) - 0.5f;
            const float pore = smoothstep(0.965f, 0.995f, hashUnit(h * 0x9e3779b9u + 0x7f4a7c15u));
            float light
                = 1.0f + 2.0f * k.gradient * (xn * k.lx + yn * k.ly) - 4.0f * k.curvature * across * across;
            light *= 1.0f + 0.05f * low[x] + 0.03f * mid[x] + k.microRelief * micro - k.poreDepth * pore;
            light *= 1.0f - k.lineStrength * m_lineRow[size_t(x)] * (1.0f + 1.5f * at(lbo));
            const bool inRelief = shd && x >= rx0 && x < rx1;
            const float relief = inRelief ? shd[x - rx0] : 1.0f;

            cv::Vec3f c = k.base.mul(shadowTint(light));
            const float redness
                = std::clamp(at(ery) + 0.1f * std::max(0.0f, low[x]) + 0.05f * mid[x], 0.0f, 1.0f);
            c = c.mul(lerp(cv::Vec3f(1, 1, 1), k.redFactor, redness));
            // On dark skin inflammation shows as violaceous to darker brown: erythema adds melanin-like
            // darkening in proportion to the skin's darkness.
            float brown = at(pig) + 0.35f * k.darkness * at(ery);
            if (frk)
                brown = std::max(
                    brown, 0.2f * smoothstep(0.72f, 1.0f, frk[x]) * smoothstep(-0.3f, 0.5f, low[x]));
            c = c.mul(lerp(cv::Vec3f(1, 1, 1), k.brownFactor, std::min(brown, 1.0f)));
            c *= relief;
            if (at(pal) > 0)
                c = lerp(c, c * 1.22f + cv::Vec3f(0.05f, 0.05f, 0.06f), pal[x] * 0.75f);
            if (at(scl) > 0)
                c = lerp(c, k.scaleColour * (light * (0.94f + 0.08f * fine[x])), scl[x]);
            if (at(cru) > 0) {
                const float dark = 0.1f + 0.4f * smoothstep(-0.6f, 0.9f, fine[x] + 0.5f * mid[x]);
                c = lerp(c, lerp(k.honey, k.honeyDark, dark) * (light * relief), 0.85f * cru[x]);
            }
            if (at(bld) > 0)
                c = lerp(c, k.bloodColour * light, bld[x]);
            if (at(pus) > 0)
                c = lerp(c, k.pusColour * light, pus[x]);
            const float glint
                = 0.6f * at(gls) * (inRelief ? spc[x - rx0] : 0.0f) + m_sheenColumns[size_t(x)] * sheenRow;
            out[x] = c + cv::Vec3f(glint, glint, glint);
        }
    }

private:
    const Look &m_look;
    const SkinNoise &m_noise;
    const SkinLines &m_lines;
    const LesionFields &m_fields;
    const cv::Mat &m_freckles, &m_shade, &m_specular;
    cv::Rect m_reliefArea;
    std::vector<float> m_lineRow;
    std::vector<float> m_sheenColumns;
};

// Linear interpolation taps for upscaling one axis (pixel centres aligned).
struct Tap
{
    int i0, i1;
    float f;
};

std::vector<Tap> upscaleTaps(int outSize, int inSize)
{
    std::vector<Tap> taps(static_cast<size_t>(outSize));
    const float scale = float(inSize) / float(outSize);
    for (int o = 0; o < outSize; ++o) {
        const float src = std::clamp((float(o) + 0.5f) * scale - 0.5f, 0.0f, float(inSize - 1));
        const int i0 = int(src);
        taps[size_t(o)] = { i0, std::min(i0 + 1, inSize - 1), src - float(i0) };
    }
    return taps;
}

} // namespace

QStringList SyntheticSkin::demoConditions()
{
    QStringList names;
    for (const ConditionInfo &info : kConditions)
        names.append(QString(info.name));
    return names;
}

std::pair<int, int> SyntheticSkin::monkRangeForFitzpatrick(int fitzpatrick)
{
    static constexpr std::array<std::pair<int, int>, 6> ranges { { { 1, 2 }, { 2, 3 }, { 3, 5 }, { 5, 6 },
        { 7, 8 }, { 9, 10 } } };
    return ranges[size_t(std::clamp(fitzpatrick, 1, 6) - 1)];
}

int SyntheticSkin::monkForFitzpatrick(int fitzpatrick, quint32 seed)
{
    const auto [first, last] = monkRangeForFitzpatrick(fitzpatrick);
    QRandomGenerator random = seeded(seed, 0x6d6f6e6bu);
    return first + int(random.bounded(quint32(last - first + 1)));
}

cv::Mat SyntheticSkin::render(const SkinParams &params, cv::Mat *lesionMask)
{
    if (lesionMask)
        *lesionMask = cv::Mat();
    if (params.size.width() < 1 || params.size.height() < 1)
        return {};

    const cv::Size full(params.size.width(), params.size.height());
    // Everything is painted at half resolution and upscaled in the final pass, which adds per-pixel
    // grain; hair is drawn at full resolution.
    const cv::Size work(std::max(1, (full.width + 1) / 2), std::max(1, (full.height + 1) / 2));
    const float unit = float(std::min(work.width, work.height));
    const int fitzpatrick = std::clamp(params.fitzpatrick, 1, 6);
    const auto [monkFirst, monkLast] = monkRangeForFitzpatrick(fitzpatrick);
    const int monk = std::clamp(params.monk, monkFirst, monkLast);
    const Condition condition = conditionFromName(params.condition);

    QRandomGenerator random = seeded(params.seed, kSkinSalt);
    cv::RNG rng(random.generate64());
    Look look;
    look.textureSeed = random.generate();
    look.darkness = float(fitzpatrick - 1) / 5.0f;
    const float dark = look.darkness;

    // Base tone with seeded variation; the Monk tone shifts lightness within the type.
    const Tone &tone = kFitzpatrickTones[size_t(fitzpatrick - 1)];
    const float monkPos = monkLast > monkFirst ? float(monk - monkFirst) / float(monkLast - monkFirst) : 0.5f;
    const float lightness = (1.0f + uniform(random, -0.025, 0.025)) * (1.0f - 0.05f * (monkPos - 0.5f));
    look.base = bgr(tone.r * (1.0f + uniform(random, -0.02, 0.02)), tone.g,
                    tone.b * (1.0f + uniform(random, -0.04, 0.04)))
        * lightness;

    // How lesions change colour on this skin. Erythema becomes violaceous / dark brown on dark skin.
    look.redFactor = lerp(bgr(0.97f, 0.58f, 0.6f), bgr(0.80f, 0.70f, 0.86f), dark);
    look.brownFactor = condition == Condition::SeborrhoeicKeratosis
        ? lerp(bgr(0.52f, 0.39f, 0.27f), bgr(0.52f, 0.5f, 0.48f), dark)
        : lerp(bgr(0.54f, 0.41f, 0.32f), bgr(0.50f, 0.48f, 0.47f), dark);
    look.scaleColour = lerp(bgr(0.90f, 0.89f, 0.87f), bgr(0.74f, 0.72f, 0.71f), dark);
    look.honey = bgr(0.86f, 0.63f, 0.26f);
    look.honeyDark = bgr(0.55f, 0.34f, 0.12f);
    look.bloodColour = bgr(0.36f, 0.09f, 0.08f) * (1.0f - 0.4f * dark);
    look.pusColour = bgr(0.96f, 0.93f, 0.74f);

    // Lighting: a directional gradient, curvature across a body axis, a soft sheen, mottling.
    const float lightAngle = uniform(random, 0.0, 2.0 * std::numbers::pi);
    look.lx = std::cos(lightAngle);
    look.ly = std::sin(lightAngle);
    look.gradient = uniform(random, 0.06, 0.16);
    const float axis = uniform(random, 0.0, std::numbers::pi);
    look.ax = std::cos(axis);
    look.ay = std::sin(axis);
    look.curvature = uniform(random, 0.05, 0.22);
    look.sheenAt = { uniform(random, 0.2, 0.8) * work.width, uniform(random, 0.2, 0.8) * work.height };
    look.sheenSigma = unit * uniform(random, 0.25, 0.5);
    look.sheenStrength = uniform(random, 0.0, 0.07);
    const bool freckled = fitzpatrick <= 2 && random.generateDouble() < 0.35;
    look.microRelief = uniform(random, 0.05, 0.08);
    look.poreDepth = uniform(random, 0.05, 0.09);
    look.lineStrength = 0.075f;
    const float grain = uniform(random, 0.012, 0.022);
    const cv::Vec3f balance
        = cv::Vec3f(1.0f + uniform(random, -0.03, 0.03), 1.0f, 1.0f + uniform(random, -0.03, 0.03)) * 255.0f;

    SkinNoise noise;
    noise.low = fractalNoise(work, unit * 0.45, rng);
    noise.mid = fractalNoise(work, unit * 0.1, rng);
    noise.high = valueNoise(work, unit * 0.03, rng);
    noise.fine = valueNoise(work, unit * 0.009, rng);
    const cv::Mat freckles = freckled ? valueNoise(work, unit * 0.01, rng) : cv::Mat();
    const SkinLines lines(work, unit, noise, random, rng);

    LesionFields fields;
    LesionPainter(noise, fields, params.seed).paint(condition, params.lesions);
    cv::Mat shade, specular;
    cv::Rect reliefArea;
    if (!fields.height.empty()) {
        const int margin = int(std::ceil(std::max(0.8, unit * 0.003) * 4)) + 2;
        reliefArea = cv::Rect(fields.touched.tl() - cv::Point(margin, margin),
                         fields.touched.size() + cv::Size(2 * margin, 2 * margin))
            & cv::Rect(0, 0, work.width, work.height);
        reliefShading(fields.height, reliefArea, unit, lightAngle, shade, specular);
    }
    SkinComposer composer(look, noise, lines, fields, freckles, shade, specular, reliefArea);

    // Full resolution: bilinear upscale of composed rows (two cached), per-pixel grain, white balance,
    // quantise, then hair; the mask is the upscaled lesion extent thresholded at one half.
    const std::vector<Tap> columns = upscaleTaps(full.width, work.width);
    const std::vector<Tap> rows = upscaleTaps(full.height, work.height);
    std::array<std::vector<cv::Vec3f>, 2> cache { std::vector<cv::Vec3f>(size_t(work.width)),
        std::vector<cv::Vec3f>(size_t(work.width)) };
    std::array<int, 2> cached { -1, -1 };
    auto composed = [&](int y) -> const cv::Vec3f * {
        for (size_t i = 0; i < 2; ++i) {
            if (cached[i] == y)
                return cache[i].data();
        }
        const size_t slot = cached[0] < cached[1] ? 0 : 1; // rows are requested in increasing order
        composer.row(y, cache[slot].data());
        cached[slot] = y;
        return cache[slot].data();
    };
    const bool wantMask = lesionMask != nullptr;
    cv::Mat mask = wantMask ? cv::Mat::zeros(full, CV_8U) : cv::Mat();
    cv::Mat image(full, CV_8UC3);
    for (int y = 0; y < full.height; ++y) {
        const Tap &ty = rows[size_t(y)];
        const cv::Vec3f *s0 = composed(ty.i0), *s1 = composed(ty.i1);
        cv::Vec3b *dst = image.ptr<cv::Vec3b>(y);
        for (int x = 0; x < full.width; ++x) {
            const Tap &tx = columns[size_t(x)];
            const cv::Vec3f top = s0[tx.i0] + (s0[tx.i1] - s0[tx.i0]) * tx.f;
            const cv::Vec3f bottom = s1[tx.i0] + (s1[tx.i1] - s1[tx.i0]) * tx.f;
            cv::Vec3f c = top + (bottom - top) * ty.f;
            c *= 1.0f + grain * (hashUnit(hashPixel(x, y, ~look.textureSeed)) - 0.5f) * 2.0f;
            c = c.mul(balance);
            dst[x] = cv::Vec3b(cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]),
                cv::saturate_cast<uchar>(c[2]));
        }
        const cv::Rect &box = fields.touched;
        if (wantMask && !fields.extent.empty() && ty.i1 >= box.y && ty.i0 < box.y + box.height) {
            const float *e0 = fields.extent.ptr<float>(ty.i0), *e1 = fields.extent.ptr<float>(ty.i1);
            uchar *m = mask.ptr<uchar>(y);
            for (int x = 0; x < full.width; ++x) {
                const Tap &tx = columns[size_t(x)];
                if (tx.i1 < box.x || tx.i0 >= box.x + box.width)
                    continue;
                const float top = e0[tx.i0] + (e0[tx.i1] - e0[tx.i0]) * tx.f;
                const float bottom = e1[tx.i0] + (e1[tx.i1] - e1[tx.i0]) * tx.f;
                m[x] = top + (bottom - top) * ty.f > 0.5f ? 255 : 0;
            }
        }
    }
    QRandomGenerator hairRandom = seeded(params.seed, kHairSalt);
    drawHair(image, dark, hairRandom);
    if (wantMask)
        *lesionMask = mask;
    return image;
}

} // namespace dl
