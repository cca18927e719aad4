// SPDX-License-Identifier: GPL-3.0-or-later
// Writes the STAPLE reference cases of tst_staple with ITK's itk::STAPLEImageFilter (the
// independent implementation DermLabel's MaskConsensus::staple is checked against). Built and run
// by make_reference.sh; ITK is needed only here, never to build or test DermLabel.
//
// For each case, into the current folder:
//   <case>_r<j>.png    rater j's mask, 8-bit, 0 outside and 255 inside (synthetic, deterministic)
//   <case>_itk.png     ITK's posterior thresholded at 0.5 (255 where W >= 0.5)
// and one line per case and rater into reference.txt:
//   case <name> <width> <height> <raters> <ITK elapsed iterations> <pixels with W == 0.5 exactly>
//   rater <j> <sensitivity> <specificity>            (%.17g)
// ITK's settings: foreground value 255, confidence weight 1 (prior = mean vote share), maximum
// iterations 1000; its convergence rule (squared change of every p and q at most 1e-14) is fixed.
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkImageRegionConstIterator.h>
#include <itkImageRegionIterator.h>
#include <itkPNGImageIOFactory.h>
#include <itkSTAPLEImageFilter.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using Mask = itk::Image<unsigned char, 2>;
using Soft = itk::Image<double, 2>;

namespace {

/// A small fixed generator (SplitMix64), so the masks do not depend on the C library.
struct Random
{
    std::uint64_t state;
    double next()
    {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return double(z >> 11) / double(1ull << 53);
    }
};

Mask::Pointer makeMask(int w, int h, const std::function<bool(int, int)> &inside)
{
    auto m = Mask::New();
    Mask::RegionType region;
    region.SetSize({{std::size_t(w), std::size_t(h)}});
    m->SetRegions(region);
    m->Allocate();
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            m->SetPixel({{x, y}}, inside(x, y) ? 255 : 0);
    return m;
}

/// Inside an axis-aligned ellipse centred at (cx, cy) with radii (rx, ry).
std::function<bool(int, int)> ellipse(double cx, double cy, double rx, double ry)
{
    return [=](int x, int y) {
        const double dx = (x - cx) / rx, dy = (y - cy) / ry;
        return dx * dx + dy * dy <= 1.0;
    };
}

/// `shape`, with each pixel flipped with probability `share`.
std::function<bool(int, int)> noisy(std::function<bool(int, int)> shape, double share, std::uint64_t seed, int w)
{
    // Draw the flips once per pixel in raster order so the result is fixed.
    auto flips = std::make_shared<std::vector<char>>();
    Random random {seed};
    for (int i = 0; i < w * 4096; ++i)
        flips->push_back(random.next() < share);
    return [=](int x, int y) { return shape(x, y) != bool(flips->at(std::size_t(y) * std::size_t(w) + x)); };
}

struct Case
{
    std::string name;
    int width, height;
    std::vector<std::function<bool(int, int)>> raters;
};

void write(const Mask::Pointer &m, const std::string &path)
{
    auto writer = itk::ImageFileWriter<Mask>::New();
    writer->SetInput(m);
    writer->SetFileName(path);
    writer->Update();
}

} // namespace

int main()
{
    itk::PNGImageIOFactory::RegisterOneFactory();
    const auto nothing = [](int, int) { return false; };
    std::vector<Case> cases;
    // Small hand-made panels.
    cases.push_back({"small_three", 12, 10, {
        [](int x, int y) { return x >= 2 && x < 8 && y >= 2 && y < 7; },
        [](int x, int y) { return x >= 3 && x < 9 && y >= 2 && y < 8; },
        [](int x, int y) { return x >= 1 && x < 7 && y >= 3 && y < 8; }}});
    cases.push_back({"small_four_outlier", 16, 12, {
        ellipse(7, 6, 4, 3), ellipse(7.5, 6, 4, 3.5), ellipse(7, 5.5, 4.5, 3),
        [](int x, int y) { return x >= 9 && y < 4; }}});
    cases.push_back({"one_rater", 20, 15, {ellipse(9, 7, 6, 4)}});
    cases.push_back({"identical", 20, 15, {ellipse(9, 7, 6, 4), ellipse(9, 7, 6, 4), ellipse(9, 7, 6, 4)}});
    cases.push_back({"empty_rater", 24, 18, {ellipse(11, 8, 7, 5), ellipse(12, 9, 6, 5), nothing}});
    // Medium panels: a true ellipse drawn carefully, too tight, too wide, shifted, with noise.
    {
        const int w = 256, h = 192;
        cases.push_back({"medium_five", w, h, {
            noisy(ellipse(128, 96, 70, 50), 0.01, 1, w),
            ellipse(128, 96, 55, 38),
            noisy(ellipse(128, 96, 85, 62), 0.04, 2, w),
            ellipse(136, 90, 70, 50),
            noisy(ellipse(128, 96, 72, 49), 0.10, 3, w)}});
    }
    {
        const int w = 320, h = 240;
        cases.push_back({"medium_three_noisy", w, h, {
            noisy(ellipse(150, 120, 90, 60), 0.08, 11, w),
            noisy(ellipse(160, 115, 80, 66), 0.12, 12, w),
            noisy(ellipse(155, 125, 95, 55), 0.05, 13, w)}});
    }
    {
        const int w = 128, h = 96;
        std::vector<std::function<bool(int, int)>> raters;
        for (int j = 0; j < 8; ++j)
            raters.push_back(noisy(ellipse(60 + 2 * j, 48 - j, 30 + j, 22 + (j % 3)), 0.02 * (j % 4), 100 + j, w));
        cases.push_back({"eight_raters", w, h, raters});
    }
    {
        // A small region in a large empty image: most pixels nobody's.
        const int w = 300, h = 200;
        cases.push_back({"small_region", w, h, {
            ellipse(200, 60, 12, 9), ellipse(201, 61, 10, 9), noisy(ellipse(199, 60, 13, 8), 0.0, 21, w)}});
    }

    std::FILE *out = std::fopen("reference.txt", "w");
    std::fprintf(out, "# itk::STAPLEImageFilter (ITK %s), written by make_reference.cpp\n", ITK_VERSION_STRING);
    for (const Case &c : cases) {
        auto filter = itk::STAPLEImageFilter<Mask, Soft>::New();
        filter->SetForegroundValue(255);
        filter->SetConfidenceWeight(1.0);
        filter->SetMaximumIterations(1000);
        for (std::size_t j = 0; j < c.raters.size(); ++j) {
            const Mask::Pointer m = makeMask(c.width, c.height, c.raters[j]);
            write(m, c.name + "_r" + std::to_string(j) + ".png");
            filter->SetInput(j, m);
        }
        filter->Update();
        const Soft::Pointer soft = filter->GetOutput();
        int ties = 0;
        const Mask::Pointer thresholded = makeMask(c.width, c.height, [&](int x, int y) {
            const double v = soft->GetPixel({{x, y}});
            ties += v == 0.5;
            return v >= 0.5;
        });
        write(thresholded, c.name + "_itk.png");
        std::fprintf(out, "case %s %d %d %zu %u %d\n", c.name.c_str(), c.width, c.height, c.raters.size(),
                     filter->GetElapsedIterations(), ties);
        for (std::size_t j = 0; j < c.raters.size(); ++j)
            std::fprintf(out, "rater %zu %.17g %.17g\n", j, filter->GetSensitivity(j), filter->GetSpecificity(j));
    }
    std::fclose(out);
    return 0;
}
