#include "searchengine.h"

#include "embed/embedder.h"
#include "media/imagedecoder.h"
#include "media/imageops.h"
#include "search/ftsquery.h"
#include "util/logging.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
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
    options.minShortSide = m_embedder->minimumShortSide();
    // Query images are composited like the items were, or a transparent icon would not find itself.
    options.background = QColor::fromString(m_collection.background());
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
        QImage rgb = media::flattenToRgb888(img, options.background);
        const int side = media::decodeBox(rgb.size(), options.maxSide, options.minShortSide);
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

    const QString spaceName = query.space.isEmpty() ? m_collection.imageSpaceName() : query.space;
    const int wanted = std::max(kMinCandidates, (query.offset + query.k) * kCandidateFactor);

    // Metadata filters restrict every part to one allowed set.
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
    const std::span<const qint64> allowedSpan = filtered ? std::span<const qint64>(allowed) : std::span<const qint64>();

    QSet<qint64> excluded;
    if (!query.includeQueryItems) {
        for (qint64 id : query.itemIds)
            excluded.insert(id);
        for (qint64 id : query.negativeIds)
            excluded.insert(id);
    }

    // Every candidate gets every score of the query, whichever part found it.
    enum Source { Image, TextImage, TextReport, Count };
    struct Candidate
    {
        std::array<float, Count> score{};
        std::array<bool, Count> has{};
        float words = 0; // bm25 relative to the best match
        bool matchedText = false;
    };
    QHash<qint64, Candidate> candidates;
    struct VectorPart
    {
        std::vector<float> vector;
        QString space;
        std::shared_ptr<VectorIndex> index;
    };
    std::array<std::optional<VectorPart>, Count> parts;

    auto addVectorPart = [&](Source source, std::vector<float> vector, const QString &space) -> Result<void> {
        auto idx = m_collection.index(space);
        if (!idx)
            return idx.error();
        auto hits = (*idx)->search(vector, wanted + int(excluded.size()), allowedSpan);
        if (!hits)
            return hits.error();
        for (const ScoredId &h : *hits) {
            Candidate &c = candidates[h.id];
            c.score[source] = h.score;
            c.has[source] = true;
        }
        if (!(*idx)->isExact())
            result.exact = false;
        parts[source] = VectorPart{std::move(vector), space, *idx};
        return {};
    };

    if (hasImage) {
        auto space = m_collection.space(spaceName);
        if (!space)
            return space.error();
        if (!*space)
            return Error(QStringLiteral("the collection has no embedding space %1").arg(spaceName), Error::Code::NotFound);
        auto qv = queryVector(query, spaceName, (*space)->dimension);
        if (!qv)
            return qv.error();
        if (auto added = addVectorPart(Image, std::move(*qv), spaceName); !added)
            return added.error();
    }

    // With a vision-language model the text is also embedded by its text tower and compared
    // with every image (text↔image) and every report embedded by the same model (text↔report).
    const bool semantic = hasText && m_embedder && m_embedder->hasTextTower() && m_embedder->id() == m_collection.embedderId();
    if (semantic) {
        const std::vector<QString> texts{query.text.trimmed()};
        auto t = m_embedder->embedTexts(texts);
        if (!t)
            return t.error();
        if (auto added = addVectorPart(TextImage, *t, m_collection.imageSpaceName()); !added)
            return added.error();
        const QString reportSpace = Collection::spaceName(QStringLiteral("text"), m_collection.embedderId());
        auto space = m_collection.space(reportSpace);
        if (!space)
            return space.error();
        // space() leaves count unknown (-1): the index knows it without a scan.
        auto reportIndex = *space ? m_collection.index(reportSpace) : Result<std::shared_ptr<VectorIndex>>(nullptr);
        if (!reportIndex)
            return reportIndex.error();
        if (*reportIndex && (*reportIndex)->size() > 0) {
            if (auto added = addVectorPart(TextReport, std::move(*t), reportSpace); !added)
                return added.error();
        }
    }

    bool wordsMatched = false;
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
            if (!matches->empty()) {
                result.warnings << QStringLiteral("no report contains all the words; showing reports that contain any of them");
                result.anyWordFallback = true;
            }
        }
        wordsMatched = !matches->empty();
        float best = 0;
        for (const ScoredId &m : *matches)
            best = std::max(best, m.score);
        // The best `wanted` matches become candidates; every match is scored so that
        // candidates found by the other parts get their true text score.
        int taken = 0;
        for (const ScoredId &m : *matches) {
            if (!isAllowed(m.id))
                continue;
            const bool isCandidate = candidates.contains(m.id);
            if (!isCandidate && taken >= wanted)
                continue;
            Candidate &c = candidates[m.id];
            c.words = best > 0 ? std::max(0.f, m.score / best) : 1.f;
            c.matchedText = true;
            if (!isCandidate)
                ++taken;
        }
    }

    // Candidates one vector part did not return get their exact score from the stored vector.
    // The index holds the same vectors as the database (index() follows the space's revision),
    // every score it returns is the exact inner product with a stored row, and asking for as
    // many results as allowed ids returns all of them that it holds (docs/index.md, Filters).
    // One call instead of one SQL lookup per candidate (0.05-0.13 ms each, up to `wanted` of
    // them: most of a hybrid query's time; bench/bench_search). Ids it does not return fall
    // back to the database; items without a vector in that space (no report) keep 0.
    for (int source = 0; source < Count; ++source) {
        const std::optional<VectorPart> &part = parts[size_t(source)];
        if (!part)
            continue;
        std::vector<qint64> missing;
        for (auto it = candidates.cbegin(); it != candidates.cend(); ++it) {
            if (!it->has[size_t(source)])
                missing.push_back(it.key());
        }
        if (missing.empty())
            continue;
        std::sort(missing.begin(), missing.end());
        if (auto scored = part->index->search(part->vector, int(missing.size()), missing)) {
            for (const ScoredId &s : *scored) {
                auto it = candidates.find(s.id);
                if (it != candidates.end()) {
                    it->score[size_t(source)] = s.score;
                    it->has[size_t(source)] = true;
                }
            }
        } else {
            qCWarning(lcSearch) << "scoring candidates through the index failed:" << scored.errorMessage();
        }
        for (qint64 id : missing) {
            auto it = candidates.find(id);
            if (it->has[size_t(source)] || source == TextReport)
                continue;
            if (auto v = m_collection.embedding(id, part->space)) {
                it->score[size_t(source)] = dot(part->vector, *v);
                it->has[size_t(source)] = true;
            }
        }
    }

    // Text↔image and text↔report cosines live on a model-specific scale (CLIP's text–image
    // cosines sit around 0.2–0.35), so each is rescaled to [0, 1] over this query's
    // candidates (min–max) before it is averaged with the report-word score; see
    // docs/search.md, "Fusion".
    std::array<std::pair<float, float>, Count> range;
    for (int source = TextImage; source < Count; ++source) {
        float lo = std::numeric_limits<float>::max();
        float hi = std::numeric_limits<float>::lowest();
        for (const Candidate &c : std::as_const(candidates)) {
            if (c.has[size_t(source)]) {
                lo = std::min(lo, c.score[size_t(source)]);
                hi = std::max(hi, c.score[size_t(source)]);
            }
        }
        range[size_t(source)] = {lo, hi};
    }
    auto rescaled = [&](const Candidate &c, int source) {
        if (!c.has[size_t(source)])
            return 0.f;
        const auto [lo, hi] = range[size_t(source)];
        return hi > lo ? (c.score[size_t(source)] - lo) / (hi - lo) : 1.f;
    };
    QStringList textSources;
    if (parts[TextImage])
        textSources << QStringLiteral("text↔image");
    if (parts[TextReport])
        textSources << QStringLiteral("text↔report");
    if (wordsMatched || !semantic)
        textSources << QStringLiteral("report words");
    auto textScore = [&](const Candidate &c) {
        float sum = 0;
        int n = 0;
        if (parts[TextImage]) {
            sum += rescaled(c, TextImage);
            ++n;
        }
        if (parts[TextReport]) {
            sum += rescaled(c, TextReport);
            ++n;
        }
        if (wordsMatched || !semantic) {
            sum += c.words;
            ++n;
        }
        return n ? sum / float(n) : 0.f;
    };

    const QString textRule = semantic ? QStringLiteral("mean of %1").arg(textSources.join(QStringLiteral(", ")))
                                      : QStringLiteral("text relevance (bm25, relative to the best match)");
    if (hasImage && hasText)
        result.fusion = QStringLiteral("score = %1 × image + %2 × text (text = %3)")
                            .arg(alpha, 0, 'g', 3)
                            .arg(1 - alpha, 0, 'g', 3)
                            .arg(textRule);
    else
        result.fusion = hasImage ? QStringLiteral("score = image similarity (cosine)") : QStringLiteral("score = ") + textRule;

    struct Ranked
    {
        qint64 id;
        const Candidate *c;
        float text;
        float score;
    };
    std::vector<Ranked> ranked;
    ranked.reserve(size_t(candidates.size()));
    for (auto it = candidates.cbegin(); it != candidates.cend(); ++it) {
        if (excluded.contains(it.key()) || !isAllowed(it.key()))
            continue;
        const float text = hasText ? textScore(*it) : 0.f;
        const float score = float(alpha * it->score[Image] + (1 - alpha) * text);
        if (query.threshold && score < *query.threshold)
            continue;
        ranked.push_back({it.key(), &*it, text, score});
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
        hit.imageScore = r.c->score[Image];
        hit.textScore = r.text;
        hit.matchedText = r.c->matchedText;
        hit.wordScore = r.c->words;
        if (r.c->has[TextImage])
            hit.textImageScore = r.c->score[TextImage];
        if (r.c->has[TextReport])
            hit.textReportScore = r.c->score[TextReport];
        hit.item = items->value(r.id);
        hit.report = reports->value(r.id);
        result.hits.push_back(std::move(hit));
    }
    return result;
}

} // namespace lookalike
