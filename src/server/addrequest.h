#pragma once

#include "apilimits.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace lookalike::server {

// The body of POST /api/{c}/items: {"url"}, {"urls": [...]}, {"image", "filename"} or
// {"images": [{"image", "filename"}, ...]}, or several of these at once.
struct AddRequest
{
    struct Upload
    {
        QByteArray bytes;
        QString filename; // what the client called it; may be empty
        QString field;    // "image" or "images[3]", for per-item answers
    };

    QStringList urls; // http and https only: a path or file: URL is refused, never read
    QList<Upload> uploads;

    qsizetype count() const { return urls.size() + uploads.size(); }

    // Errors: InvalidArgument naming the field; TooLarge for an image over the cap.
    static Result<AddRequest> parse(const QByteArray &body, const ApiLimits &limits);
};

} // namespace lookalike::server
