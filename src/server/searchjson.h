#pragma once

#include "search/query.h"

#include <QJsonObject>

namespace lookalike::server {

// Search hits as JSON, one shape for `lookalike-cli search --json` and the REST API.
class SearchJson final
{
public:
    // `reportLength` < 0 keeps the whole report; otherwise it is cut to a one-line snippet of
    // at most that many characters (the REST hit list; GET .../items/{id} has the full text).
    static QJsonObject hit(const SearchHit &hit, int rank, int reportLength = -1);
    static QString snippet(const QString &text, int length);
};

} // namespace lookalike::server
