#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages DermLabel needs to build, test and run,
# but only those that are missing. Uses sudo when not run as root.
# --test adds what only the test suite needs: clang and its runtimes for the sanitizer and fuzz
# build (tests/run.sh), and the validators and Debian tools of the package tests (tests/packaging).
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    # Qt Charts needs the OpenGL development files, which qt6-charts-dev does not pull in.
    qt6-charts-dev libqt6opengl6-dev qt6-image-formats-plugins libqt6svg6 libgl-dev
    libopencv-dev opencv-data libzip-dev zlib1g-dev
    # Password hashing (PBKDF2-HMAC-SHA256).
    libssl-dev
    # Team stores: Qt's PostgreSQL driver; the server runs the tests' throwaway instance.
    libqt6sql6-psql postgresql
    # libpq's header: core asks it whether a team store's connection was lost.
    libpq-dev
    xvfb xauth
)
if [[ "${1:-}" == "--test" ]]; then
    # openssl: the test server's throwaway certificate authority (tests/pg/pg-server.sh).
    packages+=(clang-14 libclang-rt-14-dev desktop-file-utils appstream dpkg-dev openssl)
fi

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "Run as root or install sudo." >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
