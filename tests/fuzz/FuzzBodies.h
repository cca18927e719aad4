// SPDX-License-Identifier: GPL-3.0-or-later
// What each fuzz target feeds to one hand-written parser of core. Shared by the libFuzzer
// executables (tests/fuzz/<target>.cpp, built with DERMLABEL_FUZZ) and by tst_fuzzcorpus, which
// replays the committed corpora and every input that once crashed in the normal test suite.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dl::fuzz {

using Body = void (*)(const std::uint8_t *data, std::size_t size);

struct Target
{
    const char *name; ///< as in tests/fuzz/<name>.cpp and tests/fuzz/corpus/<name>/
    Body body;
};

/// Every target, in a fixed order.
const std::vector<Target> &targets();

// Masks and images the bodies decode are limited to this many pixels, as the importers limit
// them to the matched store image's size before decoding.
constexpr long long MaxDecodedPixels = 1'000'000;

void jpeg(const std::uint8_t *data, std::size_t size); ///< JpegValidator and its entropy reader
void probe(const std::uint8_t *data, std::size_t size); ///< ImageProbe, every format
void tiff(const std::uint8_t *data, std::size_t size); ///< TIFF IFD and EXIF orientation
void png(const std::uint8_t *data, std::size_t size); ///< PngValidator
void stripper(const std::uint8_t *data, std::size_t size); ///< MetadataStripper
void csv(const std::uint8_t *data, std::size_t size); ///< CsvReader
void pyliteral(const std::uint8_t *data, std::size_t size); ///< PyLiteral, all four entry points
void rle(const std::uint8_t *data, std::size_t size); ///< CocoRle strings and counts
void maskpng(const std::uint8_t *data, std::size_t size); ///< MaskCodec PNG and LabelMe mask shape
void coco(const std::uint8_t *data, std::size_t size); ///< CocoReader
void labelme(const std::uint8_t *data, std::size_t size); ///< LabelMeReader

} // namespace dl::fuzz
