#include "embeddingimporter.h"

#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "util/logging.h"
#include "util/npyfile.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace lookalike {

EmbeddingImporter::EmbeddingImporter(Collection &collection) : m_collection(collection) {}

Result<EmbeddingImportResult> EmbeddingImporter::importNpy(const QString &npyPath, const QString &csvPath,
                                                           const EmbeddingImportOptions &options)
{
    if (options.modality != u"image" && options.modality != u"text") {
        return makeError(Error::Code::InvalidArgument,
                         QStringLiteral("modality \"%1\" is not \"image\" or \"text\"").arg(options.modality));
    }
    const QString modelId = options.modelId.trimmed();
    const bool badChar = std::any_of(modelId.cbegin(), modelId.cend(), [](QChar c) { return c.isSpace() || c.category() == QChar::Other_Control; });
    if (modelId.isEmpty() || badChar || modelId.size() > 200) {
        return makeError(Error::Code::InvalidArgument,
                         QStringLiteral("model id \"%1\" is not usable: name the model without spaces, e.g. medsiglip-448").arg(options.modelId));
    }
    const QString spaceName = Collection::spaceName(options.modality, modelId);
    if (spaceName == m_collection.imageSpaceName()) {
        return makeError(Error::Code::InvalidArgument,
                         QStringLiteral("space %1 holds the vectors of the collection's own embedder; import under another model id")
                             .arg(spaceName));
    }

    // Everything that can be checked before writing is checked first.
    auto npy = NpyFile::open(npyPath);
    if (!npy)
        return npy.error();
    auto matches = ReportImporter(m_collection).matchRows(csvPath, options.match);
    if (!matches)
        return matches.error();
    const qint64 n = npy->rows();
    const int d = npy->columns();
    if (n != qint64(matches->itemIds.size())) {
        return makeError(Error::Code::InvalidArgument,
                         QStringLiteral("%1 holds %2 vectors but %3 has %4 data rows; vector i must belong to data row i "
                                        "of the CSV. Nothing was imported.")
                             .arg(npyPath)
                             .arg(n)
                             .arg(csvPath)
                             .arg(matches->itemIds.size()));
    }
    auto existing = m_collection.space(spaceName);
    if (!existing)
        return existing.error();
    if (*existing) {
        if ((*existing)->dimension != d) {
            return makeError(Error::Code::InvalidArgument,
                             QStringLiteral("space %1 holds %2-dimensional vectors, %3 has %4; import under another model id. "
                                            "Nothing was imported.")
                                 .arg(spaceName)
                                 .arg((*existing)->dimension)
                                 .arg(npyPath)
                                 .arg(d));
        }
        if ((*existing)->source.isEmpty()) {
            return makeError(Error::Code::InvalidArgument,
                             QStringLiteral("space %1 holds vectors computed by this application; imported vectors go into a "
                                            "space of their own (another model id)")
                                 .arg(spaceName));
        }
    }

    EmbeddingImportResult result;
    result.spaceName = spaceName;
    result.dimension = d;
    result.sourceDtype = npy->header().descr;
    result.rows = n;
    result.errors = matches->errors;
    if (npy->header().itemSize != 4)
        result.warnings.append(QStringLiteral("%1 holds %2 values; converted to float32").arg(npyPath, result.sourceDtype));

    auto writer = m_collection.openWriter();
    if (!writer)
        return writer.error();
    auto space = (*writer)->ensureSpace(options.modality, modelId, d, QFileInfo(npyPath).absoluteFilePath());
    if (!space)
        return space.error();

    const qint64 batch = std::clamp<qint64>(options.batchRows, 1, std::max<qint64>(1, (qint64(64) << 20) / (4 * d)));
    std::vector<float> buffer;
    std::vector<qint64> ids;
    std::vector<float> vectors;
    for (qint64 first = 0; first < n; first += batch) {
        const qint64 count = std::min(batch, n - first);
        buffer.resize(size_t(count * d));
        if (auto r = npy->readRows(first, count, buffer); !r)
            return r.error();
        ids.clear();
        vectors.clear();
        for (qint64 r = 0; r < count; ++r) {
            const size_t row = size_t(first + r);
            const qint64 id = matches->itemIds[row];
            if (id < 0) {
                ++result.skippedUnmatched;
                continue;
            }
            const float *v = buffer.data() + r * d;
            double sq = 0;
            bool finite = true;
            for (int j = 0; j < d; ++j) {
                finite = finite && std::isfinite(v[j]);
                sq += double(v[j]) * double(v[j]);
            }
            const qint64 line = matches->lines[row];
            if (!finite || !(sq > 0)) {
                ++result.rejected;
                result.errors.append({line, QStringLiteral("line %1: vector %2 %3; not imported")
                                                .arg(line)
                                                .arg(row)
                                                .arg(finite ? QStringLiteral("is all zeros") : QStringLiteral("holds NaN or infinite values"))});
                continue;
            }
            const double norm = std::sqrt(sq);
            if (std::abs(norm - 1.0) > options.unitTolerance)
                ++result.notUnit;
            ids.push_back(id);
            for (int j = 0; j < d; ++j)
                vectors.push_back(float(double(v[j]) / norm));
        }
        if (!ids.empty()) {
            if (auto r = (*writer)->writeEmbeddings(spaceName, ids, vectors); !r)
                return r.error();
            result.imported += qint64(ids.size());
        }
    }

    if (result.notUnit > 0) {
        result.warnings.append(QStringLiteral("%1 of %2 vectors were not of unit length (|norm - 1| > %3); they were stored normalised")
                                   .arg(result.notUnit)
                                   .arg(result.imported)
                                   .arg(options.unitTolerance));
    }
    if (result.imported == 0)
        result.warnings.append(QStringLiteral("no vector was imported (see the row errors and unmatched rows)"));
    qCInfo(lcImport).noquote() << QStringLiteral("%1 → %2: %3 of %4 vectors imported (%5 unmatched rows, %6 rejected, %7 renormalised)")
                                      .arg(npyPath, spaceName)
                                      .arg(result.imported)
                                      .arg(n)
                                      .arg(result.skippedUnmatched)
                                      .arg(result.rejected)
                                      .arg(result.notUnit);
    return result;
}

} // namespace lookalike
