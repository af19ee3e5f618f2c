#include "apiresponse.h"

#include <QJsonDocument>

namespace lookalike::server {

ApiResponse ApiResponse::json(const QJsonObject &object, int status)
{
    ApiResponse r;
    r.status = status;
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return r;
}

ApiResponse ApiResponse::bytes(QByteArray contentType, QByteArray body)
{
    ApiResponse r;
    r.contentType = std::move(contentType);
    r.body = std::move(body);
    return r;
}

ApiResponse ApiResponse::error(int status, const QString &code, const QString &message)
{
    return json({{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}},
                status);
}

ApiResponse ApiResponse::fromError(const Error &e)
{
    switch (e.code) {
    case Error::Code::NotFound:
        return error(404, QStringLiteral("not_found"), e.message);
    case Error::Code::InvalidArgument:
        return error(400, QStringLiteral("bad_request"), e.message);
    case Error::Code::Unsupported:
        return error(400, QStringLiteral("unsupported"), e.message);
    case Error::Code::TooLarge:
        return error(413, QStringLiteral("too_large"), e.message);
    case Error::Code::Busy:
        return error(409, QStringLiteral("busy"), e.message);
    case Error::Code::Cancelled:
        return error(503, QStringLiteral("cancelled"), e.message);
    case Error::Code::Generic:
    case Error::Code::Io:
    case Error::Code::Corrupt:
        break;
    }
    return internalError(e.message);
}

ApiResponse ApiResponse::internalError(const QString &message)
{
    return error(500, QStringLiteral("internal"), message);
}

QByteArray ApiResponse::reasonPhrase(int status)
{
    switch (status) {
    case 100: return QByteArrayLiteral("Continue");
    case 200: return QByteArrayLiteral("OK");
    case 201: return QByteArrayLiteral("Created");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 409: return QByteArrayLiteral("Conflict");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Payload Too Large");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 503: return QByteArrayLiteral("Service Unavailable");
    default: return QByteArrayLiteral("Unknown");
    }
}

} // namespace lookalike::server
