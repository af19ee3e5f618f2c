#pragma once

#include <QCache>
#include <QObject>
#include <QPixmap>
#include <QSet>

#include <memory>

class QThreadPool;

namespace lookalike {

class Collection;

// Thumbnails of a collection's items for the views. Never decodes originals: the collection
// stores a small JPEG per item, read and decoded here on a worker thread. Requests are served
// newest first, so the rows the user is looking at now win over rows scrolled past. Decoded
// pixmaps are kept in a cache bounded in bytes.
class ThumbnailCache final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThumbnailCache)

public:
    static constexpr qint64 kDefaultMaxBytes = 192LL << 20;

    explicit ThumbnailCache(QObject *parent = nullptr, qint64 maxBytes = kDefaultMaxBytes);
    ~ThumbnailCache() override;

    // Drops everything cached or queued; null = no collection.
    void setCollection(std::shared_ptr<Collection> collection);
    // Thumbnails larger than this (longest side, device pixels) are scaled down on the worker,
    // so that painting a tile is a plain blit, not a smooth scale on the GUI thread, and the
    // cache holds what is shown. 0 = keep the stored size. Changing it clears the cache.
    void setDisplaySide(int side);
    int displaySide() const;

    // The cached thumbnail, or a null pixmap after queueing a load; thumbnailReady(id) follows
    // (also when the item has no thumbnail: then `failed(id)` is true and no retry happens).
    QPixmap thumbnail(qint64 id);
    bool failed(qint64 id) const { return m_failed.contains(id); }
    // Forgets an item (e.g. after it was re-embedded or removed).
    void invalidate(qint64 id);
    void clear();

    qint64 cachedBytes() const { return m_cache.totalCost(); }
    qint64 maxBytes() const { return m_cache.maxCost(); }
    int pendingCount() const;

Q_SIGNALS:
    void thumbnailReady(qint64 id);

private:
    struct Shared; // state the workers see; outlives this object while loads are running

    void startWorkerIfIdle();
    void onLoaded(quint64 generation, qint64 id, const QImage &image);

    QCache<qint64, QPixmap> m_cache;
    QSet<qint64> m_failed;
    std::shared_ptr<Shared> m_shared;
    QThreadPool *m_pool;
};

} // namespace lookalike
