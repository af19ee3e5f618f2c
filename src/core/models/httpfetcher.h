#pragma once

#include "modeldownloader.h"
#include "util/result.h"

#include <QNetworkAccessManager>
#include <QString>
#include <QUrl>

namespace lookalike {

struct FetchedFile
{
    qint64 size = 0;     // of the complete file
    qint64 received = 0; // transferred by this fetch: less than `size` after a resume
    QString sha256;      // hex, of the complete file
    bool verified = false; // matched a known SHA-256: the caller's, or one the server stated
};

// Downloads one URL into one file under the DownloadOptions' policies: https (or http to this
// machine) on every hop, bounded redirects that stay on http(s), a size cap, a stall timeout,
// cancel and progress. Bytes go to "<target>.incomplete"; a later fetch of the same target
// continues it with a Range request. The file gets its name only once complete and, where a
// SHA-256 is known, verified.
class HttpFetcher final
{
public:
    // `token` is sent only to URLs under `tokenScope` (a repository's own paths on the hub), never
    // to the storage hosts or other places it redirects to. An empty token sends nothing.
    explicit HttpFetcher(const DownloadOptions &options, QString token = {}, QUrl tokenScope = {});
    Q_DISABLE_COPY_MOVE(HttpFetcher)

    // `expectedSha256` (hex) may be empty: a SHA-256 the server states on any hop (Hugging Face's
    // X-Linked-Etag, or a 64-hex ETag; 40-hex ETags are git SHA-1s and mean nothing here) is
    // checked instead. Errors: NotFound for a 404; Cancelled; Io for what trying again may fix
    // (network failures, stalls, HTTP 5xx), with the received bytes kept to resume; Corrupt for a
    // checksum mismatch, with the file deleted; TooLarge, Unsupported and Generic for refusals.
    Result<FetchedFile> fetch(const QUrl &url, const QString &target, const QString &label,
                              const QString &expectedSha256 = {});

    // Whether a later fetch of the same target can make progress after `error`: it continues
    // (Cancelled, Io) or starts the file afresh (Corrupt: the bad bytes are gone).
    static bool isResumable(const Error &error);
    // The SHA-256 an ETag or X-Linked-Etag value carries, lower-case hex; empty unless 64 hex.
    static QString sha256FromEtag(const QByteArray &etag);
    // https anywhere; http only to this machine (a test server, a local mirror).
    static bool isAllowedUrl(const QUrl &url);

private:
    struct Answer;
    // One request, continuing `partial` where it has bytes.
    Answer request(const QUrl &url, const QString &partial, const QString &label);
    // The error a request that ended without the file means.
    Error failure(const Answer &answer, const QString &label) const;

    const DownloadOptions &m_options;
    QString m_token;
    QUrl m_tokenScope;
    QNetworkAccessManager m_manager;
};

} // namespace lookalike
