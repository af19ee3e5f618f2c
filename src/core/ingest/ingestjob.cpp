#include "ingestjob.h"

#include "collection/collectionwriter.h"
#include "ingest/reportembedder.h"
#include "embed/embedder.h"
#include "filediscovery.h"
#include "ingest/urldownloadstage.h"
#include "media/thumbnailencoder.h"
#include "util/contenthash.h"
#include "util/logging.h"
#include "util/weburl.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <cerrno>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lookalike {

namespace {

constexpr qint64 kMaxSidecarBytes = 1 << 20;

// What a worker produced for one file.
struct Prepared
{
    DiscoveredFile file;
    std::optional<NewItem> item;
    std::optional<IngestErrorRecord> error;
    QImage embedInput; // kept only when the embedder runs in the writer thread
};

std::optional<QString> readSidecar(const QString &imagePath)
{
    const QFileInfo fi(imagePath);
    const QString candidates[] = {imagePath + QStringLiteral(".txt"),
                                  fi.dir().filePath(fi.completeBaseName() + QStringLiteral(".txt"))};
    for (const QString &c : candidates) {
        QFileInfo si(c);
        if (!si.isFile() || si.size() > kMaxSidecarBytes)
            continue;
        QFile f(c);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QString text = QString::fromUtf8(f.readAll()).trimmed();
        if (!text.isEmpty())
            return text;
    }
    return std::nullopt;
}

IngestErrorRecord makeError(const QString &uri, const char *stage, const QString &message)
{
    return {uri, QString::fromLatin1(stage), message, QDateTime::currentMSecsSinceEpoch()};
}

// Linux lets one thread be niced on its own (setpriority on its tid). The threads are this
// job's pool's, which ends with the job, so nothing else runs at the lowered priority.
void lowerThisThreadsPriority()
{
    thread_local bool lowered = false;
    if (lowered)
        return;
    lowered = true;
    errno = 0;
    const int now = getpriority(PRIO_PROCESS, id_t(gettid()));
    if (errno == 0 && now < 10)
        setpriority(PRIO_PROCESS, id_t(gettid()), 10);
}

// Inputs split by kind: paths for FileDiscovery, URLs to fetch (normalised, each once), and
// what can be neither.
struct SortedInputs
{
    QStringList paths;
    QStringList urls;
    QList<IngestErrorRecord> errors;
};

SortedInputs sortInputs(const QStringList &inputs)
{
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*:"));
    SortedInputs out;
    QSet<QString> seen;
    for (const QString &input : inputs) {
        if (isWebUrl(input)) {
            const QUrl url(input.trimmed(), QUrl::StrictMode);
            if (!UrlFetcher::isFetchable(url)) {
                out.errors << makeError(input, "fetch", QStringLiteral("not a valid URL"));
                continue;
            }
            QString uri = url.adjusted(QUrl::RemoveFragment).toString(QUrl::FullyEncoded);
            if (!seen.contains(uri)) {
                seen.insert(uri);
                out.urls << std::move(uri);
            }
        } else if (input.startsWith(QLatin1String("file:"), Qt::CaseInsensitive)) {
            out.paths << QUrl(input).toLocalFile();
        } else if (input.contains(QLatin1String("://")) && scheme.match(input).hasMatch()) {
            out.errors << makeError(input, "discover", QStringLiteral("only files, folders and http or https URLs can be added"));
        } else {
            out.paths << input;
        }
    }
    return out;
}

// The item's file name for a URL: its last path segment, else the host.
QString fileNameForUrl(const QString &uri)
{
    const QUrl url(uri);
    const QString name = url.fileName(QUrl::FullyDecoded);
    return name.isEmpty() ? url.host() : name;
}

// A new path whose bytes equal an item whose file is gone is that file, moved: the item
// follows it (keeping its id, report and metadata) instead of a second item appearing.
Result<bool> relinkIfMoved(CollectionWriter &writer, const Prepared &p)
{
    auto same = writer.itemsWithHash(p.item->record.contentHash);
    if (!same)
        return same.error();
    for (const KnownFile &k : std::as_const(*same)) {
        if (k.uri.contains(QLatin1String("://")) || QFileInfo::exists(k.uri))
            continue;
        if (auto r = writer.relink(k.id, p.item->record); !r)
            return r.error();
        return true;
    }
    return false;
}

} // namespace

IngestJob::IngestJob(Collection &collection, Embedder &embedder, IngestParams params, QObject *parent)
    : QObject(parent), m_collection(collection), m_embedder(embedder), m_params(std::move(params))
{
}

IngestJob::~IngestJob() = default;

void IngestJob::cancel()
{
    m_cancel.store(true);
}

bool IngestJob::isCancelled() const
{
    return stopRequested();
}

bool IngestJob::stopRequested() const
{
    return m_cancel.load(std::memory_order_relaxed)
        || (m_params.interrupt && m_params.interrupt->load(std::memory_order_relaxed));
}

Result<IngestResult> IngestJob::run()
{
    QElapsedTimer clock;
    clock.start();
    IngestResult result;
    const Embedder::WorkingMemoryScope releaseAtEnd(m_embedder);

    if (m_embedder.id() != m_collection.embedderId())
        return Error(QStringLiteral("this collection is embedded with %1, not %2")
                         .arg(m_collection.embedderId(), m_embedder.id()),
                     Error::Code::InvalidArgument);

    auto writerOr = m_collection.openWriter();
    if (!writerOr)
        return writerOr.error();
    CollectionWriter &writer = **writerOr;
    auto spaceOr = writer.ensureSpace(QStringLiteral("image"), m_embedder.id(), m_embedder.dimension());
    if (!spaceOr)
        return spaceOr.error();
    const QString spaceName = spaceOr->name;
    // Load (or rebuild) the index now, so that each commit updates it in memory and the end of
    // the job saves it, instead of the next search rebuilding it from scratch.
    if (auto idx = m_collection.index(spaceName); !idx)
        return idx.error();

    if (m_params.interrupt && m_params.interrupt->load())
        m_cancel.store(true);
    SortedInputs inputs = sortInputs(m_params.inputs);
    DiscoveryResult found = FileDiscovery::discover(inputs.paths, &m_cancel);
    found.errors = inputs.errors + found.errors;
    result.discovered = qint64(found.files.size() + inputs.urls.size());
    result.skippedNonImages = found.skippedNonImages;
    result.errors = found.errors;
    result.failed = qint64(found.errors.size());
    if (auto r = writer.recordErrors(found.errors); !r)
        return r.error();

    // Incremental: a file whose path, size and mtime are unchanged is not read again.
    std::vector<DiscoveredFile> todo;
    QSet<QString> present;
    QHash<QString, KnownFile> known;
    for (DiscoveredFile &f : found.files) {
        present.insert(f.path);
        auto k = writer.lookup(f.path);
        if (!k)
            return k.error();
        if (*k && (*k)->size == f.size && (*k)->mtimeMs == f.mtimeMs) {
            ++result.unchanged;
            continue;
        }
        if (*k)
            known.insert(f.path, **k);
        todo.push_back(std::move(f));
    }
    // The paths now live in `todo` (and `present`); the moved-from husks would stay for the
    // whole job (~40 bytes a file).
    std::vector<DiscoveredFile>().swap(found.files);
    for (const QString &folder : std::as_const(found.folders)) {
        auto under = m_collection.itemsUnder(folder);
        if (!under)
            return under.error();
        for (const ItemRecord &r : std::as_const(*under)) {
            if (!present.contains(r.uri) && !QFileInfo::exists(r.uri))
                result.missing << r.uri;
        }
    }
    present = QSet<QString>(); // only the check above needs it
    // A URL already in the collection is not fetched again: re-adding a list costs nothing and
    // needs no network (remove the item to fetch it afresh).
    QStringList toFetch;
    for (const QString &url : std::as_const(inputs.urls)) {
        auto k = writer.lookup(url);
        if (!k)
            return k.error();
        if (*k)
            ++result.unchanged;
        else
            toFetch << url;
    }

    const qint64 total = result.discovered + qint64(found.errors.size());
    IngestProgress progress;
    progress.total = total;
    progress.done = result.unchanged + qint64(found.errors.size());
    progress.failed = result.failed;
    progress.urlsToFetch = toFetch.size();
    Q_EMIT started(total);
    Q_EMIT progressChanged(progress);
    // URLs download on a thread of their own; what arrives joins the queue behind the files.
    std::unique_ptr<UrlDownloadStage> downloads;
    if (!toFetch.isEmpty()) {
        UrlFetchOptions fetchOptions = m_params.fetch;
        fetchOptions.maxBytes = std::min(fetchOptions.maxBytes, m_params.decode.maxFileBytes);
        fetchOptions.cancelled = [this] { return stopRequested(); };
        downloads = std::make_unique<UrlDownloadStage>(m_collection, toFetch, std::move(fetchOptions));
        downloads->start();
    }

    DecodeOptions decodeOptions = m_params.decode;
    decodeOptions.maxSide = std::max({m_params.thumbnailSide, m_embedder.preferredInputSide(), 1});
    decodeOptions.minShortSide = m_embedder.minimumShortSide();
    decodeOptions.background = QColor::fromString(m_collection.background());
    const bool embedInWorkers = m_embedder.isReentrant();
    const int thumbSide = m_params.thumbnailSide;
    const bool sidecars = m_params.readSidecarReports;

    const bool background = m_params.backgroundPriority;
    QThread *const caller = QThread::currentThread(); // may run a task while it waits: not niced
    auto prepare = [&, spaceName, background, caller](const DiscoveredFile &file) -> Prepared {
        Prepared p;
        p.file = file;
        if (stopRequested())
            return p;
        if (background && QThread::currentThread() != caller)
            lowerThisThreadsPriority();
        const QString &uri = file.uri();
        // Read once: the same bytes are hashed and decoded.
        QFile f(file.path);
        QFileInfo fi(file.path);
        if (!fi.isFile()) {
            p.error = makeError(uri, "read", QStringLiteral("the file disappeared or is not a regular file"));
            return p;
        }
        if (fi.size() > decodeOptions.maxFileBytes) {
            p.error = makeError(uri, "read", QStringLiteral("file too large (%1 bytes; the limit is %2)")
                                                 .arg(fi.size())
                                                 .arg(decodeOptions.maxFileBytes));
            return p;
        }
        const int fd = ::open(QFile::encodeName(file.path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            p.error = makeError(uri, "read", errnoText(errno));
            return p;
        }
        if (!f.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
            ::close(fd);
            p.error = makeError(uri, "read", f.errorString());
            return p;
        }
        const QByteArray bytes = f.readAll();
        if (f.error() != QFileDevice::NoError) {
            p.error = makeError(uri, "read", f.errorString());
            return p;
        }
        f.close();
        auto decoded = ImageDecoder::decode(bytes, decodeOptions);
        if (!decoded) {
            p.error = makeError(uri, "decode", decoded.errorMessage());
            // The copy of a fetched image nobody can use: the same bytes cannot decode for
            // another item either.
            if (!file.sourceUrl.isEmpty())
                QFile::remove(file.path);
            return p;
        }
        NewItem item;
        item.record.uri = uri;
        item.record.filename = file.sourceUrl.isEmpty() ? fi.fileName() : fileNameForUrl(file.sourceUrl);
        item.record.size = file.size;
        item.record.mtimeMs = file.mtimeMs;
        item.record.contentHash = contentHash(bytes);
        item.record.width = decoded->originalSize.width();
        item.record.height = decoded->originalSize.height();
        item.record.format = decoded->format;
        item.spaceName = spaceName;
        item.thumbnailJpeg = ThumbnailEncoder::encode(decoded->image, thumbSide);
        const QSize ts = decoded->image.size().scaled(QSize(thumbSide, thumbSide), Qt::KeepAspectRatio);
        const bool fits = decoded->image.width() <= thumbSide && decoded->image.height() <= thumbSide;
        item.thumbnailWidth = fits ? decoded->image.width() : ts.width();
        item.thumbnailHeight = fits ? decoded->image.height() : ts.height();
        if (sidecars && file.sourceUrl.isEmpty())
            item.report = readSidecar(file.path);
        if (embedInWorkers) {
            auto v = m_embedder.embedImages(std::span<const QImage>(&decoded->image, 1));
            if (!v) {
                p.error = makeError(uri, "embed", v.errorMessage());
                return p;
            }
            item.embedding = std::move(*v);
        } else {
            p.embedInput = std::move(decoded->image);
        }
        p.item = std::move(item);
        return p;
    };

    QThreadPool pool;
    pool.setMaxThreadCount(m_params.threads > 0 ? m_params.threads : std::max(1, QThread::idealThreadCount()));
    const size_t chunk = size_t(std::max(1, m_params.batchSize));

    // Embeds (when not done in workers) and commits one prepared chunk.
    auto commit = [&](std::vector<Prepared> &&batch) -> Result<void> {
        std::vector<NewItem> items;
        QList<IngestErrorRecord> errors;
        std::vector<size_t> needEmbedding;
        for (size_t i = 0; i < batch.size(); ++i) {
            Prepared &p = batch[i];
            if (p.error) {
                errors.push_back(*p.error);
            } else if (p.item) {
                if (!embedInWorkers)
                    needEmbedding.push_back(i);
            }
        }
        if (!needEmbedding.empty()) {
            std::vector<QImage> images;
            for (size_t i : needEmbedding)
                images.push_back(batch[i].embedInput);
            auto v = m_embedder.embedImages(images);
            const size_t dim = size_t(m_embedder.dimension());
            for (size_t j = 0; j < needEmbedding.size(); ++j) {
                Prepared &p = batch[needEmbedding[j]];
                if (!v) {
                    errors.push_back(makeError(p.file.uri(), "embed", v.errorMessage()));
                    p.item.reset();
                    continue;
                }
                p.item->embedding.assign(v->begin() + ptrdiff_t(j * dim), v->begin() + ptrdiff_t((j + 1) * dim));
                p.embedInput = QImage();
            }
        }
        for (Prepared &p : batch) {
            if (!p.item)
                continue;
            const auto it = p.file.sourceUrl.isEmpty() ? known.constFind(p.file.path) : known.cend();
            if (it != known.cend() && it->contentHash == p.item->record.contentHash) {
                // Same bytes, new mtime (touched or copied back): nothing to re-embed.
                if (auto r = writer.touch(it->id, p.file.size, p.file.mtimeMs); !r)
                    return r;
                ++result.unchanged;
                continue;
            }
            if (it != known.cend()) {
                ++result.updated;
            } else {
                // A new file may be a moved one; a URL is never a moved file.
                if (p.file.sourceUrl.isEmpty()) {
                    auto moved = relinkIfMoved(writer, p);
                    if (!moved)
                        return moved.error();
                    if (*moved) {
                        ++result.relinked;
                        continue;
                    }
                }
                ++result.added;
            }
            items.push_back(std::move(*p.item));
        }
        if (auto r = writer.writeItems(items, errors); !r)
            return r.error();
        result.failed += errors.size();
        result.errors += errors;
        progress.done += qint64(batch.size());
        progress.failed = result.failed;
        const double secs = std::max(1e-3, clock.elapsed() / 1000.0);
        progress.rate = double(progress.done - result.unchanged) / secs;
        progress.etaSeconds = progress.rate > 0 ? double(progress.total - progress.done) / progress.rate : -1;
        Q_EMIT progressChanged(progress);
        return {};
    };

    size_t next = 0; // into todo
    // What downloads handed over: errors are recorded (and counted as done) here, in the
    // writer's thread; files go into the next slice.
    auto takeDownloads = [&](std::vector<DiscoveredFile> &slice, int waitMs) -> Result<void> {
        UrlDownloadStage::Arrived arrived = downloads->take(chunk - slice.size(), waitMs);
        if (auto r = writer.recordErrors(arrived.errors); !r)
            return r;
        result.failed += arrived.errors.size();
        result.errors += arrived.errors;
        result.fetched += qint64(arrived.files.size());
        result.fetchedBytes += arrived.bytes;
        progress.done += arrived.errors.size();
        progress.failed = result.failed;
        progress.urlsFetched = downloads->ended();
        for (DiscoveredFile &f : arrived.files)
            slice.push_back(std::move(f));
        return {};
    };
    // The next chunk: files first, then downloads. With `mayWait`, waits for downloads until a
    // chunk is full, they are all done, or some have arrived and no more came for a while;
    // without, takes what is there (possibly nothing).
    auto nextSlice = [&](bool mayWait) -> Result<std::vector<DiscoveredFile>> {
        std::vector<DiscoveredFile> slice;
        if (next < todo.size()) {
            const size_t end = std::min(todo.size(), next + chunk);
            slice.assign(todo.begin() + ptrdiff_t(next), todo.begin() + ptrdiff_t(end));
            next = end;
            return slice;
        }
        if (!downloads)
            return slice;
        constexpr int kStepMs = 100;
        for (int idle = 0;;) {
            const size_t before = slice.size();
            const qint64 doneBefore = progress.done;
            if (auto r = takeDownloads(slice, mayWait ? kStepMs : 0); !r)
                return r.error();
            const bool arrived = slice.size() > before || progress.done > doneBefore;
            if (arrived)
                Q_EMIT progressChanged(progress);
            idle = arrived ? 0 : idle + kStepMs;
            if (!mayWait || slice.size() >= chunk || downloads->drained() || stopRequested()
                || (!slice.empty() && idle >= 3 * kStepMs))
                return slice;
        }
    };
    auto launch = [&](bool mayWait) -> Result<QFuture<Prepared>> {
        auto slice = nextSlice(mayWait);
        if (!slice)
            return slice.error();
        if (slice->empty())
            return QFuture<Prepared>();
        return QtConcurrent::mapped(&pool, std::move(*slice), prepare);
    };

    // Double buffering: while chunk i is embedded/written here, chunk i+1 decodes on the pool.
    Result<void> status;
    QFuture<Prepared> inFlight;
    if (auto first = launch(true); first)
        inFlight = *first;
    else
        status = first.error();
    while (status && inFlight.isValid() && !inFlight.isCanceled()) {
        inFlight.waitForFinished();
        std::vector<Prepared> batch;
        batch.reserve(size_t(inFlight.resultCount()));
        for (const Prepared &p : inFlight.results())
            batch.push_back(p);
        inFlight = QFuture<Prepared>();
        if (stopRequested())
            break;
        // Whatever is ready decodes while this chunk commits; only then wait for downloads.
        auto following = launch(false);
        if (!following) {
            status = following.error();
            break;
        }
        inFlight = *following;
        if (status = commit(std::move(batch)); !status)
            break;
        if (!inFlight.isValid()) {
            if (auto waited = launch(true); waited)
                inFlight = *waited;
            else
                status = waited.error();
        }
    }
    if (inFlight.isValid())
        inFlight.waitForFinished(); // workers see the cancel flag and return at once
    downloads.reset(); // its thread ends at once after a cancel (or has ended)
    if (status && !stopRequested() && m_embedder.hasTextTower()) {
        // Sidecar reports (and reports imported earlier) get their vectors in the model's
        // text space, so text queries match them by meaning.
        auto reports = ReportEmbedder::run(m_collection, m_embedder, [this] { return stopRequested(); });
        if (reports)
            result.reportsEmbedded = reports->embedded;
        else
            result.errors.append({QString(), QStringLiteral("reports"), reports.errorMessage(), 0});
    }
    result.cancelled = stopRequested();
    if (!status)
        return status.error();
    if (auto r = m_collection.saveIndexes(); !r)
        qCWarning(lcIngest) << "could not save the index (it will be rebuilt at next open):" << r.errorMessage();
    result.seconds = clock.elapsed() / 1000.0;
    qCInfo(lcIngest).nospace() << "ingest: " << result.added << " added, " << result.updated << " updated, "
                               << result.unchanged << " unchanged, " << result.failed << " failed in "
                               << result.seconds << " s" << (result.cancelled ? " (cancelled)" : "");
    return result;
}

} // namespace lookalike
