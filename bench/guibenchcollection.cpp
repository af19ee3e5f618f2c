#include "guibenchcollection.h"

#include "collection/collection.h"
#include "collection/collectionwriter.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QImage>
#include <QLinearGradient>
#include <QPainter>
#include <QRandomGenerator>

#include <algorithm>
#include <cstdio>

namespace lookalike::bench {

QByteArray makeThumbnail(quint32 seed)
{
    QRandomGenerator rng(seed);
    QImage image(256, 192, QImage::Format_RGB32);
    QPainter p(&image);
    QLinearGradient g(0, 0, 256, 192);
    g.setColorAt(0, QColor::fromHsv(int(rng.bounded(360)), 120, 220));
    g.setColorAt(1, QColor::fromHsv(int(rng.bounded(360)), 200, 90));
    p.fillRect(image.rect(), g);
    for (int i = 0; i < 12; ++i) {
        p.setBrush(QColor::fromHsv(int(rng.bounded(360)), int(rng.bounded(256)), int(rng.bounded(256))));
        p.setPen(Qt::NoPen);
        p.drawEllipse(QPointF(rng.bounded(256), rng.bounded(192)), 5 + rng.bounded(40), 5 + rng.bounded(40));
    }
    p.end();
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "JPEG", 82);
    return out;
}

bool buildBenchCollection(const QString &dir, int items, const BenchCollectionSpec &spec)
{
    if (Collection::isCollection(dir)) {
        auto c = Collection::open(dir);
        if (c && *(*c)->itemCount() == items && (*c)->embedderId() == spec.embedderId)
            return true;
        std::fprintf(stderr, "%s exists with another size or model; delete it first\n", qPrintable(dir));
        return false;
    }
    CollectionOptions o;
    o.embedderId = spec.embedderId;
    o.dimension = spec.dimension;
    auto c = Collection::create(dir, o);
    if (!c)
        return false;
    std::vector<QByteArray> thumbs;
    for (int i = 0; i < spec.distinct; ++i)
        thumbs.push_back(makeThumbnail(quint32(i)));
    auto w = (*c)->openWriter();
    QElapsedTimer t;
    t.start();
    constexpr int kBatch = 2000;
    for (int first = 0; first < items; first += kBatch) {
        std::vector<NewItem> batch;
        for (int i = first; i < std::min(items, first + kBatch); ++i) {
            NewItem n;
            n.record.uri = QStringLiteral("/bench/photos/%1/IMG_%2.jpg")
                               .arg(i / 1000, 3, 10, QLatin1Char('0'))
                               .arg(i, 6, 10, QLatin1Char('0'));
            n.record.filename = QStringLiteral("IMG_%1.jpg").arg(i, 6, 10, QLatin1Char('0'));
            n.record.width = 4000;
            n.record.height = 3000;
            n.record.format = QStringLiteral("jpeg");
            n.thumbnailJpeg = thumbs[size_t(i % spec.distinct)];
            n.thumbnailWidth = 256;
            n.thumbnailHeight = 192;
            n.spaceName = (*c)->imageSpaceName();
            n.embedding.assign(size_t(spec.dimension), 0.f);
            spec.vector(i, n.thumbnailJpeg, n.embedding);
            if (spec.report)
                n.report = spec.report(i);
            batch.push_back(std::move(n));
        }
        if (auto r = (*w)->writeItems(batch); !r) {
            std::fprintf(stderr, "write failed: %s\n", qPrintable(r.errorMessage()));
            return false;
        }
    }
    w->reset();
    // Builds (trains) and writes the index now, as an ingest leaves it, rather than in the first
    // search after opening.
    if (auto index = (*c)->index((*c)->imageSpaceName()); !index) {
        std::fprintf(stderr, "building the index failed: %s\n", qPrintable(index.errorMessage()));
        return false;
    }
    if (auto saved = (*c)->saveIndexes(); !saved) {
        std::fprintf(stderr, "saving the index failed: %s\n", qPrintable(saved.errorMessage()));
        return false;
    }
    std::printf("built %d items (with the index) in %.1f s\n", items, t.elapsed() / 1000.0);
    return true;
}

double quantile(const std::vector<double> &sorted, double q)
{
    if (sorted.empty())
        return 0;
    return sorted[std::min(sorted.size() - 1, size_t(q * double(sorted.size())))];
}

} // namespace lookalike::bench
