#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders the hicolor PNG sizes of the application icon from resources/icons/dermlabel.svg.
# Run after changing the SVG and commit the PNGs (needs rsvg-convert: Debian package librsvg2-bin).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
svg="$here/../../resources/icons/dermlabel.svg"
for size in 16 22 24 32 48 64 128 256 512; do
    mkdir -p "$here/${size}x${size}"
    rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio "$svg" \
        --output "$here/${size}x${size}/org.dermlabel.DermLabel.png"
done
