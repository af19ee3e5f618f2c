#!/usr/bin/env bash
# Every test, as CI runs it (.ci/run) and as the README's second command does after installing
# the dependencies:
#   1. dev preset (optimised, with benchmarks): the whole suite, then the .deb built, installed
#      and checked;
#   2. asan preset (AddressSanitizer + UndefinedBehaviorSanitizer): the whole suite again; any
#      report fails the test that caused it (suppressions, third-party only: tests/lsan.supp);
#   3. fuzz preset (clang, libFuzzer): each target fuzzed from its seed corpus for
#      LOOKALIKE_FUZZ_SECONDS (default 15) seconds; a crash fails the run and is kept in
#      tests/fuzz/regressions/ for the dev build's replay.
# LOOKALIKE_SKIP_SANITIZERS=1 stops after step 1 (a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { printf '\n=== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

stage "dev: build and test"
cmake --preset dev && cmake --build --preset dev && ctest --preset dev
stage "package"
./packaging/check-package.sh build/dev
if [ "${LOOKALIKE_SKIP_SANITIZERS:-0}" = 1 ]; then
    exit 0
fi
stage "asan: build and test"
cmake --preset asan && cmake --build --preset asan && ctest --preset asan
stage "fuzz: build and run"
cmake --preset fuzz && cmake --build --preset fuzz && tests/fuzz/run_fuzzers.sh build/fuzz "${LOOKALIKE_FUZZ_SECONDS:-15}"
stage "all passed"
