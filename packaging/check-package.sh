#!/usr/bin/env bash
# Builds the .deb in a configured and built CMake build directory, installs it, and checks the
# installed result: the binaries run and find their libraries, and the desktop file and the
# AppStream metainfo validate. Exits non-zero with a message on the first failure.
# Usage: packaging/check-package.sh BUILD_DIR
# The package is removed again afterwards unless LOOKALIKE_KEEP_PACKAGE=1.
set -euo pipefail

fail() { echo "check-package: FAILED: $*" >&2; exit 1; }
step() { echo "check-package: $*"; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build_dir=$(cd "$1" 2>/dev/null && pwd) || fail "no build directory $1"
[ -f "$build_dir/CPackConfig.cmake" ] || fail "$build_dir is not a configured Lookalike build (no CPackConfig.cmake)"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
for tool in cpack dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null || fail "$tool is missing; run packaging/install-deps.sh"
done

cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt"; }
version=$(cache_value CMAKE_PROJECT_VERSION)
gui=$(cache_value LOOKALIKE_BUILD_GUI)
[ -n "$version" ] || fail "cannot read the project version from $build_dir/CMakeCache.txt"
app_id=io.github.lookalike.Lookalike

step "building the package (cpack)"
out_dir="$build_dir/packages"
rm -rf "$out_dir"
(cd "$build_dir" && cpack -G DEB -B "$out_dir") || fail "cpack did not build the package"
shopt -s nullglob
debs=("$out_dir"/lookalike_*.deb)
[ ${#debs[@]} -eq 1 ] || fail "expected one lookalike_*.deb in $out_dir, found ${#debs[@]}"
deb=${debs[0]}
step "built $(basename "$deb")"
dpkg-deb --info "$deb" | sed -n 's/^ \(Depends\|Recommends\|Installed-Size\):/  \1:/p'

step "installing it"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO dpkg -i "$deb"; then
    step "dpkg left dependencies unresolved; letting apt install them"
    $SUDO apt-get install -f -y -q || fail "apt-get could not install the package's dependencies"
fi
dpkg-query -W -f='${Status}\n' lookalike | grep -q 'install ok installed' || fail "lookalike is not installed"
if [ "${LOOKALIKE_KEEP_PACKAGE:-0}" != 1 ]; then
    trap 'step "removing the package"; $SUDO dpkg -r lookalike >/dev/null || true' EXIT
fi

binaries=(/usr/bin/lookalike-cli)
if [ "$gui" = ON ]; then binaries+=(/usr/bin/lookalike); fi
for binary in "${binaries[@]}"; do
    [ -x "$binary" ] || fail "$binary was not installed"
    missing=$(ldd "$binary" | grep 'not found' || true)
    [ -z "$missing" ] || fail "$binary cannot find libraries:"$'\n'"$missing"
done

step "running /usr/bin/lookalike-cli --version"
printed=$(/usr/bin/lookalike-cli --version) || fail "lookalike-cli --version exited with $?"
[ "$printed" = "lookalike-cli $version" ] || fail "lookalike-cli --version printed \"$printed\", expected \"lookalike-cli $version\""

# Models run in a plug-in loaded on demand: the installed one must be found and must work. The
# tiny CLIP of the shared test data, when it is there (CI has it beside the clone).
plugin=$(dpkg -L lookalike | grep '/lookalike/liblookalike_torch.so$' || true)
[ -n "$plugin" ] || fail "the package holds no liblookalike_torch.so"
missing=$(ldd "$plugin" | grep 'not found' || true)
[ -z "$missing" ] || fail "$plugin cannot find libraries:"$'\n'"$missing"
testmodel="$(dirname "$0")/../../shared/testdata/models/clip-tiny"
if [ -d "$testmodel" ]; then
    step "embedding a text with the installed model plug-in"
    log=$(LOOKALIKE_VERBOSE=1 /usr/bin/lookalike-cli embed --model "$(cd "$testmodel" && pwd)" --text probe 2>&1 >/dev/null) \
        || fail "lookalike-cli embed failed: $log"
    echo "$log" | grep -q "loaded model support from $plugin" \
        || fail "lookalike-cli did not load the installed plug-in $plugin: $log"
fi

if [ "$gui" = ON ]; then
    desktop=/usr/share/applications/$app_id.desktop
    metainfo=/usr/share/metainfo/$app_id.metainfo.xml
    for file in "$desktop" "$metainfo" \
                /usr/share/icons/hicolor/scalable/apps/$app_id.svg \
                /usr/share/icons/hicolor/48x48/apps/$app_id.png \
                /usr/share/icons/hicolor/256x256/apps/$app_id.png; do
        [ -s "$file" ] || fail "$file was not installed"
    done
    step "validating $desktop"
    desktop-file-validate "$desktop" || fail "desktop-file-validate rejected $desktop"
    step "validating $metainfo"
    appstreamcli validate --no-net "$metainfo" || fail "appstreamcli rejected $metainfo"
    # validate-tree also checks that the metainfo's launchable desktop file is in the package.
    tree=$(mktemp -d)
    dpkg-deb -x "$deb" "$tree"
    appstreamcli validate-tree --no-net "$tree" >/dev/null \
        || { rm -rf "$tree"; fail "appstreamcli validate-tree rejected the package's file tree"; }
    rm -rf "$tree"
else
    step "built without the GUI (LOOKALIKE_BUILD_GUI=$gui): no desktop files to check"
fi

step "OK: $(basename "$deb") installs and passes its checks"
