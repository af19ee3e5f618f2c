#!/usr/bin/env bash
# Fails when a user-visible string of the GUI has no German or Chinese translation (or a plural
# message no English forms): runs lupdate
# over the sources into copies of the committed .ts files and counts what is left unfinished
# (new strings come in unfinished; strings no longer in the sources are dropped). The finished
# translations are then checked by check_translations.py: placeholders, plural forms, shortcuts,
# accelerators and HTML tags must match their sources.
# Usage: check_translations.sh LUPDATE SOURCE_DIR
set -euo pipefail
lupdate="$1"
src="$2"
here="$(cd "$(dirname "$0")" && pwd)"
python="$(command -v python3 || echo /usr/bin/python3)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
for ts in "$src"/translations/lookalike_*.ts; do
    cp "$ts" "$tmp/"
    copy="$tmp/$(basename "$ts")"
    # English is the source language: its file only spells out plural forms ("%n item(s)").
    only=() && minimum=50
    if [ "$(basename "$ts")" = lookalike_en.ts ]; then only=(-pluralonly) && minimum=5; fi
    "$lupdate" -silent "$src/src/gui" "$src/ui" -ts "$copy" "${only[@]}" -no-obsolete -locations none
    total=$(grep -c '<source>' "$copy" || true)
    unfinished=$(grep -c 'type="unfinished"' "$copy" || true)
    stale=$(cmp -s "$ts" "$copy" && echo no || echo yes)
    echo "$(basename "$ts"): $total strings, $unfinished unfinished, differs from the sources: $stale"
    if [ "$total" -lt "$minimum" ] || [ "$unfinished" -ne 0 ]; then
        grep -B3 'type="unfinished"' "$copy" | grep '<source>' | head -20 || true
        status=1
    fi
    "$python" "$here/check_translations.py" "$copy" || status=1
done
exit $status
