#include "thumbnailcache.h"

#include "collection/collection.h"

#include <QImage>
#include <QPointer>
#include <QThread>
#include <QThreadPool>

#include <deque>
#include <mutex>

namespace lookalike {

namespace {
// Loaders use half the cores (1 to 4): the GUI thread must keep a core to paint while tiles
// stream in (on 2 cores, two loaders doubled the 95th-percentile frame time; bench_gui_scroll),
// and an ingest may want the rest. A thumbnail is a short SQLite read plus a small JPEG decode.
int loaderThreads()
{
    return std::clamp(QThread::idealThreadCount() / 2, 1, 4);
}
// Requests beyond this are forgotten oldest first: when the user flicks through 100k items,
// only what is on screen now is worth loading. Forgotten ids are requested again if the view
// paints them again.
constexpr size_t kMaxQueued = 512;
} // namespace

struct ThumbnailCache::Shared
{
    std::mutex mutex;
    std::shared_ptr<Collection> collection;
    quint64 generation = 0;   // bumped by setCollection()/clear(): late results are dropped
    std::deque<qint64> queue; // newest at the back
    QSet<qint64> queued;
    int activeWorkers = 0;
    int displaySide = 0;
    ThumbnailCache *receiver = nullptr; // null once the cache is being destroyed
};

ThumbnailCache::ThumbnailCache(QObject *parent, qint64 maxBytes)
    : QObject(parent)
    , m_shared(std::make_shared<Shared>())
    , m_pool(new QThreadPool(this))
{
    m_cache.setMaxCost(maxBytes);
    m_pool->setMaxThreadCount(loaderThreads());
    m_shared->receiver = this;
}

ThumbnailCache::~ThumbnailCache()
{
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->receiver = nullptr;
        m_shared->queue.clear();
        m_shared->queued.clear();
    }
    m_pool->waitForDone();
}

void ThumbnailCache::setCollection(std::shared_ptr<Collection> collection)
{
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->collection = std::move(collection);
        ++m_shared->generation;
        m_shared->queue.clear();
        m_shared->queued.clear();
    }
    m_cache.clear();
    m_failed.clear();
}

void ThumbnailCache::setDisplaySide(int side)
{
    {
        std::lock_guard lock(m_shared->mutex);
        if (m_shared->displaySide == side)
            return;
        m_shared->displaySide = side;
    }
    clear();
}

int ThumbnailCache::displaySide() const
{
    std::lock_guard lock(m_shared->mutex);
    return m_shared->displaySide;
}

void ThumbnailCache::clear()
{
    std::lock_guard lock(m_shared->mutex);
    ++m_shared->generation;
    m_shared->queue.clear();
    m_shared->queued.clear();
    m_cache.clear();
    m_failed.clear();
}

void ThumbnailCache::invalidate(qint64 id)
{
    m_cache.remove(id);
    m_failed.remove(id);
}

int ThumbnailCache::pendingCount() const
{
    std::lock_guard lock(m_shared->mutex);
    return int(m_shared->queued.size()) + m_shared->activeWorkers;
}

QPixmap ThumbnailCache::thumbnail(qint64 id)
{
    if (const QPixmap *p = m_cache.object(id))
        return *p;
    if (m_failed.contains(id))
        return {};
    {
        std::lock_guard lock(m_shared->mutex);
        if (!m_shared->collection)
            return {};
        if (m_shared->queued.contains(id)) {
            // Asked again: it is on screen now, so move it to the front of the line.
            auto it = std::find(m_shared->queue.rbegin(), m_shared->queue.rend(), id);
            if (it != m_shared->queue.rend()) {
                m_shared->queue.erase(std::next(it).base());
                m_shared->queue.push_back(id);
            }
            return {};
        }
        m_shared->queue.push_back(id);
        m_shared->queued.insert(id);
        while (m_shared->queue.size() > kMaxQueued) {
            m_shared->queued.remove(m_shared->queue.front());
            m_shared->queue.pop_front();
        }
    }
    startWorkerIfIdle();
    return {};
}

void ThumbnailCache::startWorkerIfIdle()
{
    std::shared_ptr<Shared> shared = m_shared;
    {
        std::lock_guard lock(shared->mutex);
        if (shared->activeWorkers >= loaderThreads())
            return;
        ++shared->activeWorkers;
    }
    m_pool->start([shared] {
        for (;;) {
            qint64 id = -1;
            quint64 generation = 0;
            int side = 0;
            std::shared_ptr<Collection> collection;
            {
                std::lock_guard lock(shared->mutex);
                if (shared->queue.empty() || !shared->receiver) {
                    --shared->activeWorkers;
                    return;
                }
                id = shared->queue.back();
                shared->queue.pop_back();
                shared->queued.remove(id);
                generation = shared->generation;
                side = shared->displaySide;
                collection = shared->collection;
            }
            QImage image;
            if (collection) {
                auto bytes = collection->thumbnail(id);
                if (bytes && !bytes->isEmpty())
                    image = QImage::fromData(*bytes);
                if (side > 0 && std::max(image.width(), image.height()) > side)
                    image = image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
                // The pixmap conversion on the GUI thread is then a copy, not a format change.
                if (!image.isNull() && image.format() != QImage::Format_RGB32 && !image.hasAlphaChannel())
                    image = image.convertToFormat(QImage::Format_RGB32);
            }
            std::lock_guard lock(shared->mutex);
            if (ThumbnailCache *receiver = shared->receiver) {
                // Queued to the GUI thread; if the cache dies first, Qt drops the event.
                QMetaObject::invokeMethod(
                    receiver, [receiver, generation, id, image] { receiver->onLoaded(generation, id, image); },
                    Qt::QueuedConnection);
            }
        }
    });
}

void ThumbnailCache::onLoaded(quint64 generation, qint64 id, const QImage &image)
{
    {
        std::lock_guard lock(m_shared->mutex);
        if (generation != m_shared->generation)
            return;
    }
    if (image.isNull()) {
        m_failed.insert(id);
    } else {
        auto *pixmap = new QPixmap(QPixmap::fromImage(image));
        const qint64 cost = qint64(pixmap->width()) * pixmap->height() * 4;
        m_cache.insert(id, pixmap, cost);
    }
    Q_EMIT thumbnailReady(id);
}

} // namespace lookalike
