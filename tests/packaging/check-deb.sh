#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package from a finished build, unpacks it into a scratch root (dpkg -x) and
# checks what an admin gets: the files in their places, the computed dependencies, and both
# programs starting from the unpacked tree.
#   check-deb.sh BUILD_DIR VERSION
set -euo pipefail
build=$1
version=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$scratch/out" > "$scratch/cpack.log" 2>&1) || { cat "$scratch/cpack.log"; fail "cpack"; }
deb=$(ls "$scratch"/out/dermlabel_"$version"_*.deb 2>/dev/null | head -n1)
[[ -n "$deb" ]] || { ls -l "$scratch/out"; fail "no dermlabel_${version}_*.deb written"; }
echo "Built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# Control fields: the version from CMake, library dependencies computed, the run-time plugins named.
info=$(dpkg-deb --field "$deb" Package Version Depends)
echo "$info"
grep -qx "Version: $version" <<<"$info" || fail "version is not $version"
depends=$(dpkg-deb --field "$deb" Depends)
for needed in libqt6core6 libqt6widgets6 libqt6sql6 libopencv-core libopencv-imgcodecs libpq5 libssl3 libzip4 \
    libqt6sql6-sqlite opencv-data; do
    grep -q "$needed" <<<"$depends" || fail "Depends lacks $needed"
done

root="$scratch/root"
dpkg -x "$deb" "$root"
for file in usr/bin/dermlabel usr/bin/dermlabel-cli \
    usr/share/applications/org.dermlabel.DermLabel.desktop \
    usr/share/metainfo/org.dermlabel.DermLabel.metainfo.xml \
    usr/share/icons/hicolor/scalable/apps/org.dermlabel.DermLabel.svg \
    usr/share/icons/hicolor/48x48/apps/org.dermlabel.DermLabel.png \
    usr/share/icons/hicolor/256x256/apps/org.dermlabel.DermLabel.png \
    usr/share/man/man1/dermlabel.1.gz usr/share/man/man1/dermlabel-cli.1.gz; do
    [[ -s "$root/$file" ]] || fail "$file missing from the package"
done
# Nothing of the build or the tests is packaged.
if dpkg-deb --contents "$deb" | grep -Eq 'tst_|bench_|\.a$|/include/'; then
    dpkg-deb --contents "$deb" >&2
    fail "test, benchmark or development files in the package"
fi
# The man pages are the programs' own help: every command of the command line has its section.
zcat "$root/usr/share/man/man1/dermlabel-cli.1.gz" > "$scratch/cli.1"
for command in init demo import stats check backup users agreement consensus export faces migrate assign; do
    grep -q "^\.SS $command\$" "$scratch/cli.1" || fail "man page lacks the command $command"
done
grep -q 'store' "$scratch/cli.1" || fail "man page lacks the options"
zcat "$root/usr/share/man/man1/dermlabel.1.gz" | grep -q '^\.SH OPTIONS' || fail "dermlabel(1) lacks OPTIONS"

# Both programs start from the unpacked tree, with a clean environment (no build paths).
run() { env -i PATH=/usr/bin:/bin HOME="$scratch" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@"; }
out=$(run "$root/usr/bin/dermlabel-cli" --version) || fail "dermlabel-cli --version exited $?"
[[ "$out" == "dermlabel-cli $version" ]] || fail "dermlabel-cli --version printed '$out'"
out=$(run "$root/usr/bin/dermlabel" --help) || fail "dermlabel --help exited $?"
grep -q -- '--store' <<<"$out" || fail "dermlabel --help printed '$out'"
# The unpacked command line does real work: a demo store, checked.
run "$root/usr/bin/dermlabel-cli" demo --store "$scratch/demo.dermlabel" --images 4 > /dev/null ||
    fail "dermlabel-cli demo from the package"
run "$root/usr/bin/dermlabel-cli" check --store "$scratch/demo.dermlabel" > /dev/null ||
    fail "dermlabel-cli check from the package"
# No run path into the build tree.
if readelf -d "$root/usr/bin/dermlabel" "$root/usr/bin/dermlabel-cli" | grep -Eq 'R(UN)?PATH'; then
    fail "an executable carries a run path"
fi
echo "Package OK: $(basename "$deb")"
