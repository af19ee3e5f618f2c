#pragma once

#include "apilimits.h"
#include "search/query.h"

#include <QByteArray>

namespace lookalike::server {

// The body of POST /api/{c}/search, read into a SearchQuery (docs/api.md has the fields).
struct SearchRequest
{
    SearchQuery query;
    QByteArray image; // the example image's bytes (from base64), still to be decoded; may be empty

    // Errors: InvalidArgument naming the field; TooLarge for an image over the cap.
    static Result<SearchRequest> parse(const QByteArray &body, const ApiLimits &limits);
};

} // namespace lookalike::server
