#include "ftsquery.h"

namespace lookalike {

namespace {

// Words as FTS5's unicode61 tokenizer sees them: runs of letters and digits.
QStringList words(QStringView text)
{
    QStringList out;
    QString current;
    for (QChar ch : text) {
        if (ch.isLetterOrNumber() || ch.isMark()) {
            current += ch.toLower();
        } else if (!current.isEmpty()) {
            out << current;
            current.clear();
        }
    }
    if (!current.isEmpty())
        out << current;
    return out;
}

QString quoted(const QStringList &tokens)
{
    // Tokens hold only letters and digits, so the quotes need no escaping.
    return QLatin1Char('"') + tokens.join(QLatin1Char(' ')) + QLatin1Char('"');
}

QString join(const QString &text, QLatin1StringView op)
{
    QStringList parts;
    for (const QString &t : FtsQuery::terms(text))
        parts << t;
    return parts.join(op);
}

} // namespace

QStringList FtsQuery::terms(const QString &text)
{
    QStringList out;
    const QStringList pieces = text.split(QLatin1Char('"'));
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        const QStringList w = words(pieces[i]);
        if (w.isEmpty())
            continue;
        if (i % 2 == 1) { // inside quotes: one phrase
            out << quoted(w);
        } else {
            for (const QString &word : w)
                out << quoted({word});
        }
    }
    out.removeDuplicates();
    return out;
}

QString FtsQuery::allOf(const QString &text)
{
    return join(text, QLatin1StringView(" AND "));
}

QString FtsQuery::anyOf(const QString &text)
{
    return join(text, QLatin1StringView(" OR "));
}

} // namespace lookalike
