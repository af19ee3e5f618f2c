#!/usr/bin/env bash
# A real window under Xvfb: `lookalike --demo --screenshot FILE` in a scratch home (so no user
# settings or collections are touched), then checks that the picture is a full, non-blank
# window. With OUT set, the picture is kept there (docs/screenshots/ is made this way).
# Usage: screenshot.sh LOOKALIKE_BINARY [OUT.png]
set -euo pipefail
app="$1"
out="${2:-}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/run" && mkdir -m 700 -p "$XDG_RUNTIME_DIR"
unset QT_QPA_PLATFORM LC_ALL LANGUAGE
export LANG="${SCREENSHOT_LANG:-en_US.UTF-8}"
shot="$scratch/window.png"
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --demo --screenshot "$shot" 2> "$scratch/log" || {
    cat "$scratch/log" >&2
    echo "FAILED: lookalike exited with an error" >&2
    exit 1
}
/usr/bin/python3 - "$shot" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
colours = len(set(im.resize((w // 4, h // 4)).getdata()))
print(f"screenshot {w}x{h}, {colours} distinct colours (quarter scale)")
if w < 1000 or h < 600:
    sys.exit("FAILED: the window is too small")
if colours < 2000:
    sys.exit("FAILED: the window looks blank (no thumbnails drawn?)")
PY
if [ -n "$out" ]; then cp "$shot" "$out"; fi
