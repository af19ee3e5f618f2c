#include "collectionapi.h"

#include "addrequest.h"
#include "collection/collectionwriter.h"
#include "embed/embedder.h"
#include "ingest/ingestjob.h"
#include "media/imagedecoder.h"
#include "search/inspectionjson.h"
#include "searchjson.h"
#include "searchrequest.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QUrl>

#include <limits>
#include <tuple>

namespace lookalike::server {

namespace {

constexpr int kSnippetLength = 300;
constexpr int kRecentErrors = 20;
constexpr int kDefaultListLimit = 100;

QJsonObject itemJson(const ItemRecord &r)
{
    QJsonObject o;
    o.insert(u"id"_qs, r.id);
    o.insert(u"uri"_qs, r.uri);
    o.insert(u"filename"_qs, r.filename);
    o.insert(u"width"_qs, r.width);
    o.insert(u"height"_qs, r.height);
    o.insert(u"format"_qs, r.format);
    o.insert(u"size"_qs, r.size);
    o.insert(u"added_ms"_qs, r.addedMs);
    return o;
}

QJsonArray vectorJson(const std::vector<float> &v)
{
    QJsonArray out;
    for (float x : v)
        out.append(double(x));
    return out;
}

Error badParameter(const QString &message)
{
    return Error(message, Error::Code::InvalidArgument);
}

// A query-string integer in [min, max], or `fallback` when absent.
Result<qint64> queryInteger(const QUrlQuery &query, const QString &key, qint64 fallback, qint64 min, qint64 max)
{
    if (!query.hasQueryItem(key))
        return fallback;
    bool ok = false;
    const qint64 v = query.queryItemValue(key).toLongLong(&ok);
    if (!ok || v < min || v > max)
        return badParameter(QStringLiteral("%1 wants an integer from %2 to %3").arg(key).arg(min).arg(max));
    return v;
}

// Gives a one-at-a-time slot (tryStartAdd(), tryStartScan()) back when the request ends.
struct SlotRelease
{
    std::atomic<bool> &taken;
    ~SlotRelease() { taken.store(false); }
};

// Refuses query parameters other than `known` (a misspelt one would silently do nothing).
std::optional<Error> unknownParameter(const QUrlQuery &query, const QStringList &known)
{
    for (const auto &[key, value] : query.queryItems()) {
        if (!known.contains(key))
            return badParameter(QStringLiteral("unknown query parameter \"%1\" (known: %2)").arg(key, known.join(QStringLiteral(", "))));
    }
    return std::nullopt;
}

} // namespace

CollectionApi::CollectionApi(Setup setup, const ApiLimits &limits, const UrlFetchOptions &fetch, const std::atomic<bool> *stopping)
    : m_name(std::move(setup.name))
    , m_collection(std::move(setup.collection))
    , m_embedder(std::move(setup.embedder))
    , m_embedderError(std::move(setup.embedderError))
    , m_engine(*m_collection, m_embedder.get())
    , m_limits(limits)
    , m_fetch(fetch)
    , m_stopping(stopping)
{
}

CollectionApi::~CollectionApi() = default;

ApiResponse CollectionApi::modelUnavailable() const
{
    return ApiResponse::error(503, QStringLiteral("model_unavailable"),
                              QStringLiteral("the model of collection %1 (%2) could not be loaded: %3")
                                  .arg(m_name, m_collection->embedderId(), m_embedderError));
}

ApiResponse CollectionApi::absent(qint64 id, const Result<std::optional<ItemRecord>> &lookup) const
{
    if (!lookup)
        return ApiResponse::fromError(lookup.error());
    return ApiResponse::error(404, QStringLiteral("not_found"), QStringLiteral("collection %1 has no item %2").arg(m_name).arg(id));
}

Result<QJsonObject> CollectionApi::summary()
{
    auto count = m_collection->itemCount();
    if (!count)
        return count.error();
    QJsonObject o{{u"name"_qs, m_name},
                  {u"path"_qs, m_collection->path()},
                  {u"model"_qs, m_collection->embedderId()},
                  {u"items"_qs, *count},
                  {u"model_loaded"_qs, m_embedder != nullptr}};
    if (!m_embedder)
        o.insert(u"model_error"_qs, m_embedderError);
    return o;
}

ApiResponse CollectionApi::stats()
{
    auto s = m_collection->stats();
    if (!s)
        return ApiResponse::fromError(s.error());
    auto recent = m_collection->ingestErrors(kRecentErrors);
    if (!recent)
        return ApiResponse::fromError(recent.error());
    QJsonArray spaces;
    for (const SpaceInfo &space : std::as_const(s->spaces)) {
        QJsonObject o{{u"name"_qs, space.name}, {u"modality"_qs, space.modality}, {u"model"_qs, space.modelId}};
        o.insert(u"dimension"_qs, space.dimension);
        o.insert(u"count"_qs, space.count);
        o.insert(u"index"_qs, s->indexDescriptions.value(space.name));
        spaces.append(o);
    }
    QJsonArray errors;
    for (const IngestErrorRecord &e : std::as_const(*recent))
        errors.append(QJsonObject{{u"uri"_qs, e.uri}, {u"stage"_qs, e.stage}, {u"message"_qs, e.message}, {u"at_ms"_qs, e.atMs}});
    return ApiResponse::json({{u"name"_qs, m_name},
                              {u"model"_qs, s->embedderId},
                              {u"items"_qs, s->items},
                              {u"reports"_qs, s->reports},
                              {u"thumbnails"_qs, s->thumbnails},
                              {u"errors"_qs, s->errors},
                              {u"recent_errors"_qs, errors},
                              {u"spaces"_qs, spaces}});
}

ApiResponse CollectionApi::items(const QUrlQuery &query)
{
    if (auto unknown = unknownParameter(query, {u"offset"_qs, u"limit"_qs, u"vectors"_qs}))
        return ApiResponse::fromError(*unknown);
    auto offset = queryInteger(query, u"offset"_qs, 0, 0, std::numeric_limits<qint32>::max());
    if (!offset)
        return ApiResponse::fromError(offset.error());
    auto limit = queryInteger(query, u"limit"_qs, kDefaultListLimit, 1, m_limits.maxPage);
    if (!limit)
        return ApiResponse::fromError(limit.error());
    const QString vectorsValue = query.queryItemValue(u"vectors"_qs);
    if (!vectorsValue.isEmpty() && vectorsValue != u"0"_qs && vectorsValue != u"1"_qs && vectorsValue != u"true"_qs
        && vectorsValue != u"false"_qs)
        return ApiResponse::fromError(badParameter(QStringLiteral("vectors wants 1 or 0")));
    const bool vectors = vectorsValue == u"1"_qs || vectorsValue == u"true"_qs;

    auto rows = m_collection->items(*offset, *limit);
    if (!rows)
        return ApiResponse::fromError(rows.error());
    auto total = m_collection->itemCount();
    if (!total)
        return ApiResponse::fromError(total.error());
    std::vector<qint64> ids;
    for (const ItemRecord &r : std::as_const(*rows))
        ids.push_back(r.id);
    auto reports = m_collection->reports(ids);
    if (!reports)
        return ApiResponse::fromError(reports.error());
    const QString space = m_collection->imageSpaceName();
    QJsonArray out;
    for (const ItemRecord &r : std::as_const(*rows)) {
        QJsonObject o = itemJson(r);
        if (const QString report = reports->value(r.id); !report.isEmpty())
            o.insert(u"report"_qs, report);
        if (vectors) {
            auto v = m_collection->embedding(r.id, space);
            if (!v && v.error().code != Error::Code::NotFound)
                return ApiResponse::fromError(v.error());
            o.insert(u"vector"_qs, v ? QJsonValue(vectorJson(*v)) : QJsonValue());
        }
        out.append(o);
    }
    QJsonObject body{{u"items"_qs, out}, {u"total"_qs, *total}, {u"offset"_qs, *offset}, {u"limit"_qs, *limit}};
    if (vectors)
        body.insert(u"space"_qs, space);
    return ApiResponse::json(body);
}

ApiResponse CollectionApi::item(qint64 id)
{
    auto record = m_collection->item(id);
    if (!record || !*record)
        return absent(id, record);
    auto report = m_collection->report(id);
    if (!report && report.error().code != Error::Code::NotFound)
        return ApiResponse::fromError(report.error());
    auto metadata = m_collection->metadata(id);
    if (!metadata)
        return ApiResponse::fromError(metadata.error());
    QJsonObject meta;
    for (auto it = metadata->cbegin(); it != metadata->cend(); ++it)
        meta.insert(it.key(), it.value());
    QJsonObject o = itemJson(**record);
    o.insert(u"report"_qs, report && !report->isEmpty() ? QJsonValue(*report) : QJsonValue());
    o.insert(u"metadata"_qs, meta);
    return ApiResponse::json(o);
}

ApiResponse CollectionApi::thumbnail(qint64 id)
{
    if (auto record = m_collection->item(id); !record || !*record)
        return absent(id, record);
    auto jpeg = m_collection->thumbnail(id);
    if (!jpeg)
        return ApiResponse::fromError(jpeg.error());
    return ApiResponse::bytes(QByteArrayLiteral("image/jpeg"), std::move(*jpeg));
}

ApiResponse CollectionApi::remove(qint64 id)
{
    if (auto record = m_collection->item(id); !record || !*record)
        return absent(id, record);
    const qint64 ids[] = {id};
    if (auto r = m_collection->removeItems(ids); !r)
        return ApiResponse::fromError(r.error());
    return ApiResponse::json({{u"removed"_qs, id}});
}

ApiResponse CollectionApi::search(const QByteArray &body)
{
    auto request = SearchRequest::parse(body, m_limits);
    if (!request)
        return ApiResponse::fromError(request.error());
    SearchQuery &query = request->query;
    if (!request->image.isEmpty()) {
        if (!m_embedder)
            return modelUnavailable();
        // Decoded as the items were: the embedder's input size, the collection's background.
        DecodeOptions options;
        options.maxSide = m_embedder->preferredInputSide();
        options.minShortSide = m_embedder->minimumShortSide();
        options.background = QColor::fromString(m_collection->background());
        options.maxFileBytes = m_limits.maxImageBytes;
        auto decoded = ImageDecoder::decode(request->image, options);
        if (!decoded)
            return ApiResponse::error(decoded.error().code == Error::Code::TooLarge ? 413 : 400, QStringLiteral("bad_image"),
                                      QStringLiteral("image: %1").arg(decoded.errorMessage()));
        query.images << std::move(decoded->image);
    }
    auto result = m_engine.search(query);
    if (!result)
        return ApiResponse::fromError(result.error());
    QJsonArray hits;
    int rank = query.offset;
    for (const SearchHit &h : std::as_const(result->hits))
        hits.append(SearchJson::hit(h, ++rank, kSnippetLength));
    return ApiResponse::json({{u"hits"_qs, hits},
                              {u"total"_qs, result->totalMatches},
                              {u"offset"_qs, query.offset},
                              {u"k"_qs, query.k},
                              {u"fusion"_qs, result->fusion},
                              {u"exact"_qs, result->exact},
                              {u"warnings"_qs, QJsonArray::fromStringList(result->warnings)}});
}

bool CollectionApi::tryStartScan()
{
    bool expected = false;
    return m_scanning.compare_exchange_strong(expected, true);
}

ApiResponse CollectionApi::outliers(const QUrlQuery &query)
{
    const SlotRelease slot{m_scanning};
    if (auto unknown = unknownParameter(query, {u"neighbours"_qs, u"limit"_qs}))
        return ApiResponse::fromError(*unknown);
    auto neighbours = queryInteger(query, u"neighbours"_qs, 10, 1, 1000);
    if (!neighbours)
        return ApiResponse::fromError(neighbours.error());
    auto limit = queryInteger(query, u"limit"_qs, 20, 1, m_limits.maxPage);
    if (!limit)
        return ApiResponse::fromError(limit.error());
    OutlierParams params;
    params.neighbours = int(*neighbours);
    params.limit = int(*limit);
    auto found = OutlierFinder::find(*m_collection, params, m_stopping);
    if (m_stopping && m_stopping->load())
        return ApiResponse::error(503, u"cancelled"_qs, u"the server is stopping"_qs);
    if (!found)
        return ApiResponse::fromError(found.error());
    auto json = InspectionJson::outliers(*m_collection, *found, params.neighbours);
    return json ? ApiResponse::json(*json) : ApiResponse::fromError(json.error());
}

ApiResponse CollectionApi::duplicates(const QUrlQuery &query)
{
    const SlotRelease slot{m_scanning};
    if (auto unknown = unknownParameter(query, {u"threshold"_qs, u"neighbours"_qs, u"across"_qs}))
        return ApiResponse::fromError(*unknown);
    DuplicateParams params;
    if (query.hasQueryItem(u"threshold"_qs)) {
        bool ok = false;
        params.threshold = query.queryItemValue(u"threshold"_qs).toFloat(&ok);
        if (!ok || !(params.threshold >= -1.f && params.threshold <= 1.f))
            return ApiResponse::fromError(badParameter(QStringLiteral("threshold wants a number from -1 to 1")));
    }
    auto neighbours = queryInteger(query, u"neighbours"_qs, params.neighbours, 1, 1000);
    if (!neighbours)
        return ApiResponse::fromError(neighbours.error());
    params.neighbours = int(*neighbours);
    if (query.hasQueryItem(u"across"_qs)) {
        const QString across = query.queryItemValue(u"across"_qs, QUrl::FullyDecoded);
        if (across.isEmpty())
            return ApiResponse::fromError(badParameter(QStringLiteral("across wants a metadata key or \"folder\"")));
        params.splitBy = across == u"folder"_qs ? SplitBy::TopFolder : SplitBy::Metadata;
        params.splitKey = across;
    }
    auto found = DuplicateFinder::find(*m_collection, params, m_stopping);
    if (m_stopping && m_stopping->load())
        return ApiResponse::error(503, u"cancelled"_qs, u"the server is stopping"_qs);
    if (!found)
        return ApiResponse::fromError(found.error());
    auto json = InspectionJson::duplicates(*m_collection, *found, params);
    return json ? ApiResponse::json(*json) : ApiResponse::fromError(json.error());
}

bool CollectionApi::tryStartAdd()
{
    bool expected = false;
    return m_adding.compare_exchange_strong(expected, true);
}

ApiResponse CollectionApi::add(const QByteArray &body)
{
    const SlotRelease slot{m_adding};

    auto request = AddRequest::parse(body, m_limits);
    if (!request)
        return ApiResponse::fromError(request.error());
    if (!m_embedder)
        return modelUnavailable();

    // One entry per URL or image, in the order given; `uri` is what the item will be called.
    struct Entry
    {
        QJsonObject json;
        QString uri;
        QString filename;
        bool upload = false;
        bool existed = false;
        bool failed = false;
    };
    auto fail = [](Entry &e, const QString &message) {
        e.failed = true;
        e.json.insert(u"status"_qs, u"failed"_qs);
        e.json.insert(u"error"_qs, message);
    };
    std::vector<Entry> entries;
    QStringList inputs;
    for (const QString &url : std::as_const(request->urls)) {
        Entry e;
        e.json.insert(u"input"_qs, url);
        // As IngestJob names a URL's item.
        e.uri = QUrl(url, QUrl::StrictMode).adjusted(QUrl::RemoveFragment).toString(QUrl::FullyEncoded);
        inputs << url;
        entries.push_back(std::move(e));
    }
    for (const AddRequest::Upload &upload : std::as_const(request->uploads)) {
        Entry e;
        e.json.insert(u"input"_qs, upload.field);
        e.upload = true;
        e.filename = upload.filename;
        if (!upload.filename.isEmpty())
            e.json.insert(u"filename"_qs, upload.filename);
        // Kept in the collection's files/ under its content's name, then added as that file.
        if (const QString format = ImageDecoder::sniffBytes(upload.bytes); format.isEmpty()) {
            fail(e, ImageDecoder::describeNonImage(upload.bytes));
        } else if (auto stored = m_collection->storeFile(upload.bytes, format); !stored) {
            fail(e, stored.errorMessage());
        } else {
            e.uri = QFileInfo(*stored).absoluteFilePath();
            inputs << e.uri;
        }
        entries.push_back(std::move(e));
    }
    for (Entry &e : entries) {
        if (e.failed)
            continue;
        auto known = m_collection->itemByUri(e.uri);
        if (!known)
            return ApiResponse::fromError(known.error());
        e.existed = known->has_value();
    }

    IngestResult result;
    if (!inputs.isEmpty()) {
        IngestParams params;
        params.inputs = inputs;
        params.readSidecarReports = false;
        params.backgroundPriority = true; // searches keep answering quickly while an add decodes
        params.fetch = m_fetch;
        params.interrupt = m_stopping;
        IngestJob job(*m_collection, *m_embedder, params);
        auto ran = job.run();
        if (!ran)
            return ApiResponse::fromError(ran.error());
        result = std::move(*ran);
    }

    QHash<QString, IngestErrorRecord> errors;
    for (const IngestErrorRecord &e : std::as_const(result.errors))
        errors.insert(e.uri, e);
    qint64 added = 0, unchanged = 0, failed = 0;
    QJsonArray newIds, items;
    std::vector<std::tuple<qint64, QString, QString>> names;
    for (Entry &e : entries) {
        if (!e.failed) {
            if (const auto error = errors.constFind(e.uri); error != errors.cend()) {
                fail(e, error->stage + u": "_qs + error->message);
                // An upload's copy that cannot be decoded serves no item (the same bytes cannot
                // decode for another one either), as IngestJob does with a fetched URL's.
                if (e.upload && error->stage == u"decode"_qs)
                    QFile::remove(e.uri);
            } else if (auto known = m_collection->itemByUri(e.uri); !known) {
                return ApiResponse::fromError(known.error());
            } else if (!*known) {
                fail(e, result.cancelled ? QStringLiteral("not added: the server is stopping") : QStringLiteral("not added"));
            } else {
                const qint64 id = (*known)->id;
                e.json.insert(u"id"_qs, id);
                e.json.insert(u"uri"_qs, e.uri);
                e.json.insert(u"status"_qs, e.existed ? u"unchanged"_qs : u"added"_qs);
                if (!e.existed) {
                    newIds.append(id);
                    if (!e.filename.isEmpty())
                        names.emplace_back(id, QStringLiteral("upload_filename"), e.filename);
                }
            }
        }
        (e.failed ? failed : e.existed ? unchanged : added) += 1;
        items.append(e.json);
    }
    // The item's own filename is its stored copy's (<hash>.<ext>); the client's name is kept
    // as metadata, where filters can find it.
    if (!names.empty()) {
        auto writer = m_collection->openWriter();
        if (!writer)
            return ApiResponse::fromError(writer.error());
        if (auto r = (*writer)->setMetadata(names); !r)
            return ApiResponse::fromError(r.error());
    }
    return ApiResponse::json({{u"added"_qs, added},
                              {u"unchanged"_qs, unchanged},
                              {u"failed"_qs, failed},
                              {u"ids"_qs, newIds},
                              {u"items"_qs, items},
                              {u"cancelled"_qs, result.cancelled}},
                             added > 0 ? 201 : 200);
}

} // namespace lookalike::server
