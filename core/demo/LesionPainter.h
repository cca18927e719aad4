// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QRandomGenerator>
#include <array>
#include <opencv2/core/mat.hpp>
#include <vector>

namespace dl {

/// Smooth value-noise fields in about [-1, 1] at the working resolution, from coarse to fine.
struct SkinNoise
{
    cv::Mat low, mid, high, fine; // CV_32F
};

/// What the lesions do to each pixel of the working-resolution canvas. A field stays empty until a
/// painter touches it; then it is CV_32F of the canvas size and (except height) in 0..1, and zero
/// outside `touched`. Painters only ever raise values, so overlapping lesions combine.
struct LesionFields
{
    cv::Mat extent; ///< ground truth region (thresholded at 0.5 for the mask)
    cv::Mat erythema; ///< redness (violaceous / darker brown on dark skin)
    cv::Mat pigment; ///< melanin darkening
    cv::Mat scale; ///< silvery-white scale
    cv::Mat crust; ///< honey-coloured crust
    cv::Mat pallor; ///< oedematous paleness (wheal centres, horn cysts, vesicles)
    cv::Mat pus; ///< yellow-white pustule heads
    cv::Mat blood; ///< haemorrhagic crust: puncta, excoriations
    cv::Mat height; ///< relief, in units of 1% of the short image side
    cv::Mat gloss; ///< specular strength of the relief
    cv::Mat lineBoost; ///< accentuation of the skin lines (lichenification)
    cv::Rect touched; ///< bounding box of everything painted

    /// Zero-filled storage of the fields, from calloc: the system hands out zeroed pages on first
    /// touch, so a field painted only around a small lesion (and read only inside `touched`) stays cheap.
    std::vector<std::unique_ptr<float, void (*)(void *)>> storage;
};

/// Draws the lesions of one demo condition into LesionFields. Internal helper of SyntheticSkin.
class LesionPainter
{
public:
    enum class Condition
    {
        None,
        Eczema,
        Psoriasis,
        Acne,
        Urticaria,
        Tinea,
        MelanocyticNaevus,
        SeborrhoeicKeratosis,
        Impetigo,
        InsectBite,
        Scabies,
    };

    LesionPainter(const SkinNoise &noise, LesionFields &fields, quint32 seed);

    /// Paints `regions` (clamped to 1..4) lesion regions of the condition.
    void paint(Condition condition, int regions);

    /// A boundary perturbed by angular harmonics and the noise field: an irregular ellipse.
    struct Blob
    {
        cv::Point2f centre;
        float a = 1.0f, b = 1.0f, cosA = 1.0f, sinA = 0.0f;
        std::array<float, 5> amp {}, cosPhase {}, sinPhase {};
        float ampSum = 0.0f;
        float noiseGain = 0.0f;
    };

private:
    cv::Mat &ensure(cv::Mat &field); // allocates an empty field
    void raise(cv::Mat &field, int x, int y, float value);
    double uniform(double lo, double hi);
    int range(int lo, int hi); // inclusive
    bool chance(double p);
    cv::Point2f pointInDisk(cv::Point2f centre, float radius);
    std::vector<cv::Point2f> regionCentres(int count, float minSeparation, float reach);
    Blob makeBlob(cv::Point2f centre, float a, float b, float irregular, float noiseGain);
    void drawStroke(cv::Mat &field, cv::Point2f from, float length, float angle, float wobble, float value,
        int thickness);

    void paintPsoriasis(cv::Point2f centre);
    void paintEczema(cv::Point2f centre);
    void paintUrticaria(cv::Point2f centre);
    void paintTinea(cv::Point2f centre);
    void paintNaevus(cv::Point2f centre, bool first);
    void paintKeratosis(cv::Point2f centre);
    void paintAcne(cv::Point2f centre);
    void paintScabies(cv::Point2f centre);
    void paintInsectBite(cv::Point2f centre);
    void paintImpetigo(cv::Point2f centre);
    void paintPapule(cv::Point2f centre, float radius, float redness, float halo, float relief);

    const SkinNoise &m_noise;
    LesionFields &m_fields;
    QRandomGenerator m_random;
    cv::Size m_size;
    float m_unit; // the short side of the canvas in pixels
};

} // namespace dl
