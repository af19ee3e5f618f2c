#include "urldownloadstage.h"

#include "media/imagedecoder.h"

#include <QDateTime>
#include <QThread>

namespace lookalike {

UrlDownloadStage::UrlDownloadStage(Collection &collection, QStringList urls, UrlFetchOptions options)
    : m_collection(collection), m_urls(std::move(urls)), m_options(std::move(options))
{
}

UrlDownloadStage::~UrlDownloadStage()
{
    if (m_thread)
        m_thread->wait();
}

void UrlDownloadStage::start()
{
    // A QThread rather than a pool thread: UrlFetcher runs an event loop for as long as the
    // downloads take, which must not occupy a decode worker.
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->start();
}

void UrlDownloadStage::run()
{
    UrlFetcher::fetch(m_urls, m_options, [this](qsizetype index, Result<FetchedUrl> fetched) {
        const QString &uri = m_urls[index];
        std::optional<DiscoveredFile> file;
        std::optional<IngestErrorRecord> error;
        const auto fail = [&](const char *stage, const QString &message) {
            error = IngestErrorRecord{uri, QString::fromLatin1(stage), message, QDateTime::currentMSecsSinceEpoch()};
        };
        if (!fetched) {
            // A cancelled download is no fault of its URL: nothing is recorded.
            if (fetched.error().code != Error::Code::Cancelled)
                fail("fetch", fetched.errorMessage());
        } else if (const QString format = ImageDecoder::sniffBytes(fetched->bytes); format.isEmpty()) {
            QString why = ImageDecoder::describeNonImage(fetched->bytes);
            if (!fetched->contentType.isEmpty())
                why += QStringLiteral("; the server called it %1").arg(fetched->contentType);
            fail("fetch", why);
        } else if (auto stored = m_collection.storeFile(fetched->bytes, format); !stored) {
            fail("write", stored.errorMessage());
        } else {
            file = DiscoveredFile{*stored, fetched->bytes.size(), 0, uri};
        }
        {
            std::lock_guard lock(m_mutex);
            if (file)
                m_files.push_back(std::move(*file));
            if (error)
                m_errors.push_back(std::move(*error));
        }
        ++m_ended;
        m_arrived.notify_all();
    });
    {
        std::lock_guard lock(m_mutex);
        m_finished = true;
    }
    m_arrived.notify_all();
}

UrlDownloadStage::Arrived UrlDownloadStage::take(size_t maxFiles, int waitMs)
{
    std::unique_lock lock(m_mutex);
    if (waitMs > 0)
        m_arrived.wait_for(lock, std::chrono::milliseconds(waitMs),
                           [this] { return m_finished || !m_files.empty() || !m_errors.isEmpty(); });
    Arrived out;
    while (!m_files.empty() && out.files.size() < maxFiles) {
        out.bytes += m_files.front().size;
        out.files.push_back(std::move(m_files.front()));
        m_files.pop_front();
    }
    out.errors.swap(m_errors);
    return out;
}

bool UrlDownloadStage::drained() const
{
    std::lock_guard lock(m_mutex);
    return m_finished && m_files.empty() && m_errors.isEmpty();
}

} // namespace lookalike
