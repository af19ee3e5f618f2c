#include "httpfetcher.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>

#include <optional>

namespace lookalike {

namespace {

bool isLoopback(const QUrl &url)
{
    const QString host = url.host();
    if (host == QLatin1String("localhost"))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

struct ContentRange
{
    qint64 first = 0;
    qint64 total = -1; // "*": unknown
};

// "bytes 100-199/200" or "bytes 100-199/*".
std::optional<ContentRange> parseContentRange(const QByteArray &value)
{
    static const QRegularExpression pattern(QStringLiteral("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$"));
    const auto match = pattern.match(QString::fromLatin1(value.trimmed()));
    if (!match.hasMatch())
        return std::nullopt;
    ContentRange range;
    range.first = match.captured(1).toLongLong();
    if (match.captured(3) != QLatin1String("*"))
        range.total = match.captured(3).toLongLong();
    return range;
}

// Adds the bytes already in `file` to `hash`, as if they had just been received.
bool hashExisting(const QString &file, QCryptographicHash &hash)
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return false;
    return hash.addData(&in);
}

} // namespace

HttpFetcher::HttpFetcher(const DownloadOptions &options, QString token, QUrl tokenScope)
    : m_options(options)
    , m_token(std::move(token))
    , m_tokenScope(std::move(tokenScope))
{
}

bool HttpFetcher::isResumable(const Error &error)
{
    return error.code == Error::Code::Cancelled || error.code == Error::Code::Io || error.code == Error::Code::Corrupt;
}

QString HttpFetcher::sha256FromEtag(const QByteArray &etag)
{
    QByteArray value = etag.trimmed();
    if (value.startsWith("W/"))
        value = value.mid(2);
    if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
        value = value.mid(1, value.size() - 2);
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-fA-F]{64}$"));
    const QString text = QString::fromLatin1(value);
    return hex64.match(text).hasMatch() ? text.toLower() : QString();
}

bool HttpFetcher::isAllowedUrl(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return url.isValid() && !url.host().isEmpty()
        && (scheme == QLatin1String("https") || (scheme == QLatin1String("http") && isLoopback(url)));
}

// What one request answered.
struct HttpFetcher::Answer
{
    enum class Kind {
        Failed,       // see `failure`, or `status` and `networkError`
        Body,         // the partial file now holds `size` bytes
        Redirect,     // to `next`
        RangeRefused, // the file must start again
    };
    Kind kind = Kind::Failed;
    int status = 0;
    QUrl next;
    qint64 size = 0;     // of the file, old and new bytes
    qint64 received = 0; // by this request
    qint64 total = -1;   // the whole file's size, where the server says
    QString sha256;      // of the file's `size` bytes
    QString failure;     // why this side gave up (a cancel, a stall, a limit, a disk error)
    Error::Code failureCode = Error::Code::Io;
    QString networkError;
    // SHA-256s named in the headers
    QString linked;
    QString etag;
};

HttpFetcher::Answer HttpFetcher::request(const QUrl &url, const QString &partial, const QString &label)
{
    const qint64 offset = QFileInfo(partial).isFile() ? QFileInfo(partial).size() : 0;
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Lookalike model downloader"));
    if (!m_token.isEmpty() && m_tokenScope.isValid() && m_tokenScope.isParentOf(url))
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    // The bytes as stored: what sizes, ranges and hashes refer to (Qt would otherwise ask for
    // gzip and undo it, leaving Content-Length and Range about other bytes).
    request.setRawHeader("Accept-Encoding", "identity");
    if (offset > 0)
        request.setRawHeader("Range", "bytes=" + QByteArray::number(offset) + '-');

    Answer answer;
    bool answered = false; // the status line and headers arrived
    QFile out(partial);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QNetworkReply *reply = m_manager.get(request);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    auto abortWith = [&](const QString &why, Error::Code code) {
        if (answer.failure.isEmpty()) {
            answer.failure = why;
            answer.failureCode = code;
        }
        reply->abort();
    };
    QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
        abortWith(answer.received == 0 ? QStringLiteral("no answer in time") : QStringLiteral("the transfer stalled"),
                  Error::Code::Io);
    });
    QObject::connect(reply, &QNetworkReply::metaDataChanged, &loop, [&] {
        if (answered)
            return;
        answered = true;
        answer.linked = sha256FromEtag(reply->rawHeader("X-Linked-Etag"));
        answer.etag = sha256FromEtag(reply->rawHeader("ETag"));
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status >= 300 && status < 400) {
            answer.kind = Answer::Kind::Redirect;
            answer.next = url.resolved(QUrl::fromEncoded(reply->rawHeader("Location")));
            return;
        }
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (offset > 0 && status == 416) {
            answer.kind = Answer::Kind::RangeRefused;
            return;
        }
        if (offset > 0 && status == 206) {
            const auto range = parseContentRange(reply->rawHeader("Content-Range"));
            if (!range || range->first != offset) {
                answer.kind = Answer::Kind::RangeRefused; // not the part asked for
                reply->abort();
                return;
            }
            answer.size = offset;
            answer.total = range->total >= 0 ? range->total : (length.isValid() ? offset + length.toLongLong() : -1);
            if (!out.open(QIODevice::WriteOnly | QIODevice::Append) || !hashExisting(partial, hash)) {
                abortWith(QStringLiteral("cannot append to %1: %2").arg(partial, out.errorString()), Error::Code::Io);
                return;
            }
        } else if (status == 200) {
            // Also the answer of a server that ignores Range: the file starts again.
            answer.total = length.isValid() ? length.toLongLong() : -1;
            if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
                abortWith(QStringLiteral("cannot write %1: %2").arg(partial, out.errorString()), Error::Code::Io);
                return;
            }
        } else {
            return; // an error status; its body is not the file
        }
        answer.kind = Answer::Kind::Body;
        if (answer.total > m_options.maxFileBytes)
            abortWith(QStringLiteral("%1 bytes is over the limit of %2").arg(answer.total).arg(m_options.maxFileBytes),
                      Error::Code::TooLarge);
        timer.start(m_options.stallTimeoutMs);
    });
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
        const QByteArray chunk = reply->readAll();
        if (answer.kind != Answer::Kind::Body || !answer.failure.isEmpty())
            return;
        answer.received += chunk.size();
        answer.size += chunk.size();
        if (answer.size > m_options.maxFileBytes) {
            abortWith(QStringLiteral("larger than the limit of %1 bytes").arg(m_options.maxFileBytes),
                      Error::Code::TooLarge);
            return;
        }
        if (out.write(chunk) != chunk.size()) {
            abortWith(QStringLiteral("cannot write %1: %2").arg(partial, out.errorString()), Error::Code::Io);
            return;
        }
        hash.addData(chunk);
        if (m_options.progress)
            m_options.progress(label, answer.size, answer.total);
        if (m_options.cancel && m_options.cancel->load()) {
            abortWith(QStringLiteral("cancelled"), Error::Code::Cancelled);
            return;
        }
        timer.start(m_options.stallTimeoutMs);
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    timer.start(m_options.connectTimeoutMs);
    loop.exec();
    timer.stop();
    out.close();
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const bool failed = !answer.failure.isEmpty() || reply->error() != QNetworkReply::NoError;
    if (answer.kind == Answer::Kind::Body && failed)
        answer.kind = Answer::Kind::Failed; // the bytes received stay in the partial file
    if (answer.kind == Answer::Kind::Failed)
        answer.networkError = reply->errorString();
    answer.sha256 = QString::fromLatin1(hash.result().toHex());
    reply->deleteLater();
    return answer;
}

Result<FetchedFile> HttpFetcher::fetch(const QUrl &startUrl, const QString &target, const QString &label,
                                       const QString &expectedSha256)
{
    const QString partial = target + QStringLiteral(".incomplete");
    // SHA-256s the servers named on some hop. X-Linked-Etag comes from the hub itself and wins
    // over an ETag, which a storage host may fill with a hash of its own.
    QString linked;
    QString etag;
    bool restarted = false;
    QUrl url = startUrl;
    int redirects = 0;
    for (;;) {
        if (m_options.cancel && m_options.cancel->load())
            return Error(QStringLiteral("%1: cancelled").arg(label), Error::Code::Cancelled);
        if (!isAllowedUrl(url))
            return Error(QStringLiteral("%1: refusing %2 (only https, or http to this machine)")
                             .arg(label, url.toDisplayString()),
                         Error::Code::Unsupported);
        const Answer answer = request(url, partial, label);
        if (linked.isEmpty())
            linked = answer.linked;
        if (etag.isEmpty())
            etag = answer.etag;

        if (!answer.failure.isEmpty()) {
            if (answer.failureCode == Error::Code::TooLarge)
                QFile::remove(partial);
            return Error(QStringLiteral("%1: %2").arg(label, answer.failure), answer.failureCode);
        }
        switch (answer.kind) {
        case Answer::Kind::Redirect:
            if (++redirects > m_options.maxRedirects)
                return Error(QStringLiteral("%1: more than %2 redirects").arg(label).arg(m_options.maxRedirects),
                             Error::Code::Unsupported);
            url = answer.next;
            continue;
        case Answer::Kind::RangeRefused:
            if (restarted)
                return Error(
                    QStringLiteral("%1: the server does not resume it (HTTP %2)").arg(label).arg(answer.status),
                    Error::Code::Io);
            QFile::remove(partial);
            restarted = true;
            url = startUrl;
            redirects = 0;
            continue;
        case Answer::Kind::Failed:
            return failure(answer, label);
        case Answer::Kind::Body:
            break;
        }

        if (answer.total >= 0 && answer.size != answer.total)
            return Error(QStringLiteral("%1: the transfer ended after %2 of %3 bytes")
                             .arg(label)
                             .arg(answer.size)
                             .arg(answer.total),
                         Error::Code::Io);
        QString expected = expectedSha256.toLower();
        if (expected.isEmpty())
            expected = !linked.isEmpty() ? linked : etag;
        if (!expected.isEmpty() && answer.sha256 != expected) {
            QFile::remove(partial);
            return Error(QStringLiteral("%1: SHA-256 mismatch, expected %2 but received %3; the file was deleted")
                             .arg(label, expected, answer.sha256),
                         Error::Code::Corrupt);
        }
        QFile::remove(target);
        if (!QFile::rename(partial, target))
            return Error(QStringLiteral("cannot rename %1 to %2").arg(partial, target), Error::Code::Io);
        FetchedFile fetched;
        fetched.size = answer.size;
        fetched.received = answer.received;
        fetched.sha256 = answer.sha256;
        fetched.verified = !expected.isEmpty();
        return fetched;
    }
}

Error HttpFetcher::failure(const Answer &answer, const QString &label) const
{
    if (answer.status == 404)
        return Error(QStringLiteral("%1: not found (HTTP 404)").arg(label), Error::Code::NotFound);
    if (answer.status == 401 || answer.status == 403)
        return Error(QStringLiteral("%1: access denied (HTTP %2); %3")
                         .arg(label)
                         .arg(answer.status)
                         .arg(m_tokenScope.isValid() ? QStringLiteral("gated models need a token in HF_TOKEN")
                                                     : QStringLiteral("no token is sent with these URLs")),
                     Error::Code::Generic);
    // No answer, or one cut short: the connection failed.
    if (answer.status == 0 || answer.status == 200 || answer.status == 206)
        return Error(QStringLiteral("%1: %2").arg(label, answer.networkError), Error::Code::Io);
    // 5xx, 408 and 429 may pass; other answers will not change by asking again.
    const bool transient = answer.status >= 500 || answer.status == 408 || answer.status == 429;
    return Error(QStringLiteral("%1: HTTP %2").arg(label).arg(answer.status),
                 transient ? Error::Code::Io : Error::Code::Generic);
}

} // namespace lookalike
