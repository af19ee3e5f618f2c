#!/usr/bin/env python3
"""Checks each finished message of Qt .ts files against its source text.

A translation fails when it
  - is empty (or one of its plural forms is),
  - has other placeholders than its source (%1..%99, %L1, %n, %Ln; counted, order free),
  - has another number of plural forms than its language uses (numerus="yes" messages),
  - is a keyboard shortcut ("Ctrl+I", "Ctrl+Shift+F", "Ctrl+=") that is not left as it is:
    the text goes to QKeySequence, which parses the English modifier names only,
  - loses or adds an & accelerator, or changes the HTML tags of its source.
Unfinished messages are counted by check_translations.sh; they are skipped here.
Usage: check_translations.py FILE.ts...   Exit status 1 when any check fails.
"""
import re
import sys
import xml.etree.ElementTree as ET

# Plural forms as lrelease counts them (Qt's numerus rules); add a language when a .ts comes in.
NUMERUS_FORMS = {"de": 2, "en": 2, "fr": 2, "es": 2, "it": 2, "nl": 2, "pt": 2,
                 "zh": 1, "ja": 1, "ko": 1, "ru": 3, "pl": 3, "cs": 3, "uk": 3}

PLACEHOLDER = re.compile(r"%L?(?:[1-9][0-9]?|n)")
SHORTCUT = re.compile(r"^(?:(?:Ctrl|Shift|Alt|Meta)\+)+\S+$")
# One & before a character other than &; "&&" is a literal ampersand.
ACCELERATOR = re.compile(r"(?<!&)&(?!&)\S")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def check_message(source, forms, numerus, expected_forms):
    problems = []
    if numerus and len(forms) != expected_forms:
        problems.append(f"{len(forms)} plural form(s), the language needs {expected_forms}")
    for text in forms:
        if not text:
            problems.append("empty translation")
            continue
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
            problems.append(f"placeholders differ: {text!r}")
        if SHORTCUT.match(source) and text != source:
            problems.append(f"shortcut must stay {source!r}, is {text!r}")
        if len(ACCELERATOR.findall(source)) != len(ACCELERATOR.findall(text)):
            problems.append(f"& accelerator differs: {text!r}")
        if sorted(TAG.findall(source)) != sorted(TAG.findall(text)):
            problems.append(f"HTML tags differ: {text!r}")
    return problems


def check_file(path):
    root = ET.parse(path).getroot()
    language = (root.get("language") or "").split("_")[0]
    if language not in NUMERUS_FORMS:
        print(f"{path}: language {root.get('language')!r} is not in NUMERUS_FORMS")
        return 1
    failures = 0
    for context in root.iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type") in ("unfinished", "obsolete", "vanished"):
                continue
            numerus = message.get("numerus") == "yes"
            if numerus:
                forms = [f.text or "" for f in translation.findall("numerusform")]
            else:
                forms = [translation.text or ""]
            source = message.findtext("source") or ""
            for problem in check_message(source, forms, numerus, NUMERUS_FORMS[language]):
                print(f"{path}: {name}: {source!r}: {problem}")
                failures += 1
    return failures


def main(paths):
    failures = sum(check_file(p) for p in paths)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
