#!/bin/bash
# Ingest from the web and SVG at scale (issue 5), with the real `lookalike-cli add`:
#
#   1. SVG: every regular .svg file of Debian's breeze-icon-theme (~5,000 real icons) added
#      from disk into a new collection: images/s and how many failed (and why).
#   2. URLs: 1,000 real images (oxygen-icon-theme PNGs and plasma wallpapers) served over HTTP by
#      tests/data/image_server.py on loopback, added with `--urls` at concurrency 8 and at 1.
#   3. The same 1,000 plus 8 URLs whose server never answers, at concurrency 8 and a 10 s
#      timeout: the failing ones end as errors after the timeout while the others go on (the
#      run takes the 1,000's time plus about one timeout, not eight).
#
#   bench/bench_web_ingest.sh [BUILD_DIR]     (default build/dev; needs lookalike-cli built)
#
# Prints a Markdown table; JSON outputs and logs go to build/bench-web/<time>/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build/dev}" && pwd)
CLI=$BUILD/src/cli/lookalike-cli
PY=/usr/bin/python3
[ -x "$CLI" ] || { echo "no $CLI: cmake --build $BUILD --target lookalike-cli" >&2; exit 2; }
[ -d /usr/share/icons/breeze ] || { echo "needs breeze-icon-theme (packaging/install-deps.sh)" >&2; exit 2; }
OUT=$ROOT/build/bench-web/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
export QT_QPA_PLATFORM=offscreen

elapsed() { "$PY" -c 'import sys, time; print(time.time() - float(sys.argv[1]))' "$1"; }

# --- 1. SVG icons from disk
SVGS=$OUT/svg-list.txt
find /usr/share/icons/breeze -name '*.svg' -type f | sort >"$SVGS"
"$CLI" create "$OUT/svg" >/dev/null
start=$(date +%s.%N)
"$CLI" add "$OUT/svg" --urls "$SVGS" --json -q >"$OUT/svg.json" 2>"$OUT/svg.log" || true
svg_wall=$(elapsed "$start")

# --- 2. and 3. URLs from a loopback server
WWW=$OUT/www
mkdir -p "$WWW"
i=0
while read -r f; do
    ext=${f##*.}
    cp "$f" "$WWW/$(printf 'i%04d' $i).$ext"
    i=$((i + 1))
done < <( (find /usr/share/icons/oxygen -path '*256x256*' -name '*.png' -type f | sort
           find /usr/share/icons/oxygen -path '*128x128*' -name '*.png' -type f | sort
           find /usr/share/wallpapers -name '*.jpg' -type f | sort) | head -1000)
"$PY" "$ROOT/tests/data/image_server.py" "$WWW" >"$OUT/server.port" 2>"$OUT/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q PORT "$OUT/server.port" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/^PORT //p' "$OUT/server.port")
URLS=$OUT/urls.txt
for f in "$WWW"/*; do echo "http://127.0.0.1:$PORT/img/$(basename "$f")"; done >"$URLS"
HANGING=$OUT/urls-hanging.txt
{ cat "$URLS"; for k in $(seq 8); do echo "http://127.0.0.1:$PORT/hang?$k"; done; } >"$HANGING"
bytes=$(du -cb "$WWW"/* | tail -1 | cut -f1)

run_urls() { # NAME LIST CONCURRENCY TIMEOUT
    "$CLI" create "$OUT/$1" >/dev/null
    local start pid
    start=$(date +%s.%N)
    "$CLI" add "$OUT/$1" --urls "$2" --url-concurrency "$3" --url-timeout "$4" --json -q >"$OUT/$1.json" 2>"$OUT/$1.log" &
    pid=$!
    # When the 1,000 good ones are all committed (readers see them), whatever else is pending.
    while kill -0 $pid 2>/dev/null; do
        if [ ! -f "$OUT/$1.all" ] && [ "$("$CLI" stats "$OUT/$1" --json 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["items"])' 2>/dev/null)" = 1000 ]; then
            elapsed "$start" >"$OUT/$1.all"
        fi
        sleep 0.5
    done
    wait $pid || true
    elapsed "$start" >"$OUT/$1.wall"
    [ -f "$OUT/$1.all" ] || cp "$OUT/$1.wall" "$OUT/$1.all"
}
run_urls urls-c8 "$URLS" 8 60
run_urls urls-c1 "$URLS" 1 60
run_urls urls-c8-hanging "$HANGING" 8 10

"$PY" - "$OUT" "$svg_wall" "$bytes" <<'TABLE' | tee "$OUT/table.md"
import json, os, sys, collections
out, svg_wall, nbytes = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
load = lambda n: json.load(open(os.path.join(out, n + ".json")))
wall = lambda n: float(open(os.path.join(out, n + ".wall")).read())
print(f"{os.cpu_count()} cores; load average {open('/proc/loadavg').read().split()[0]} at the end; "
      f"raw JSON in {out}\n")
print("| run | inputs | added | failed | seconds (wall) | images/s | 1,000 committed after (s) |")
print("|---|---:|---:|---:|---:|---:|---:|")
s = load("svg")
print(f"| breeze SVG icons from disk | {s['discovered']} | {s['added']} | {s['failed']} | {svg_wall:.1f} | "
      f"{s['added'] / svg_wall:.0f} | – |")
rows = {}
for name, label in (("urls-c8", "1,000 URLs, concurrency 8"), ("urls-c1", "1,000 URLs, concurrency 1"),
                    ("urls-c8-hanging", "1,000 URLs + 8 that never answer, concurrency 8, 10 s timeout")):
    r, w = load(name), wall(name)
    committed = float(open(os.path.join(out, name + ".all")).read())
    rows[name] = (w, committed)
    print(f"| {label} | {r['discovered']} | {r['added']} | {r['failed']} | {w:.1f} | {r['added'] / w:.0f} | {committed:.1f} |")
print()
print(f"- URLs: {nbytes / 1e6:.0f} MB served; concurrency 8 vs 1: {rows['urls-c1'][0] / rows['urls-c8'][0]:.2f}x faster; "
      f"with 8 URLs that never answer, the other 1,000 were all committed after {rows['urls-c8-hanging'][1]:.1f} s "
      f"({rows['urls-c8'][1]:.1f} s without them); the job itself ended when the last timeout (3 attempts) ran out, "
      f"at {rows['urls-c8-hanging'][0]:.1f} s")
why = collections.Counter(e["message"].split(" (")[0][:80] for e in s["errors"])
if why:
    print("- SVG failures by reason: " + "; ".join(f"{n}x {m}" for m, n in why.most_common(6)))
TABLE
