#include "searchengine.h"

#include "embed/embedder.h"
#include "media/imagedecoder.h"
#include "search/ftsquery.h"
#include "util/logging.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace lookalike {

namespace {

constexpr float kNegativeWeight = 0.5f;

void normalise(std::vector<float> &v)
{
    double norm = 0;
    for (float x : v)
        norm += double(x) * x;
    norm = std::sqrt(norm);
    if (norm > 0) {
        for (float &x : v)
            x = float(x / norm);
    }
}

// Mean of `count` row vectors, normalised.
std::vector<float> centroid(const std::vector<float> &rows, size_t count, size_t dim)
{
    std::vector<float> c(dim, 0.f);
    for (size_t r = 0; r < count; ++r) {
        for (size_t j = 0; j < dim; ++j)
            c[j] += rows[r * dim + j];
    }
    normalise(c);
    return c;
}

float dot(const std::vector<float> &a, const std::vector<float> &b)
{
    double s = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        s += double(a[i]) * b[i];
    return float(s);
}

} // namespace

SearchEngine::SearchEngine(Collection &collection, Embedder *embedder)
    : m_collection(collection), m_embedder(embedder)
{
}

Result<std::vector<float>> SearchEngine::embedFiles(const QStringList &files, const QList<QImage> &images)
{
    std::vector<float> out;
    if (files.isEmpty() && images.isEmpty())
        return out;
    if (!m_embedder)
        return Error(QStringLiteral("querying by example image needs the collection's embedder"), Error::Code::Unsupported);
    DecodeOptions options;
    options.maxSide = m_embedder->preferredInputSide();
    std::vector<QImage> batch;
    for (const QString &f : files) {
        auto decoded = ImageDecoder::decodeFile(f, options);
        if (!decoded)
            return Error(QStringLiteral("query image %1: %2").arg(f, decoded.errorMessage()), decoded.error().code);
        batch.push_back(std::move(decoded->image));
    }
    for (const QImage &img : images) {
        if (img.isNull())
            return Error(QStringLiteral("an empty query image"), Error::Code::InvalidArgument);
        QImage rgb = img.convertToFormat(QImage::Format_RGB888);
        const int side = options.maxSide;
        if (rgb.width() > side || rgb.height() > side)
            rgb = rgb.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        batch.push_back(std::move(rgb));
    }
    return m_embedder->embedImages(batch);
}

Result<std::vector<float>> SearchEngine::queryVector(const SearchQuery &query, const QString &space, int dimension)
{
    const size_t dim = size_t(dimension);
    auto gather = [&](const QStringList &files, const QList<QImage> &images, const std::vector<qint64> &ids,
                      const std::vector<float> &raw) -> Result<std::pair<std::vector<float>, size_t>> {
        auto rows = embedFiles(files, images);
        if (!rows)
            return rows.error();
        std::vector<float> all = std::move(*rows);
        if (all.size() % dim != 0)
            return Error(QStringLiteral("the embedder's vectors do not fit space %1").arg(space), Error::Code::InvalidArgument);
        for (qint64 id : ids) {
            auto v = m_collection.embedding(id, space);
            if (!v)
                return v.error();
            all.insert(all.end(), v->begin(), v->end());
        }
        if (!raw.empty()) {
            if (raw.size() != dim)
                return Error(QStringLiteral("the query vector has %1 values; space %2 has %3")
                                 .arg(raw.size())
                                 .arg(space)
                                 .arg(dim),
                             Error::Code::InvalidArgument);
            std::vector<float> v = raw;
            normalise(v);
            all.insert(all.end(), v.begin(), v.end());
        }
        return std::pair(std::move(all), all.size() / dim);
    };
    auto pos = gather(query.imageFiles, query.images, query.itemIds, query.vector);
    if (!pos)
        return pos.error();
    auto neg = gather(query.negativeImageFiles, query.negativeImages, query.negativeIds, {});
    if (!neg)
        return neg.error();
    if (pos->second == 0)
        return Error(QStringLiteral("negative examples need at least one positive example"), Error::Code::InvalidArgument);
    std::vector<float> q = centroid(pos->first, pos->second, dim);
    if (neg->second > 0) {
        const std::vector<float> n = centroid(neg->first, neg->second, dim);
        for (size_t j = 0; j < dim; ++j)
            q[j] -= kNegativeWeight * n[j];
        normalise(q);
    }
    return q;
}

Result<SearchResult> SearchEngine::search(const SearchQuery &query)
{
    SearchResult result;
    const bool hasImage = query.hasImagePart();
    const bool hasText = query.hasTextPart();
    if (!hasImage && !hasText)
        return Error(QStringLiteral("the query is empty: give an example image, an item or text"), Error::Code::InvalidArgument);
    if (query.k <= 0 || query.offset < 0)
        return Error(QStringLiteral("k must be positive and offset not negative"), Error::Code::InvalidArgument);
    const double alpha = hasImage && hasText ? std::clamp(query.alpha, 0.0, 1.0) : (hasImage ? 1.0 : 0.0);
    if (hasImage && hasText)
        result.fusion = QStringLiteral("score = %1 × image + %2 × text").arg(alpha, 0, 'g', 3).arg(1 - alpha, 0, 'g', 3);
    else
        result.fusion = hasImage ? QStringLiteral("score = image similarity (cosine)")
                                 : QStringLiteral("score = text relevance (bm25, relative to the best match)");

    const QString spaceName = query.space.isEmpty() ? m_collection.imageSpaceName() : query.space;
    const int wanted = std::max(kMinCandidates, (query.offset + query.k) * kCandidateFactor);

    // Metadata filters restrict both parts to one allowed set.
    std::vector<qint64> allowed;
    const bool filtered = !query.filters.isEmpty();
    if (filtered) {
        auto ids = m_collection.idsWithMetadata(query.filters);
        if (!ids)
            return ids.error();
        allowed = std::move(*ids);
        if (allowed.empty())
            return result;
    }
    auto isAllowed = [&](qint64 id) { return !filtered || std::binary_search(allowed.begin(), allowed.end(), id); };

    QSet<qint64> excluded;
    if (!query.includeQueryItems) {
        for (qint64 id : query.itemIds)
            excluded.insert(id);
        for (qint64 id : query.negativeIds)
            excluded.insert(id);
    }

    struct Candidate
    {
        float image = 0;
        float text = 0;
        bool hasImage = false;
        bool matchedText = false;
    };
    QHash<qint64, Candidate> candidates;

    std::vector<float> q;
    std::shared_ptr<VectorIndex> index;
    if (hasImage) {
        auto space = m_collection.space(spaceName);
        if (!space)
            return space.error();
        if (!*space)
            return Error(QStringLiteral("the collection has no embedding space %1").arg(spaceName), Error::Code::NotFound);
        auto qv = queryVector(query, spaceName, (*space)->dimension);
        if (!qv)
            return qv.error();
        q = std::move(*qv);
        auto idx = m_collection.index(spaceName);
        if (!idx)
            return idx.error();
        index = *idx;
        result.exact = index->isExact();
        auto hits = index->search(q, wanted + int(excluded.size()), filtered ? std::span<const qint64>(allowed)
                                                                             : std::span<const qint64>());
        if (!hits)
            return hits.error();
        for (const ScoredId &h : *hits) {
            Candidate &c = candidates[h.id];
            c.image = h.score;
            c.hasImage = true;
        }
    }

    if (hasText) {
        QString fts = FtsQuery::allOf(query.text);
        auto matches = m_collection.searchReports(fts, kMaxTextMatches);
        if (!matches)
            return matches.error();
        if (matches->empty() && FtsQuery::terms(query.text).size() > 1) {
            fts = FtsQuery::anyOf(query.text);
            matches = m_collection.searchReports(fts, kMaxTextMatches);
            if (!matches)
                return matches.error();
            if (!matches->empty())
                result.warnings << QStringLiteral("no report contains all the words; showing reports that contain any of them");
                result.anyWordFallback = true;
        }
        float best = 0;
        for (const ScoredId &m : *matches)
            best = std::max(best, m.score);
        // Text-only queries take the best `wanted` matches; hybrid queries score every match
        // so that image candidates get their true text score.
        int taken = 0;
        for (const ScoredId &m : *matches) {
            if (!isAllowed(m.id))
                continue;
            const bool isCandidate = candidates.contains(m.id);
            if (!isCandidate && taken >= wanted)
                continue;
            Candidate &c = candidates[m.id];
            c.text = best > 0 ? std::max(0.f, m.score / best) : 1.f;
            c.matchedText = true;
            if (!isCandidate)
                ++taken;
        }
    }

    // Candidates found by text alone get their exact image score from their stored vector.
    // The index holds the same vectors as the database (index() follows the space's revision),
    // every score it returns is the exact inner product with a stored row, and asking for as
    // many results as allowed ids returns all of them that it holds (docs/index.md, Filters).
    // One call instead of one SQL lookup per candidate (0.05-0.13 ms each, up to `wanted` of
    // them: most of a hybrid query's time; bench/bench_search). Ids it does not return fall
    // back to the database.
    if (hasImage) {
        std::vector<qint64> textOnly;
        for (auto it = candidates.cbegin(); it != candidates.cend(); ++it) {
            if (!it->hasImage)
                textOnly.push_back(it.key());
        }
        if (!textOnly.empty()) {
            std::sort(textOnly.begin(), textOnly.end());
            if (auto scored = index->search(q, int(textOnly.size()), textOnly)) {
                for (const ScoredId &s : *scored) {
                    auto it = candidates.find(s.id);
                    if (it != candidates.end()) {
                        it->image = s.score;
                        it->hasImage = true;
                    }
                }
            } else {
                qCWarning(lcSearch) << "scoring text matches through the index failed:" << scored.errorMessage();
            }
            for (qint64 id : textOnly) {
                auto it = candidates.find(id);
                if (it->hasImage)
                    continue;
                auto v = m_collection.embedding(id, spaceName);
                if (v) {
                    it->image = dot(q, *v);
                    it->hasImage = true;
                }
            }
        }
    }

    struct Ranked
    {
        qint64 id;
        Candidate c;
        float score;
    };
    std::vector<Ranked> ranked;
    ranked.reserve(size_t(candidates.size()));
    for (auto it = candidates.cbegin(); it != candidates.cend(); ++it) {
        if (excluded.contains(it.key()) || !isAllowed(it.key()))
            continue;
        const float score = float(alpha * it->image + (1 - alpha) * it->text);
        if (query.threshold && score < *query.threshold)
            continue;
        ranked.push_back({it.key(), *it, score});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked &a, const Ranked &b) {
        return a.score != b.score ? a.score > b.score : a.id < b.id;
    });
    result.totalMatches = qint64(ranked.size());

    const size_t begin = std::min(ranked.size(), size_t(query.offset));
    const size_t end = std::min(ranked.size(), begin + size_t(query.k));
    std::vector<qint64> pageIds;
    for (size_t i = begin; i < end; ++i)
        pageIds.push_back(ranked[i].id);
    auto items = m_collection.itemsByIds(pageIds);
    if (!items)
        return items.error();
    auto reports = m_collection.reports(pageIds);
    if (!reports)
        return reports.error();
    for (size_t i = begin; i < end; ++i) {
        const Ranked &r = ranked[i];
        SearchHit hit;
        hit.id = r.id;
        hit.score = r.score;
        hit.imageScore = r.c.image;
        hit.textScore = r.c.text;
        hit.matchedText = r.c.matchedText;
        hit.item = items->value(r.id);
        hit.report = reports->value(r.id);
        result.hits.push_back(std::move(hit));
    }
    return result;
}

} // namespace lookalike
