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
# LeakSanitizer's own tracer now and then crashes while the process exits ("Tracer caught signal
# 11 ... LeakSanitizer has encountered a fatal error", google/sanitizers#1353), after every test
# function passed: a failure of the tool, not a report. A test that failed that way, and only
# that way, is run once more; any sanitizer report, a failed test function, or the same crash
# twice still fails the stage.
asan_tests() {
    ctest --preset asan && return 0
    local dir=build/asan/Testing/Temporary names=() name section
    while IFS=: read -r _ name; do names+=("$name"); done < "$dir/LastTestsFailed.log"
    for name in "${names[@]}"; do
        section=$(awk -v t="$name" '$0 ~ ("^[0-9]+/[0-9]+ Testing: " t "$") {on = 1} on {print} on && / end time: / {exit}' \
                      "$dir/LastTest.log")
        grep -q "LeakSanitizer has encountered a fatal error" <<<"$section" || return 1
        ! grep -qE "ERROR: (AddressSanitizer|LeakSanitizer: detected)|runtime error:|^FAIL!" <<<"$section" || return 1
    done
    echo "LeakSanitizer's tracer crashed at exit in ${names[*]} (google/sanitizers#1353); running them once more"
    ctest --preset asan -R "^($(IFS='|'; echo "${names[*]}"))\$"
}

stage "asan: build and test"
cmake --preset asan && cmake --build --preset asan && asan_tests
stage "fuzz: build and run"
cmake --preset fuzz && cmake --build --preset fuzz && tests/fuzz/run_fuzzers.sh build/fuzz "${LOOKALIKE_FUZZ_SECONDS:-15}"
stage "all passed"
