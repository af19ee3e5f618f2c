#!/bin/bash
# CLIP ViT-B/32 and SigLIP so400m (random weights at real size) on the CPU: our libtorch tower
# and ingest pipeline (bench_models) next to a plain PyTorch-eager loop (vlm_eager_reference.py)
# on the same weights, files and cores. Prints a Markdown table; raw JSON and logs go to
# build/bench-models/results-<time>/.
#
#   bench/run_model_bench.sh [BUILD_DIR]        (default build/h-bench; needs bench_models built)
#   bench/run_model_bench.sh --table RESULTS_DIR  (the table of an earlier run, again)
#
# Environment (defaults in brackets): THREADS [nproc], MODELS [clip siglip],
# CLIP_IMAGES [64] CLIP_BATCH [16] CLIP_ROUNDS [5], SIGLIP_IMAGES [4] SIGLIP_BATCH [2] SIGLIP_ROUNDS [3],
# TUNED_MODELS [clip]: models measured a second time with --malloc-tuned on both sides.
# so400m at 384 px costs ~20-30 CPU-seconds an image here, hence its small counts; the whole run
# takes 40-60 min on 2 busy cores. Model folders are made once (build/bench-models/<name>,
# 0.6 and 3.5 GB); the JPEG corpora are made once too (build/bench-models/corpus-<N>).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3 # Debian's, with python3-torch and numpy (not the python3 first on PATH)
TABLE_ONLY=
if [ "${1-}" = --table ]; then
    TABLE_ONLY=$(cd "$2" && pwd)
    set -- "$ROOT/build/h-bench"
fi
BUILD=$(cd "${1:-$ROOT/build/h-bench}" && pwd)
BENCH=$BUILD/bench/bench_models
DIR=$ROOT/build/bench-models
THREADS=${THREADS:-$(nproc)}
MODELS=${MODELS:-clip siglip}
TUNED_MODELS=${TUNED_MODELS-clip}
OUT=${TABLE_ONLY:-$DIR/results-$(date +%Y%m%d-%H%M%S)}
[ -n "$TABLE_ONLY" ] || [ -x "$BENCH" ] || { echo "no $BENCH: cmake --build $BUILD --target bench_models" >&2; exit 2; }
mkdir -p "$OUT"

make_model() { # NAME KIND [--image-size N]
    local name=$1 kind=$2; shift 2
    if [ ! -f "$DIR/$name/model.safetensors" ]; then
        echo "making $DIR/$name ..." >&2
        "$PY" "$ROOT/bench/make_random_vlm.py" "$kind" "$DIR/$name" "$@" >&2
    fi
}

bench_cpp() { # TAG NAME N BATCH WARMUP EXTRA...
    local tag=$1 name=$2 n=$3 batch=$4 warmup=$5; shift 5
    "$BENCH" --model-dir "$DIR/$name" --images "$n" --batch "$batch" --reps 1 --warmup "$warmup" --threads "$THREADS" \
        --corpus "$DIR/corpus-$n" --work "$OUT/work" --json "$@" >"$OUT/$tag-cpp.json" 2>"$OUT/$tag-cpp.log"
}

bench_py() { # TAG NAME N BATCH WARMUP EXTRA...
    local tag=$1 name=$2 n=$3 batch=$4 warmup=$5; shift 5
    "$PY" "$ROOT/bench/vlm_eager_reference.py" "$DIR/$name" --batch "$batch" --reps 1 --warmup "$warmup" \
        --threads "$THREADS" --images "$DIR/corpus-$n" --n "$n" "$@" >"$OUT/$tag-py.json"
}

# Rounds alternate the two sides (C++, eager, C++, eager, ...), each a fresh process with one
# timed tower pass and one timed end-to-end pass, so that the load of a shared machine hits both
# alike; the table gives medians over the rounds.
run_one() { # KEY NAME KIND IMAGES BATCH ROUNDS WARMUP
    local key=$1 name=$2 kind=$3 n=$4 batch=$5 rounds=$6 warmup=$7
    make_model "$name" "$kind"
    echo "== $name: images $n, batch $batch, $rounds rounds, warm-up $warmup, threads $THREADS" >&2
    if ! bench_cpp "$key-r1" "$name" "$n" "$batch" "$warmup" --check-out "$OUT/check-$key"; then
        # The published so400m config has image_size 384 with patch_size 14 (27 patches a side,
        # the last 6 px unused). Config readers before commit eda621e wanted image_size %
        # patch_size == 0 and refuse it: then measure 378 px, the same 729 tokens and workload.
        if grep -q "not divisible by patch_size" "$OUT/$key-r1-cpp.log" && [ "$kind" = siglip-so400m ]; then
            echo "   the loader refuses image_size 384 / patch_size 14; using a 378 px copy of the config" >&2
            name=$name-378
            make_model "$name" "$kind" --image-size 378
            echo "$name" >"$OUT/$key-fallback"
            bench_cpp "$key-r1" "$name" "$n" "$batch" "$warmup" --check-out "$OUT/check-$key" \
                || { cat "$OUT/$key-r1-cpp.log" >&2; exit 1; }
        else
            cat "$OUT/$key-r1-cpp.log" >&2
            exit 1
        fi
    fi
    bench_py "$key-r1" "$name" "$n" "$batch" "$warmup" --check "$OUT/check-$key/pixels.npy" "$OUT/check-$key/embeds.npy"
    echo "   round 1 done" >&2
    local r
    for ((r = 2; r <= rounds; ++r)); do
        bench_cpp "$key-r$r" "$name" "$n" "$batch" "$warmup" || { cat "$OUT/$key-r$r-cpp.log" >&2; exit 1; }
        bench_py "$key-r$r" "$name" "$n" "$batch" "$warmup"
        echo "   round $r done" >&2
    done
    if [[ " $TUNED_MODELS " == *" $key "* ]]; then
        # Both again with glibc's malloc told to keep freed buffers (see bench_models.cpp).
        echo "== $name: both again with --malloc-tuned" >&2
        for ((r = 1; r <= rounds; ++r)); do
            bench_cpp "$key-tuned-r$r" "$name" "$n" "$batch" "$warmup" --modes model,e2e --malloc-tuned \
                || { cat "$OUT/$key-tuned-r$r-cpp.log" >&2; exit 1; }
            bench_py "$key-tuned-r$r" "$name" "$n" "$batch" "$warmup" --malloc-tuned
            echo "   tuned round $r done" >&2
        done
    fi
    rm -rf "$OUT/work"
}

for m in $MODELS; do
    [ -z "$TABLE_ONLY" ] || break
    case $m in
    clip) run_one clip clip-vit-b32 clip-vit-b32 "${CLIP_IMAGES:-64}" "${CLIP_BATCH:-16}" "${CLIP_ROUNDS:-5}" 1 ;;
    siglip) run_one siglip siglip-so400m siglip-so400m "${SIGLIP_IMAGES:-4}" "${SIGLIP_BATCH:-2}" "${SIGLIP_ROUNDS:-3}" 0 ;;
    *) echo "unknown model $m (clip, siglip)" >&2; exit 2 ;;
    esac
done

# shellcheck disable=SC2086 # one argument per model
[ -z "$TABLE_ONLY" ] || MODELS=$(for m in clip siglip; do [ ! -f "$OUT/$m-r1-cpp.json" ] || printf '%s ' "$m"; done)
"$PY" - "$OUT" $MODELS <<'TABLE' | tee "$OUT/table.md"
import glob, json, os, statistics, sys
out, models = sys.argv[1], sys.argv[2:]
names = {"clip": "CLIP ViT-B/32", "siglip": "SigLIP so400m/14"}
med = statistics.median
load = lambda f: json.load(open(f))
head = ["model", "malloc", "rounds", "files", "batch", "C++ tower img/s", "eager tower img/s", "tower C++ / eager",
        "C++ ingest img/s", "eager loop img/s", "ingest / eager tower", "ingest / eager loop",
        "CPU ms/img: C++ tower, eager tower, C++ ingest, eager loop", "decode floor img/s", "max abs diff"]
rows, notes, loads = [], [], []
for m in models:
    plain = None
    for key in (m, m + "-tuned"):
        cs = sorted(glob.glob(os.path.join(out, key + "-r*-cpp.json")))
        if not cs:
            continue
        c = [load(f) for f in cs]
        p = [load(f.replace("-cpp.json", "-py.json")) for f in cs]
        loads += [x["loadavg_start"] for x in c] + [x["loadavg_end"] for x in c]
        v = lambda runs, part, field: [x[part][field] for x in runs]
        cm, pm = v(c, "model_alone", "ips"), v(p, "model_alone", "ips")
        ce, pe = v(c, "end_to_end", "ips"), v(p, "end_to_end", "ips")
        cpu = ", ".join(f"{med(x):.0f}" for x in (v(c, "model_alone", "cpu_ms_per_image"), v(p, "model_alone", "cpu_ms_per_image"),
                                                   v(c, "end_to_end", "cpu_ms_per_image"), v(p, "end_to_end", "cpu_ms_per_image")))
        fb = os.path.join(out, m + "-fallback")
        label = names[m] + (f" ({open(fb).read().strip()}, " if os.path.exists(fb) else " (") + f"{c[0]['image_size']} px)"
        check = [x["check"]["max_abs_diff"] for x in p if "check" in x]
        floor = [x["floor"]["ips"] for x in c if "floor" in x]
        rows.append([label, "tuned" if c[0].get("malloc_tuned") else "as shipped", str(len(c)),
                     str(c[0]["end_to_end"]["images"]), str(c[0]["batch"]), f"{med(cm):.3g}", f"{med(pm):.3g}",
                     f"**{med(cm) / med(pm):.2f}×**", f"{med(ce):.3g}", f"{med(pe):.3g}", f"**{med(ce) / med(pm):.2f}×**",
                     f"{med(ce) / med(pe):.2f}×", cpu, f"{med(floor):.1f}" if floor else "–",
                     f"{check[0]:.1e}" if check else "–"])
        pair = lambda a, b: ", ".join(f"{x / y:.2f}" for x, y in zip(a, b))
        cpu_ratio = med(v(p, "model_alone", "cpu_ms_per_image")) / med(v(c, "model_alone", "cpu_ms_per_image"))
        notes.append(f"{names[m]}, {rows[-1][1]}: per round, tower C++ / eager {pair(cm, pm)}; ingest / eager loop "
                     f"{pair(ce, pe)}; by CPU time per image, tower C++ / eager {cpu_ratio:.2f}×")
        if not c[0].get("malloc_tuned"):
            plain = (med(pm), med(pe))
            if "memory_after_load" in c[0]:
                mem = lambda part: ", ".join(f"{k} {c[0][part].get(k, 0):.0f}" for k in ("VmHWM", "RssAnon", "RssFile"))
                notes.append(f"{names[m]}: memory (MiB, round 1): weights {c[0]['weights_mib']:.0f}; before the load "
                             f"{mem('memory_before_load')}; after it {mem('memory_after_load')}; at the end of the run "
                             f"{mem('memory_end')}")
        elif plain:
            notes.append(f"{names[m]}: C++ with --malloc-tuned against the eager loop as shipped (glibc default): "
                         f"tower {med(cm) / plain[0]:.2f}×, ingest / eager tower {med(ce) / plain[0]:.2f}×, "
                         f"ingest / eager loop {med(ce) / plain[1]:.2f}×")
first = load(sorted(glob.glob(os.path.join(out, models[0] + "-r*-cpp.json")))[0])
print(f"{first['cores']} cores, {first['threads']} threads; medians over rounds; load average "
      f"{min(loads):.1f}-{max(loads):.1f} at the starts and ends of the C++ runs; raw JSON in {out}\n")
print("| " + " | ".join(head) + " |")
print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
for n in notes:
    print("- " + n)
TABLE
