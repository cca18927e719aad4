// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace dl {

// Rewrites an ICC colour profile (ICC.1, versions 2 and 4) so that it keeps what a decoder needs
// to render colours and nothing that names a person, a device or a program.
//
// Parsed: the 128-byte header ('acsp' signature, declared size within the data, version 2 or 4)
// and the tag table (count, offsets and sizes within the profile, tag data after the table, no
// tag twice). A profile that fails any check is refused with a reason; nothing is half-written.
//
// Kept, bit for bit: the tags that define the colour transform, and nothing else:
//   wtpt bkpt lumi              media white and black point, luminance (absolute colorimetry)
//   rXYZ gXYZ bXYZ              matrix/TRC RGB profiles: the primaries
//   rTRC gTRC bTRC kTRC         tone curves (kTRC: grey profiles)
//   chad                        chromatic adaptation matrix (v4 and v2 with absolute intent)
//   chrm                        the colorant chromaticities (read by some decoders)
//   A2B0..A2B2 B2A0..B2A2       LUT-based profiles, one per rendering intent
//   D2B0..D2B3 B2D0..B2D3       their floating-point forms (v4)
//   cicp                        coding-independent code points (v4.4): numbers, no text
// Dropped: desc, cprt (replaced, see below), dmnd, dmdd (device manufacturer and model text),
// meta, targ, calt, tech, vued, view, ncl2 and every private or unknown tag. XYZ, curv, para and
// sf32 data keep exactly their defined length (slack after them is dropped); the 4 reserved bytes
// after every kept tag's type signature are zeroed, as the standard requires.
//
// Header: size recomputed; version, device class, colour space, PCS, rendering intent, PCS
// illuminant and the low 16 flag bits (embedded, dependent) kept; preferred CMM, date, platform,
// the vendor flag bits, device manufacturer, model and attributes, creator, profile ID (0: not
// computed) and the reserved bytes cleared.
// Tags are written in their original order, each 4-byte aligned, after a new tag table; tags that
// shared their data still share it. A neutral description ('desc') and copyright ('cprt'), which
// versions 2 and 4 both require, are added: 'desc'/'text' types for version 2, 'mluc' for 4.
//
// Rewriting a rewritten profile gives the same bytes.
class IccProfile
{
public:
    // Profiles larger than this are refused (a JPEG carries at most 255 APP2 chunks, ~16 MB).
    static constexpr qsizetype MaxSize = 16 * 1024 * 1024;

    // The rewritten profile, or nullopt and *reason.
    static std::optional<QByteArray> sanitize(QByteArrayView profile, QString *reason);
};

} // namespace dl
