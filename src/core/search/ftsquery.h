#pragma once

#include <QString>
#include <QStringList>

namespace lookalike {

// Turns what a user typed into a safe FTS5 MATCH expression. Every term is quoted, so FTS5
// syntax in user text (NEAR(, AND, ", *, column:) is matched as words, never parsed, and can
// never produce a syntax error. Text in double quotes stays a phrase.
class FtsQuery final
{
public:
    // The terms (lower-cased words and "quoted phrases") found in `text`.
    static QStringList terms(const QString &text);
    // All terms must match.
    static QString allOf(const QString &text);
    // Any term may match (used when allOf() finds nothing).
    static QString anyOf(const QString &text);
};

} // namespace lookalike
