#!/usr/bin/env bash
# Installs everything Lookalike needs to build, test and run its demo on Debian 12.
# Safe to run again: apt skips what is already there.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

packages=(
  # toolchain
  build-essential cmake pkg-config
  # Qt 6
  qt6-base-dev qt6-svg-dev qt6-tools-dev qt6-l10n-tools qt6-tools-dev-tools
  qt6-httpserver-dev qt6-websockets-dev qt6-image-formats-plugins libxkbcommon-dev
  # search, storage, models, images
  libfaiss-dev libsqlite3-dev libxxhash-dev libtorch-dev libopencv-dev zlib1g-dev
  # the reference BLAS is ~30x slower; this one takes over libblas.so.3
  libopenblas0-openmp
  # test helpers, screenshots, benchmarks
  xvfb xauth python3-numpy python3-pil python3-torch wrk
  # the fuzz preset: clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # real images: the demo collection (photos), the labelled benchmark set (icons) and the SVG
  # ingest benchmark (breeze: ~5,000 SVG icons)
  plasma-workspace-wallpapers oxygen-icon-theme breeze-icon-theme
  # the .deb and its checks (packaging/check-package.sh)
  dpkg-dev desktop-file-utils appstream
)

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${packages[@]}"
