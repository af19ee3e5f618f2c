#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <utility>

namespace lookalike::server {

// One answer of the REST API: a status, a body and its type, and any extra headers. Errors are
// JSON of one shape, {"error": {"code": "not_found", "message": "..."}}, so that a client
// branches on `code` and shows `message`.
struct ApiResponse
{
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;

    static ApiResponse json(const QJsonObject &object, int status = 200);
    static ApiResponse bytes(QByteArray contentType, QByteArray body);
    static ApiResponse error(int status, const QString &code, const QString &message);

    // The status and code for a core error: NotFound 404, InvalidArgument and Unsupported 400,
    // TooLarge 413, Busy 409, Cancelled 503, the rest (Io, Corrupt, Generic) 500. Errors about
    // bytes the client sent (an undecodable query image) are 400 where they are produced.
    static ApiResponse fromError(const Error &error);
    static ApiResponse internalError(const QString &message);

    // "Not Found" for 404, and so on; "Unknown" for codes this API never sends.
    static QByteArray reasonPhrase(int status);
};

} // namespace lookalike::server
