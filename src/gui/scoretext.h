#pragma once

#include "search/query.h"

#include <QCoreApplication>
#include <QString>

namespace lookalike {

// A hit's score parts and the fusion rule in the user's language, for the details panel and the
// grid's tooltips. SearchResult::fusion states the same rule (docs/search.md) in English; this
// words it from the query and the hits instead.
class ScoreText final
{
    Q_DECLARE_TR_FUNCTIONS(ScoreText)

public:
    // "text↔image cosine 0.281 · text↔report cosine 0.301 · report words 0.500": the parts the
    // text score is made of. Empty unless the model's text tower took part.
    static QString textParts(const SearchHit &hit);
    // "score = 0.5 × image + 0.5 × text (text = mean of text↔image, report words)"; empty for a
    // query without parts (browsing).
    static QString fusion(const SearchQuery &query, const SearchResult &result);

    static QString number(float value);
};

} // namespace lookalike
