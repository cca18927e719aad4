#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds, and runs every test through CTest. Then, unless
# DERMLABEL_QUICK=1: the GUI-less tests again in a sanitizer build (clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, build-asan/), and each fuzz target for a short time from its
# committed corpus (DERMLABEL_FUZZ_SECONDS each, 10 by default).
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DERMLABEL_BUILD_DIR:-$source_dir/build}
jobs=${DERMLABEL_JOBS:-$(nproc)}
quick=${DERMLABEL_QUICK:-0}
if [[ "$quick" == 1 ]]; then
    "$source_dir/packaging/debian-deps.sh"
else
    "$source_dir/packaging/debian-deps.sh" --test
fi
"$source_dir/packaging/build.sh"
# CTest's fixture starts the PostgreSQL test server and stops it after the
# last test that needs it; should ctest itself be interrupted, stop it here.
scratch=
cleanup() {
    bash "$source_dir/tests/pg/pg-server.sh" stop "$build_dir/tests/pg" || true
    [[ -n "$asan_dir" ]] && bash "$source_dir/tests/pg/pg-server.sh" stop "$asan_dir/tests/pg" || true
    [[ -n "$scratch" ]] && rm -rf "$scratch"
    return 0
}
asan_dir=
trap cleanup EXIT
(cd "$build_dir" && ctest --output-on-failure --parallel "$jobs" --timeout 600)

if [[ "$quick" == 1 ]]; then
    echo "DERMLABEL_QUICK=1: sanitizer build and fuzzing skipped."
    exit 0
fi

# Sanitizer build: core, the command line and the GUI-less tests, with the fuzz targets.
asan_dir=${DERMLABEL_ASAN_BUILD_DIR:-$source_dir/build-asan}
started=$SECONDS
launcher=()
if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$source_dir")}
fi
if [[ ! -f "$asan_dir/build.ninja" ]]; then
    cmake -S "$source_dir" -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++-14 -DDERMLABEL_FUZZ=ON -DDERMLABEL_BUILD_BENCH=OFF \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" "${launcher[@]}"
fi
cmake --build "$asan_dir" --parallel "$jobs" --target dermlabel_core_tests dermlabel_fuzz_targets
# Every finding stops the test; allocations too large to make fail as they would without ASan.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# A sanitizer finding or a fuzzing crash fails the run, like a failing test.
stage_failures=()
(cd "$asan_dir" && ctest --output-on-failure --parallel "$jobs" --timeout 900 -LE "gui|long|package") ||
    stage_failures+=("sanitizer tests")
echo "Sanitizer build and tests: $((SECONDS - started)) s"

# Fuzzing from the committed corpora; new inputs go to a scratch folder, never into the sources.
started=$SECONDS
seconds=${DERMLABEL_FUZZ_SECONDS:-10}
scratch=$(mktemp -d)
for target in jpeg probe tiff png stripper csv pyliteral rle maskpng coco labelme; do
    mkdir -p "$scratch/$target"
    (cd "$scratch" && "$asan_dir/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -print_final_stats=1 "$scratch/$target" "$source_dir/tests/fuzz/corpus/$target" \
        > "$scratch/$target.log" 2>&1) || { cat "$scratch/$target.log"; stage_failures+=("fuzz_$target"); continue; }
    echo "fuzz_$target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$target.log" | grep -o '[0-9]*$') runs in ${seconds} s, no finding"
done
echo "Fuzzing: $((SECONDS - started)) s"
if [[ ${#stage_failures[@]} -gt 0 ]]; then
    echo "SANITIZER/FUZZ STAGE FOUND PROBLEMS: ${stage_failures[*]}" >&2
    exit 1
fi
exit 0
