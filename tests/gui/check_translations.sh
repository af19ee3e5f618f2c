#!/usr/bin/env bash
# Fails when a user-visible string of the GUI has no German or Chinese translation: runs lupdate
# over the sources into copies of the committed .ts files and counts what is left unfinished
# (new strings come in unfinished; strings no longer in the sources are dropped).
# Usage: check_translations.sh LUPDATE SOURCE_DIR
set -euo pipefail
lupdate="$1"
src="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
for ts in "$src"/translations/lookalike_*.ts; do
    cp "$ts" "$tmp/"
    copy="$tmp/$(basename "$ts")"
    "$lupdate" -silent "$src/src/gui" "$src/ui" -ts "$copy" -no-obsolete -locations none
    total=$(grep -c '<source>' "$copy" || true)
    unfinished=$(grep -c 'type="unfinished"' "$copy" || true)
    stale=$(cmp -s "$ts" "$copy" && echo no || echo yes)
    echo "$(basename "$ts"): $total strings, $unfinished unfinished, differs from the sources: $stale"
    if [ "$total" -lt 50 ] || [ "$unfinished" -ne 0 ]; then
        grep -B3 'type="unfinished"' "$copy" | grep '<source>' | head -20 || true
        status=1
    fi
done
exit $status
