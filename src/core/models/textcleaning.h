#pragma once

#include <QString>

#include <string>

// The text clean-up steps the reference tokenizers run in Python, reproduced with Python's
// semantics (not Qt's, where the two differ) so that ids match the references exactly.
namespace lookalike::textcleaning {

// str.isspace(): Unicode White_Space plus U+001C..U+001F, as Python's `\s` and strip() use it.
bool isPythonSpace(char32_t c);

// str.strip() and re.sub(r"\s+", " ", text).
QString pythonStrip(const QString &text);
QString collapseWhitespace(const QString &text);

// str.lower(): full lowercase mapping (İ → i + U+0307) and Greek final sigma by context.
QString pythonLower(const QString &text);
// The same applied to one character at a time, so without the final-sigma context: what HF's
// do_lower_case does (its regex hands str.lower() one character per match).
QString pythonLowerEachCharacter(const QString &text);

// Deletes the 32 characters of Python's string.punctuation (ASCII only).
QString removeAsciiPunctuation(const QString &text);

// html.unescape(): HTML5 named references (with the legacy forms without ';' and the
// longest-prefix rule) and numeric references with HTML's replacement rules.
QString htmlUnescape(const QString &text);

// The part of ftfy.fix_text (6.3, default settings) that CLIP's text cleaning depends on:
// per line, repeated until nothing changes:
//   - HTML entities (only while no line so far contained '<', as ftfy's "auto" mode),
//   - UTF-8 mojibake decoded as Windows-1252/Latin-1 ("cafÃ©" → "café"), a conservative
//     subset of ftfy's fix_encoding: only complete, valid UTF-8 sequences whose lead
//     character is a typical mojibake lead are decoded; ftfy's badness heuristics, the other
//     single-byte codecs and lossy-sequence repair are not reproduced,
//   - C1 controls read as Windows-1252, Latin ligatures (ﬁ → fi), fullwidth/halfwidth forms
//     (ＡＢＣ → ABC, "：" → ":", U+3000 → space), curly quotes to straight ones,
//   - line breaks to '\n', ANSI terminal escapes and unwanted control characters removed,
//   - NFC.
QString ftfyFixText(const QString &text);

} // namespace lookalike::textcleaning
