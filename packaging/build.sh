#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures and builds DermLabel into build/ (or $DERMLABEL_BUILD_DIR).
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DERMLABEL_BUILD_DIR:-$source_dir/build}
jobs=${DERMLABEL_JOBS:-$(nproc)}
if [[ ! -f "$build_dir/build.ninja" ]]; then
    cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" --parallel "$jobs"
