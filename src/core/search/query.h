#pragma once

#include "collection/collection.h"

#include <QImage>
#include <QList>
#include <QString>

#include <optional>
#include <vector>

namespace lookalike {

// What the user asks for. The image part (examples, items, a raw vector, negatives) and the
// text part are fused as documented in docs/search.md.
struct SearchQuery
{
    QStringList imageFiles;            // example images, decoded and embedded for the query
    QList<QImage> images;              // example images already in memory (pasted, dropped)
    std::vector<qint64> itemIds;       // items of the collection used as examples
    std::vector<qint64> negativeIds;   // items the results should not look like
    QStringList negativeImageFiles;
    QList<QImage> negativeImages;
    std::vector<float> vector;         // a raw query vector in the space's dimension
    QString text;
    double alpha = 0.5;                // weight of the image score when both parts are given
    int k = 20;                        // page size
    int offset = 0;
    std::optional<double> threshold;   // minimum final score
    QList<std::pair<QString, QString>> filters; // metadata key = value, all must hold
    QString space;                     // empty = the collection's image space
    bool includeQueryItems = false;    // example items are left out of their own results unless asked

    bool hasImagePart() const
    {
        return !imageFiles.isEmpty() || !images.isEmpty() || !itemIds.empty() || !vector.empty();
    }
    bool hasTextPart() const { return !text.trimmed().isEmpty(); }
};

struct SearchHit
{
    qint64 id = -1;
    float score = 0;      // final, fused score
    float imageScore = 0; // cosine to the image query; 0 without an image part
    float textScore = 0;  // the text part in [0, 1] (docs/search.md): report words, and with a
                          // vision-language model the rescaled text↔image and text↔report parts
    bool matchedText = false; // the report contains the words
    float wordScore = 0;      // bm25 relative to the best matching report; 0 without a match
    // Cosines of the query text's embedding (the model's text tower) with the item's image and
    // with its report's embedding; absent without a text tower (or without a report).
    std::optional<float> textImageScore;
    std::optional<float> textReportScore;
    ItemRecord item;
    QString report;
};

struct SearchResult
{
    QList<SearchHit> hits;
    qint64 totalMatches = 0; // candidates that passed filters and threshold (before paging)
    QString fusion;          // the rule used, in words, for display
    bool exact = true;       // false when an approximate index produced the image part
    QStringList warnings;    // e.g. "no report matched all words; showing reports matching any"
    bool anyWordFallback = false; // that warning, as a flag for interfaces that word it themselves
};

} // namespace lookalike
