#!/bin/bash
# REST search under load (issue 5): `lookalike-cli serve` on a 100,000-item collection, driven by
# wrk with 16 connections POSTing searches by item id (half one id, half two ids mixed), each
# with the bearer token; prints requests/s and latency percentiles. The issue's target: p99 at
# most 20 ms at 100k items under 16 concurrent clients.
#
#   bench/bench_rest.sh [BUILD_DIR]     (default build/dev; needs lookalike-cli and bench_search)
#
# The collection is bench_search's synthetic one (704-d clustered vectors, thumbnails, reports
# on ~10% of items, IVF index calibrated to recall@10 >= 0.96): built once with
# `bench_search --sizes N --build-only` into /tmp/lookalike-bench-search-N, then reused. Its
# model id (synthetic-d704) is no real model, so the server warns that example images and
# adds are unavailable; searches by item need none. Settings through the environment:
#   N=100000 THREADS=4 CONNECTIONS=16 DURATION=20s K=10 PREFIX=/tmp/lookalike-bench-search
#   WORKERS=0 (the server's --workers; 0 = its default)
# The server's stderr and wrk's output go to build/bench-rest/<time>/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build/dev}" && pwd)
CLI=$BUILD/src/cli/lookalike-cli
BENCH_SEARCH=$BUILD/bench/bench_search
PY=/usr/bin/python3
N=${N:-100000}
THREADS=${THREADS:-4}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-20s}
K=${K:-10}
PREFIX=${PREFIX:-/tmp/lookalike-bench-search}
WORKERS=${WORKERS:-0}
[ -x "$CLI" ] || { echo "no $CLI: cmake --build $BUILD --target lookalike-cli" >&2; exit 2; }
[ -x "$BENCH_SEARCH" ] || { echo "no $BENCH_SEARCH: cmake --build $BUILD --target bench_search" >&2; exit 2; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk; packaging/install-deps.sh)" >&2; exit 2; }
OUT=$ROOT/build/bench-rest/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
COLLECTION=$PREFIX-$N

# --- the collection (built once, then reused)
if [ ! -f "$COLLECTION/bench-build.json" ]; then
    echo "building $COLLECTION (once; minutes at 100k)..." >&2
    "$BENCH_SEARCH" --sizes "$N" --build-only --dir "$PREFIX" >"$OUT/build.log"
fi

# --- the server, on a free loopback port, with a token of its own
"$CLI" serve "$COLLECTION" --port 0 --workers "$WORKERS" --token-file "$OUT/token" --json >"$OUT/serve.json" 2>"$OUT/serve.log" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    [ -s "$OUT/serve.json" ] && break
    kill -0 $SERVER 2>/dev/null || { cat "$OUT/serve.log" >&2; exit 1; }
    sleep 0.1
done
read -r URL NAME ITEMS < <("$PY" -c 'import json, sys; s = json.load(open(sys.argv[1])); c = s["collections"][0]; print(s["url"], c["name"], c["items"])' "$OUT/serve.json")
TOKEN=$(cat "$OUT/token")
SEARCH=${URL}${NAME}/search

# Warm-up: the first search loads the index from disk.
for id in 1 2 3 4 5; do
    curl -sf -H "Authorization: Bearer $TOKEN" -X POST -d "{\"item_ids\": [$id], \"k\": $K}" "$SEARCH" >/dev/null
done

echo "collection: $COLLECTION ($ITEMS items)"
echo "machine:    $(nproc) cores, $(uptime | sed 's/.*load average: /load average before: /')"
echo "server:     lookalike-cli serve --workers $WORKERS (0 = one per core, at least 2)"
echo "command:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s bench/rest_search.lua $SEARCH -- TOKEN $ITEMS $K"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/bench/rest_search.lua" "$SEARCH" -- "$TOKEN" "$ITEMS" "$K" \
    | tee "$OUT/wrk.txt"
echo "load average after: $(uptime | sed 's/.*load average: //')"
# RSS counts the pages of collection.sqlite that SQLite's memory map touched (file-backed,
# shared with the page cache, reclaimable); the server's own memory is the anonymous part.
echo "server RSS: $(awk '/^(VmRSS|RssAnon|RssFile):/ {printf "%s %.0f MiB  ", $1, $2 / 1024}' /proc/$SERVER/status)"
