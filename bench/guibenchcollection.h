#pragma once

// What the GUI benchmarks share: a large collection built quickly on disk (real rows, decodable
// JPEG thumbnails cycled over the items, vectors and optional reports as the caller wants them)
// and the quantiles they print.

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace lookalike::bench {

// A 256 × 192 JPEG (gradient and ellipses), different for every seed.
QByteArray makeThumbnail(quint32 seed);

struct BenchCollectionSpec
{
    QString embedderId = QStringLiteral("bench-8d");
    int dimension = 8;
    int distinct = 2000; // different thumbnails, cycled: item i gets thumbnail i % distinct
    // Fills `out` (dimension floats) with item i's vector; `thumbnail` is its JPEG.
    std::function<void(int item, const QByteArray &thumbnail, std::vector<float> &out)> vector;
    // Item i's report, if any.
    std::function<std::optional<QString>(int item)> report;
};

// Builds the collection into `dir` once: a collection already there with `items` items and the
// same model is reused, any other is refused (delete it first). Prints what it did.
bool buildBenchCollection(const QString &dir, int items, const BenchCollectionSpec &spec);

// The q-quantile (0…1) of `sorted` (ascending; nearest rank below); 0 when empty.
double quantile(const std::vector<double> &sorted, double q);

} // namespace lookalike::bench
