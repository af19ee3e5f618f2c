#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>

namespace lookalike {

struct UrlFetchOptions
{
    int concurrency = 8;          // requests in flight at once
    int connectTimeoutMs = 10000; // from sending the request to the response's headers
    int stallTimeoutMs = 15000;   // no byte received for this long
    int totalTimeoutMs = 60000;   // one attempt, redirects included, first byte to last
    qint64 maxBytes = 256LL << 20;
    int maxRedirects = 5;
    int retries = 2;        // further attempts after a timeout, a dropped connection or an HTTP 5xx
    int retryDelayMs = 500; // before the first retry; doubled for each next one
    std::function<bool()> cancelled; // polled every 50 ms; true stops everything

};

struct FetchedUrl
{
    QByteArray bytes;
    QUrl finalUrl; // where the bytes came from, after redirects
    QString contentType;
    int attempts = 1;
};

// Fetches what users add by URL (images dropped or pasted as links, URL lists), many at once,
// each under the same rules: http and https only, on every hop; redirects bounded in number and
// never to another scheme (except http → https) — a redirect to file: or ftp: is an error, not
// followed; connect, stall and total timeouts; a size cap checked against Content-Length and
// against the bytes as they arrive; retries with exponential backoff for what trying again can
// fix (timeouts, dropped connections, 5xx). A URL that fails or hangs only ever holds its own slot:
// the others keep going. Nothing is cached, no cookie is kept, no credential is sent.
//
// Only URLs the user gave are ever requested: this class follows no link inside what it fetches.
class UrlFetcher final
{
public:
    using Done = std::function<void(qsizetype index, Result<FetchedUrl> result)>;

    // Blocking (runs an event loop in the calling thread, which must not be the GUI's). Calls
    // `done` exactly once per URL, in the calling thread, in the order the fetches end. After a
    // cancel, every URL not yet done gets a Cancelled error. Errors: InvalidArgument (not an
    // http(s) URL), NotFound (HTTP 404/410), TooLarge, Unsupported (a redirect refused),
    // Io (network, timeouts, other HTTP errors), Cancelled.
    static void fetch(const QStringList &urls, const UrlFetchOptions &options, const Done &done);

    // http or https with a host: what may be requested (and followed in a redirect).
    static bool isFetchable(const QUrl &url);
};

} // namespace lookalike
