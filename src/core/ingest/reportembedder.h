#pragma once

#include "collection/collection.h"

#include <functional>

namespace lookalike {

class Embedder;

struct ReportEmbedResult
{
    qint64 embedded = 0;
    bool cancelled = false;
};

// Embeds report text with the collection's own vision-language model into the
// "text:<model id>" space, so that a text query finds reports by meaning (text↔report) and not
// only by their words. Incremental: only reports without a vector are embedded, and a report
// whose text changes loses its vector in the same transaction (CollectionWriter), so it is
// embedded again on the next run. Reports longer than the model's context (77 tokens for CLIP,
// 64 for SigLIP) are embedded from their beginning, as the model's tokenizer truncates them.
class ReportEmbedder final
{
public:
    static constexpr int kBatchSize = 64;

    static QString spaceName(const Collection &collection);

    // Does nothing for an embedder without a text tower. Each batch is one transaction:
    // cancelling keeps what was written. `progress` gets the running count.
    static Result<ReportEmbedResult> run(Collection &collection, Embedder &embedder,
                                         const std::function<bool()> &stopRequested = {},
                                         const std::function<void(qint64 embedded)> &progress = {});
};

} // namespace lookalike
