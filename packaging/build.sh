#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures and builds DermLabel into build/ (or $DERMLABEL_BUILD_DIR).
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DERMLABEL_BUILD_DIR:-$source_dir/build}
jobs=${DERMLABEL_JOBS:-$(nproc)}
launcher=()
if command -v ccache >/dev/null; then
    # Compiler cache: rebuilds of unchanged files (another build folder, a
    # second checkout) come from the cache.
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$source_dir")}
fi
if [[ ! -f "$build_dir/build.ninja" ]]; then
    cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}"
fi
cmake --build "$build_dir" --parallel "$jobs"
