#include "reportembedder.h"

#include "collection/collectionwriter.h"
#include "embed/embedder.h"
#include "util/logging.h"

#include <vector>

namespace lookalike {

QString ReportEmbedder::spaceName(const Collection &collection)
{
    return Collection::spaceName(QStringLiteral("text"), collection.embedderId());
}

Result<ReportEmbedResult> ReportEmbedder::run(Collection &collection, Embedder &embedder,
                                              const std::function<bool()> &stopRequested,
                                              const std::function<void(qint64)> &progress)
{
    ReportEmbedResult result;
    if (!embedder.hasTextTower())
        return result;
    const Embedder::WorkingMemoryScope releaseAtEnd(embedder);
    if (embedder.id() != collection.embedderId())
        return Error(QStringLiteral("reports of a %1 collection cannot be embedded with %2")
                         .arg(collection.embedderId(), embedder.id()),
                     Error::Code::InvalidArgument);
    auto writer = collection.openWriter();
    if (!writer)
        return writer.error();
    auto space = (*writer)->ensureSpace(QStringLiteral("text"), embedder.id(), embedder.dimension());
    if (!space)
        return space.error();

    qint64 after = 0;
    for (;;) {
        if (stopRequested && stopRequested()) {
            result.cancelled = true;
            break;
        }
        auto batch = collection.reportsWithoutVector(space->name, after, kBatchSize);
        if (!batch)
            return batch.error();
        if (batch->isEmpty())
            break;
        after = batch->constLast().first;
        std::vector<qint64> ids;
        std::vector<QString> texts;
        for (const auto &[id, text] : std::as_const(*batch)) {
            // An empty report says nothing; its vector would sit near every short query.
            if (text.trimmed().isEmpty())
                continue;
            ids.push_back(id);
            texts.push_back(text);
        }
        if (ids.empty())
            continue;
        auto vectors = embedder.embedTexts(texts);
        if (!vectors)
            return vectors.error();
        if (auto written = (*writer)->writeEmbeddings(space->name, ids, *vectors); !written)
            return written.error();
        result.embedded += qint64(ids.size());
        if (progress)
            progress(result.embedded);
    }
    if (result.embedded > 0) {
        if (auto saved = collection.saveIndexes(); !saved)
            qCWarning(lcIngest) << "could not save the report index (it will be rebuilt at next open):" << saved.errorMessage();
        qCInfo(lcIngest) << "embedded" << result.embedded << "reports into" << space->name;
    }
    return result;
}

} // namespace lookalike
