#include "scoretext.h"

#include <QLocale>
#include <QStringList>

namespace lookalike {

QString ScoreText::number(float value)
{
    return QLocale().toString(double(value), 'f', 3);
}

QString ScoreText::textParts(const SearchHit &hit)
{
    // Without the model's text tower the text score is the report words alone: nothing to split.
    if (!hit.textImageScore && !hit.textReportScore)
        return {};
    QStringList parts;
    if (hit.textImageScore)
        parts << tr("text↔image cosine %1").arg(number(*hit.textImageScore));
    if (hit.textReportScore)
        parts << tr("text↔report cosine %1").arg(number(*hit.textReportScore));
    if (hit.matchedText)
        parts << tr("report words %1").arg(number(hit.wordScore));
    else
        parts << tr("report words: no match");
    return parts.join(QStringLiteral(" · "));
}

QString ScoreText::fusion(const SearchQuery &query, const SearchResult &result)
{
    if (!query.hasTextPart() && query.hasImagePart())
        return tr("score = image similarity (cosine)");
    // Results without a query are the outliers list (MainWindow::findOutliers).
    if (!query.hasTextPart())
        return result.hits.isEmpty() ? QString() : tr("score = mean similarity to the nearest neighbours; lowest = most unusual");
    // The search engine embeds the text with the model's text tower when it has one; the hits
    // then carry text↔image cosines, and the text score is the mean of the parts present.
    // Report words count when some report matched them (or when there is nothing else).
    bool semantic = false;
    bool reports = false;
    bool words = false;
    for (const SearchHit &h : result.hits) {
        semantic |= h.textImageScore.has_value();
        reports |= h.textReportScore.has_value();
        words |= h.matchedText;
    }
    QString textRule;
    if (semantic) {
        QStringList parts{tr("text↔image")};
        if (reports)
            parts << tr("text↔report");
        if (words)
            parts << tr("report words");
        textRule = tr("mean of %1").arg(parts.join(QStringLiteral(", ")));
    }
    if (query.hasImagePart()) {
        QString rule = tr("score = %1 × image + %2 × text").arg(query.alpha, 0, 'g', 3).arg(1 - query.alpha, 0, 'g', 3);
        if (!textRule.isEmpty())
            rule += QStringLiteral(" ") + tr("(text = %1)").arg(textRule);
        return rule;
    }
    if (!textRule.isEmpty())
        return tr("score = %1").arg(textRule);
    return tr("score = text relevance (BM25, relative to the best match)");
}

} // namespace lookalike
