#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds, creates the demo store on first use and
# opens the workstation on it. Extra arguments go to dermlabel.
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${DERMLABEL_BUILD_DIR:-$source_dir/build}
"$source_dir/packaging/debian-deps.sh"
"$source_dir/packaging/build.sh"

data_dir=${XDG_DATA_HOME:-$HOME/.local/share}/DermLabel
store=${DERMLABEL_DEMO_STORE:-$data_dir/demo.dermlabel}
if [[ ! -f "$store" ]]; then
    mkdir -p "$(dirname "$store")"
    "$build_dir/app/dermlabel-cli" demo --store "$store" --images 60
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    echo "No display found. To try the workstation without one: xvfb-run $build_dir/app/dermlabel --store $store" >&2
    exit 1
fi
exec "$build_dir/app/dermlabel" --store "$store" "$@"
