#include "reembedder.h"

#include "collection/collectionwriter.h"
#include "embed/embedder.h"
#include "ingest/reportembedder.h"
#include "media/imagedecoder.h"
#include "util/logging.h"

#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <vector>

namespace lookalike {

namespace {

struct Decoded
{
    qint64 id = -1;
    QImage image;
    bool fromThumbnail = false;
    QString error;
};

} // namespace

Result<ReembedResult> Reembedder::run(Collection &collection, Embedder &embedder, const ReembedOptions &options)
{
    ReembedResult result;
    const Embedder::WorkingMemoryScope releaseAtEnd(embedder);
    result.previousModel = collection.embedderId();
    auto stop = [&] { return options.stopRequested && options.stopRequested(); };
    auto writer = collection.openWriter();
    if (!writer)
        return writer.error();
    auto space = (*writer)->ensureSpace(QStringLiteral("image"), embedder.id(), embedder.dimension());
    if (!space)
        return space.error();
    auto stats = collection.stats();
    if (!stats)
        return stats.error();
    result.total = stats->items;

    DecodeOptions decode;
    decode.maxSide = std::max(1, embedder.preferredInputSide());
    decode.minShortSide = embedder.minimumShortSide();
    decode.background = QColor::fromString(collection.background());
    QThreadPool pool;
    pool.setMaxThreadCount(options.threads > 0 ? options.threads : QThread::idealThreadCount());

    qint64 done = 0;
    if (auto already = collection.space(space->name); already && *already)
        done = (*already)->count;
    if (options.progress)
        options.progress(done, result.total);
    qint64 after = 0;
    while (!stop()) {
        auto ids = collection.idsWithoutVector(space->name, after, options.batchSize);
        if (!ids)
            return ids.error();
        if (ids->empty())
            break;
        after = ids->back();
        auto items = collection.itemsByIds(*ids);
        if (!items)
            return items.error();
        const QHash<qint64, ItemRecord> records = *items;
        std::function<Decoded(qint64)> load = [&collection, &records, decode](qint64 id) {
            Decoded d;
            d.id = id;
            auto image = ImageDecoder::decodeFile(collection.localFile(records.value(id)), decode);
            if (image) {
                d.image = std::move(image->image);
                return d;
            }
            // The original is gone or unreadable: its thumbnail is a smaller but faithful copy.
            auto thumb = collection.thumbnail(id);
            if (thumb && !thumb->isEmpty()) {
                if (auto fromThumb = ImageDecoder::decode(*thumb, decode)) {
                    d.image = std::move(fromThumb->image);
                    d.fromThumbnail = true;
                    return d;
                }
            }
            d.error = image.errorMessage();
            return d;
        };
        const std::vector<Decoded> decoded = QtConcurrent::blockingMapped<std::vector<Decoded>>(&pool, *ids, load);

        std::vector<qint64> okIds;
        std::vector<QImage> images;
        for (const Decoded &d : decoded) {
            if (!d.error.isEmpty()) {
                result.errors.append({records.value(d.id).uri, QStringLiteral("decode"), d.error, 0});
                continue;
            }
            okIds.push_back(d.id);
            images.push_back(d.image);
            result.fromThumbnail += d.fromThumbnail ? 1 : 0;
        }
        if (okIds.empty())
            continue;
        auto vectors = embedder.embedImages(images);
        if (!vectors)
            return vectors.error();
        if (auto written = (*writer)->writeEmbeddings(space->name, okIds, *vectors); !written)
            return written.error();
        result.embedded += qint64(okIds.size());
        done += qint64(okIds.size());
        if (options.progress)
            options.progress(done, result.total);
    }
    result.cancelled = stop();
    if (auto saved = collection.saveIndexes(); !saved)
        qCWarning(lcIngest) << "could not save the new index (it will be rebuilt at next open):" << saved.errorMessage();
    if (result.cancelled || !result.errors.isEmpty())
        return result;

    if (auto switched = collection.switchModel(embedder.id(), options.dropOldSpaces); !switched)
        return switched.error();
    result.switched = true;
    qCInfo(lcIngest).noquote() << "collection" << collection.path() << "now uses" << embedder.id() << "instead of"
                               << result.previousModel;
    auto reports = ReportEmbedder::run(collection, embedder, options.stopRequested);
    if (!reports)
        return reports.error();
    result.reportsEmbedded = reports->embedded;
    return result;
}

} // namespace lookalike
