#pragma once

#include "search/query.h"

namespace lookalike {

class Embedder;

// Answers SearchQuery against one collection. Stateless between calls and safe to use from
// several threads at once (the collection and index serialise what they must).
class SearchEngine final
{
public:
    // How many candidates each part contributes before fusion, as a multiple of offset + k.
    static constexpr int kCandidateFactor = 4;
    static constexpr int kMinCandidates = 100;
    // Text matches considered for normalising text scores.
    static constexpr int kMaxTextMatches = 10000;

    // `embedder` may be null when queries never carry example images (only items or text).
    SearchEngine(Collection &collection, Embedder *embedder);

    Result<SearchResult> search(const SearchQuery &query);

    // The query vector for the image part: the normalised mean of the positive examples minus
    // half the normalised mean of the negatives (Rocchio), normalised again.
    Result<std::vector<float>> queryVector(const SearchQuery &query, const QString &space, int dimension);

private:
    Result<std::vector<float>> embedFiles(const QStringList &files, const QList<QImage> &images);

    Collection &m_collection;
    Embedder *m_embedder;
};

} // namespace lookalike
