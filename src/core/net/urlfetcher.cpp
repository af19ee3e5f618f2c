#include "urlfetcher.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <memory>
#include <vector>

namespace lookalike {

namespace {

// One URL's progress through its attempts and redirects.
struct Job
{
    qsizetype index = 0;
    QUrl original;
    QUrl current;
    int attempt = 0; // retries used
    int redirects = 0;
    QElapsedTimer attemptClock; // since the attempt's first request (redirects included)
    QElapsedTimer lastProgress; // since the request went out or the last bytes came in
    QPointer<QNetworkReply> reply;
    QString host; // scheme://host:port of the request in flight, for the per-host limit
    QByteArray body;
    bool headersSeen = false;
    std::optional<Error> abortReason; // why we aborted the reply ourselves
    bool abortRetryable = false;
    bool finished = false;
};

bool isRetryable(QNetworkReply::NetworkError e, int status)
{
    if (status >= 500 && status <= 599)
        return true;
    switch (e) {
    case QNetworkReply::TimeoutError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::ProxyTimeoutError:
        return true;
    default:
        return false;
    }
}

class FetchRun final
{
public:
    FetchRun(const QStringList &urls, const UrlFetchOptions &options, const UrlFetcher::Done &done)
        : m_options(options), m_done(done), m_remaining(urls.size())
    {
        m_jobs.reserve(size_t(urls.size()));
        for (qsizetype i = 0; i < urls.size(); ++i) {
            auto job = std::make_unique<Job>();
            job->index = i;
            job->original = QUrl(urls[i].trimmed(), QUrl::StrictMode);
            job->current = job->original;
            m_jobs.push_back(std::move(job));
        }
        m_manager.setAutoDeleteReplies(false);
        // Followed by hand, to check each hop against the rules.
        m_manager.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_manager.setCookieJar(nullptr);
    }

    void run()
    {
        for (auto &job : m_jobs) {
            if (!UrlFetcher::isFetchable(job->original)) {
                finish(*job, Error(QStringLiteral("not an http or https URL"), Error::Code::InvalidArgument));
                continue;
            }
            m_queue.push_back(job.get());
        }
        if (m_remaining == 0)
            return;
        QTimer ticker; // timeouts and cancel
        QObject::connect(&ticker, &QTimer::timeout, &m_loop, [this] { tick(); });
        ticker.start(50);
        pump();
        if (m_remaining > 0)
            m_loop.exec();
    }

private:
    // QNetworkAccessManager opens at most this many connections to one host (HTTP/1.1) and
    // queues the rest inside itself, where our "no answer" clock would run: eight URLs of one
    // site, six of them hanging, would time the other two out without a byte sent. So no more
    // than this many requests to one host are started at a time; the rest wait in m_queue.
    static constexpr int kPerHost = 6;
    static constexpr qint64 kReadBuffer = 1 << 20;

    static QString hostOf(const QUrl &url)
    {
        return url.scheme().toLower() + QLatin1String("://") + url.host().toLower() + QLatin1Char(':')
            + QString::number(url.port(url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0 ? 443 : 80));
    }

    void pump()
    {
        const int limit = std::max(1, m_options.concurrency);
        for (auto it = m_queue.begin(); m_active < limit && it != m_queue.end();) {
            Job *job = *it;
            if (m_perHost.value(hostOf(job->original)) >= kPerHost) {
                ++it;
                continue;
            }
            it = m_queue.erase(it);
            job->attemptClock.start();
            job->redirects = 0;
            job->current = job->original;
            start(*job);
        }
        if (m_remaining == 0)
            m_loop.quit();
    }

    void start(Job &job)
    {
        job.body.clear();
        job.headersSeen = false;
        job.abortReason.reset();
        QNetworkRequest request(job.current);
        request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Lookalike"));
        request.setRawHeader("Accept", "image/*, */*;q=0.5");
        request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
        request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
        job.lastProgress.start();
        QNetworkReply *reply = m_manager.get(request);
        // Qt's network thread serves every connection; with an unbounded buffer it keeps
        // reading a fast, endless body while the other requests wait (seen on a slow build:
        // good URLs timed out behind one endless download). A bounded buffer makes it move on.
        reply->setReadBufferSize(kReadBuffer);
        job.reply = reply;
        job.host = hostOf(job.current);
        ++m_perHost[job.host];
        ++m_active;
        Job *j = &job;
        // The clock for "no answer" starts again when the request leaves Qt's own queue (a
        // redirect to a host that already has kPerHost requests in flight waits there).
        QObject::connect(reply, &QNetworkReply::socketStartedConnecting, reply, [j] { j->lastProgress.start(); });
        QObject::connect(reply, &QNetworkReply::requestSent, reply, [j] { j->lastProgress.start(); });
        QObject::connect(reply, &QNetworkReply::metaDataChanged, reply, [this, j] { onHeaders(*j); });
        QObject::connect(reply, &QNetworkReply::readyRead, reply, [this, j] { onData(*j); });
        QObject::connect(reply, &QNetworkReply::finished, reply, [this, j] { onFinished(*j); });
    }

    void abortWith(Job &job, Error error, bool retryable)
    {
        if (!job.abortReason) {
            job.abortReason = std::move(error);
            job.abortRetryable = retryable;
        }
        if (job.reply)
            job.reply->abort(); // finished() follows, synchronously
    }

    void onHeaders(Job &job)
    {
        job.headersSeen = true;
        QNetworkReply *reply = job.reply;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (status >= 200 && status < 300 && length.isValid() && length.toLongLong() > m_options.maxBytes)
            abortWith(job, Error(QStringLiteral("the server announces %1 bytes; the limit is %2")
                                     .arg(length.toLongLong())
                                     .arg(m_options.maxBytes),
                                 Error::Code::TooLarge),
                      false);
    }

    void onData(Job &job)
    {
        job.headersSeen = true;
        job.lastProgress.start();
        QNetworkReply *reply = job.reply;
        job.body += reply->readAll();
        if (job.body.size() > m_options.maxBytes)
            abortWith(job, Error(QStringLiteral("more than %1 bytes, the limit").arg(m_options.maxBytes), Error::Code::TooLarge),
                      false);
    }

    void onFinished(Job &job)
    {
        QNetworkReply *reply = job.reply;
        job.reply = nullptr;
        reply->deleteLater();
        --m_active;
        if (--m_perHost[job.host] <= 0)
            m_perHost.remove(job.host);
        if (job.finished) // cancelled meanwhile
            return pump();
        if (!job.abortReason)
            job.body += reply->readAll();

        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QNetworkReply::NetworkError error = reply->error();
        if (job.abortReason)
            return retryOrFail(job, *job.abortReason, job.abortRetryable);
        if (status >= 300 && status < 400 && status != 304) {
            return followRedirect(job, reply, status);
        }
        if (status >= 200 && status < 300 && error == QNetworkReply::NoError) {
            FetchedUrl fetched;
            fetched.bytes = std::move(job.body);
            fetched.finalUrl = job.current;
            fetched.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toString();
            fetched.attempts = job.attempt + 1;
            finish(job, std::move(fetched));
            return pump();
        }
        if (status != 0) {
            const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
            const QString message = QStringLiteral("HTTP %1%2").arg(status).arg(reason.isEmpty() ? QString() : QLatin1Char(' ') + reason);
            const Error::Code code = (status == 404 || status == 410) ? Error::Code::NotFound : Error::Code::Io;
            return retryOrFail(job, Error(message, code), isRetryable(error, status));
        }
        return retryOrFail(job, Error(reply->errorString(), Error::Code::Io), isRetryable(error, status));
    }

    void followRedirect(Job &job, QNetworkReply *reply, int status)
    {
        const QUrl location = reply->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
        if (!location.isValid() || location.isEmpty()) {
            finish(job, Error(QStringLiteral("HTTP %1 without a usable Location").arg(status), Error::Code::Io));
            return pump();
        }
        const QUrl next = job.current.resolved(location);
        const QString from = job.current.scheme().toLower();
        const QString to = next.scheme().toLower();
        const QString target = next.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
        if (!UrlFetcher::isFetchable(next)) {
            finish(job, Error(QStringLiteral("redirect to %1 refused (only http and https are followed)").arg(target),
                              Error::Code::Unsupported));
            return pump();
        }
        if (from != to && !(from == QLatin1String("http") && to == QLatin1String("https"))) {
            finish(job, Error(QStringLiteral("redirect to %1 refused (https never goes back to http)").arg(target),
                              Error::Code::Unsupported));
            return pump();
        }
        if (++job.redirects > m_options.maxRedirects) {
            finish(job, Error(QStringLiteral("more than %1 redirects").arg(m_options.maxRedirects), Error::Code::Io));
            return pump();
        }
        job.current = next;
        start(job);
    }

    void retryOrFail(Job &job, Error error, bool retryable)
    {
        if (!retryable || job.attempt >= m_options.retries || cancelled()) {
            if (job.attempt > 0)
                error.message += QStringLiteral(" (after %1 attempts)").arg(job.attempt + 1);
            finish(job, std::move(error));
            return pump();
        }
        // The slot goes to the next URL meanwhile: a failing server never holds up the others.
        const int delay = m_options.retryDelayMs << std::min(job.attempt, 10);
        ++job.attempt;
        Job *j = &job;
        QTimer::singleShot(delay, &m_loop, [this, j] {
            if (j->finished)
                return;
            m_queue.push_front(j);
            pump();
        });
        pump();
    }

    void tick()
    {
        if (cancelled()) {
            for (auto &job : m_jobs) {
                if (job->finished)
                    continue;
                if (job->reply)
                    abortWith(*job, Error(QStringLiteral("cancelled"), Error::Code::Cancelled), false);
                finish(*job, Error(QStringLiteral("cancelled"), Error::Code::Cancelled));
            }
            m_queue.clear();
            m_loop.quit();
            return;
        }
        for (auto &job : m_jobs) {
            if (!job->reply || job->finished)
                continue;
            const auto seconds = [](int ms) { return QString::number(ms / 1000.0); };
            if (!job->headersSeen && job->lastProgress.elapsed() > m_options.connectTimeoutMs)
                abortWith(*job, Error(QStringLiteral("timed out: no answer within %1 s").arg(seconds(m_options.connectTimeoutMs)),
                                      Error::Code::Io),
                          true);
            else if (job->headersSeen && job->lastProgress.elapsed() > m_options.stallTimeoutMs)
                abortWith(*job, Error(QStringLiteral("timed out: no data for %1 s").arg(seconds(m_options.stallTimeoutMs)),
                                      Error::Code::Io),
                          true);
            else if (job->attemptClock.elapsed() > m_options.totalTimeoutMs)
                abortWith(*job, Error(QStringLiteral("timed out: not complete within %1 s").arg(seconds(m_options.totalTimeoutMs)),
                                      Error::Code::Io),
                          true);
        }
    }

    bool cancelled() const { return m_options.cancelled && m_options.cancelled(); }

    void finish(Job &job, Result<FetchedUrl> result)
    {
        if (job.finished)
            return;
        job.finished = true;
        job.body = QByteArray();
        --m_remaining;
        m_done(job.index, std::move(result));
        if (m_remaining == 0)
            m_loop.quit();
    }

    const UrlFetchOptions &m_options;
    const UrlFetcher::Done &m_done;
    std::vector<std::unique_ptr<Job>> m_jobs;
    qsizetype m_remaining;
    std::deque<Job *> m_queue;
    QHash<QString, int> m_perHost; // requests in flight per scheme://host:port
    int m_active = 0;
    QEventLoop m_loop;
    QNetworkAccessManager m_manager;
};

} // namespace

void UrlFetcher::fetch(const QStringList &urls, const UrlFetchOptions &options, const Done &done)
{
    if (urls.isEmpty())
        return;
    FetchRun run(urls, options, done);
    run.run();
}

bool UrlFetcher::isFetchable(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == QLatin1String("http") || scheme == QLatin1String("https")) && !url.host().isEmpty();
}

} // namespace lookalike
