#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds, and runs every test through CTest.
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DERMLABEL_BUILD_DIR:-$source_dir/build}
"$source_dir/packaging/debian-deps.sh"
"$source_dir/packaging/build.sh"
# CTest's fixture starts the PostgreSQL test server and stops it after the
# last test that needs it; should ctest itself be interrupted, stop it here.
trap 'bash "$source_dir/tests/pg/pg-server.sh" stop "$build_dir/tests/pg"' EXIT
cd "$build_dir"
ctest --output-on-failure --parallel "${DERMLABEL_JOBS:-$(nproc)}" --timeout 600
