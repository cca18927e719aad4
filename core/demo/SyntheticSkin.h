// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>
#include <opencv2/core/mat.hpp>
#include <utility>

namespace dl {

/// What SyntheticSkin::render draws. Out-of-range numbers are clamped.
struct SkinParams
{
    int fitzpatrick
        = 3; ///< 1..6: base tone from light pinkish-beige (I) to deep brown (VI), seeded variation
    int monk = 4; ///< 1..10: nudges lightness; clamped into monkRangeForFitzpatrick(fitzpatrick)
    QString
        condition; ///< one of SyntheticSkin::demoConditions() (case-insensitive); anything else: no lesion
    int lesions = 1; ///< 1..4 lesion regions (a cluster of papules counts as one region)
    QSize size { 1600, 1200 };
    quint32 seed = 1;
};

/// Procedural, clearly synthetic close-up "skin photos" with lesions, for the demo dataset and tests.
/// No text, faces or anything resembling a person: only a patch of skin.
class SyntheticSkin
{
public:
    /// A BGR 8-bit image (CV_8UC3) of params.size and, if lesionMask is given, a CV_8UC1 mask (0 / 255)
    /// of the lesion region. Deterministic for equal params (the skin itself depends on the seed only,
    /// so the same seed with another type or condition keeps the same lighting, lines and hair layout).
    /// An empty size gives empty matrices.
    static cv::Mat render(const SkinParams &params, cv::Mat *lesionMask = nullptr);

    /// The conditions render() can draw, in a fixed order.
    static QStringList demoConditions();

    /// A Monk skin tone consistent with the Fitzpatrick type, picked by the seed from
    /// monkRangeForFitzpatrick().
    static int monkForFitzpatrick(int fitzpatrick, quint32 seed);

    /// The Monk tones (first, last) taken to go with a Fitzpatrick type:
    /// I 1-2, II 2-3, III 3-5, IV 5-6, V 7-8, VI 9-10.
    static std::pair<int, int> monkRangeForFitzpatrick(int fitzpatrick);
};

} // namespace dl
