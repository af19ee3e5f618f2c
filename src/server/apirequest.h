#pragma once

#include <QByteArray>
#include <QStringList>
#include <QUrlQuery>

namespace lookalike::server {

// What an endpoint needs of an HTTP request, copied out of QHttpServerRequest: that object
// belongs to its connection and is reused (or deleted) while the answer is worked out on
// another thread.
struct ApiRequest
{
    QByteArray method;  // "GET", "POST", "DELETE", ...
    QStringList path;   // percent-decoded segments: /api/photos/items/12 → api, photos, items, 12
    QUrlQuery query;
    QByteArray authorization; // the Authorization header
    QByteArray body;
};

} // namespace lookalike::server
