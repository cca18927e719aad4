#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the STAPLE references in this folder with ITK (Debian 12:
# apt-get install libinsighttoolkit5-dev, ITK 5.2.1). Run from anywhere:
#     sh tests/data/staple/make_reference.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cat > "$build/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(staple_reference C CXX)
find_package(ITK REQUIRED COMPONENTS ITKCommon ITKIOPNG ITKIOImageBase ITKLabelVoting)
include(\${ITK_USE_FILE})
add_executable(make_reference "$here/make_reference.cpp")
target_compile_features(make_reference PRIVATE cxx_std_17)
target_link_libraries(make_reference \${ITK_LIBRARIES})
CMAKE
cmake -S "$build" -B "$build/out" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build/out" -j2
rm -f "$here"/*.png "$here/reference.txt"
(cd "$here" && "$build/out/make_reference")
echo "Wrote $(ls "$here"/*.png | wc -l) PNGs and reference.txt in $here"
