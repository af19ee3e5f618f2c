#!/bin/bash
# Runs every libFuzzer target for a bounded time, starting from its seed corpus, and fails if
# any finds a crash, a sanitizer report, a leak or a timeout. The corpus in the repository is
# not modified: new inputs go to a scratch copy (printed at the end, for merging by hand with
# `fuzz_X -merge=1 tests/fuzz/corpus/X SCRATCH/X`). A crash input is copied to
# tests/fuzz/regressions/<target>/ so that, once fixed, ctest replays it on every build.
#
#   cmake --preset fuzz && cmake --build --preset fuzz
#   tests/fuzz/run_fuzzers.sh [BUILD_DIR [SECONDS_PER_TARGET [TARGET...]]]   (build/fuzz, 60)
#
# Prints one line per target: executions, seconds, coverage, corpus size; then a Markdown table.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build/fuzz}
SECONDS_EACH=${2:-60}
shift $(( $# > 2 ? 2 : $# ))
TARGETS=${*:-imagedecoder svg csv safetensors modelconfig tokenizer spiece restrequest ivflists}
SCRATCH=$(mktemp -d /tmp/lookalike-fuzz.XXXXXX)
export QT_QPA_PLATFORM=offscreen
# Leaks in Qt's and fontconfig's process-lifetime caches are not ours; everything else counts.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
rows=()
for t in $TARGETS; do
    bin=$BUILD/tests/fuzz/fuzz_$t
    [ -x "$bin" ] || { echo "no $bin (cmake --build --preset fuzz)" >&2; exit 2; }
    mkdir -p "$SCRATCH/$t" "$SCRATCH/artifacts-$t"
    cp "$ROOT/tests/fuzz/corpus/$t/"* "$SCRATCH/$t/"
    dict=()
    [ -f "$ROOT/tests/fuzz/$t.dict" ] && dict=(-dict="$ROOT/tests/fuzz/$t.dict")
    log=$SCRATCH/$t.log
    "$bin" "$SCRATCH/$t" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2560 -max_len=65536 \
        -artifact_prefix="$SCRATCH/artifacts-$t/" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(ls "$SCRATCH/$t" | wc -l)
    found=$(ls "$SCRATCH/artifacts-$t" | wc -l)
    echo "fuzz_$t: exit $rc, ${runs:-?} runs in ${SECONDS_EACH} s, coverage ${cov:-?}, corpus $corpus, crashes $found"
    rows+=("| fuzz_$t | ${SECONDS_EACH} | ${runs:-?} | ${cov:-?} | $corpus | $found |")
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        status=1
        mkdir -p "$ROOT/tests/fuzz/regressions/$t"
        cp "$SCRATCH/artifacts-$t/"* "$ROOT/tests/fuzz/regressions/$t/" 2>/dev/null || true
        grep -E "ERROR|SUMMARY|runtime error" "$log" | head -5
        echo "   log: $log; inputs copied to tests/fuzz/regressions/$t/"
    fi
done
echo
echo "| target | seconds | executions | coverage (edges) | corpus after | crashes |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "scratch corpora and logs: $SCRATCH"
exit $status
