// The REST API's request handling behind the HTTP layer, against a real collection: the first
// byte picks the endpoint, the rest is what a client sent.
//   0: POST /api/{c}/search body: JSON fields, base64 example images (decoded and embedded),
//      item ids, filters, paging, threshold, and the search itself;
//   1: GET /api/{c}/items query string: offset, limit, vectors;
//   2: POST /api/{c}/items body, parsed only: an add would download its URLs, and a fuzzer
//      must never reach the network.
// Every answer must be a well-formed one: a status the API uses and a JSON body.
#include "fuzzsupport.h"

#include "addrequest.h"
#include "collection/collection.h"
#include "collectionapi.h"
#include "embed/classicembedder.h"
#include "ingest/ingestjob.h"

#include <QDir>
#include <QImage>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace lookalike;
using namespace lookalike::server;

namespace {

ApiLimits limits()
{
    ApiLimits l;
    l.maxImageBytes = 1 << 20; // a fuzzer's memory is smaller than a server's
    l.maxPage = 50;
    return l;
}

CollectionApi *api()
{
    static CollectionApi *instance = [] {
        fuzz::initialise();
        static QTemporaryDir dir; // removed at exit
        const QString images = dir.filePath(QStringLiteral("images"));
        QDir().mkpath(images);
        for (int i = 0; i < 12; ++i) {
            QImage img(48, 32, QImage::Format_RGB888);
            img.fill(QColor::fromHsv(i * 30, 200, 100 + i * 10));
            img.save(QDir(images).filePath(QStringLiteral("%1.png").arg(i)));
        }
        auto embedder = std::make_shared<ClassicEmbedder>();
        CollectionOptions options;
        options.embedderId = embedder->id();
        options.dimension = embedder->dimension();
        auto c = Collection::create(dir.filePath(QStringLiteral("c")), options);
        if (!c)
            qFatal("cannot create the collection: %s", qPrintable(c.errorMessage()));
        IngestParams params;
        params.inputs = {images};
        if (auto r = IngestJob(**c, *embedder, params).run(); !r || r->added != 12)
            qFatal("cannot fill the collection");
        CollectionApi::Setup setup;
        setup.name = QStringLiteral("c");
        setup.collection = std::move(*c);
        setup.embedder = embedder;
        static std::atomic<bool> stopping{false};
        return new CollectionApi(std::move(setup), limits(), UrlFetchOptions{}, &stopping);
    }();
    return instance;
}

void expectWellFormed(const ApiResponse &r)
{
    if (r.status < 200 || r.status > 503 || QJsonDocument::fromJson(r.body).isNull())
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    api();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray rest = fuzz::bytesOf(data + 1, size - 1);
    switch (data[0] % 3) {
    case 0: expectWellFormed(api()->search(rest)); break;
    case 1: expectWellFormed(api()->items(QUrlQuery(QString::fromUtf8(rest)))); break;
    default: {
        auto parsed = AddRequest::parse(rest, limits());
        if (parsed && parsed->count() == 0)
            std::abort(); // an add of nothing must be refused, not accepted
        break;
    }
    }
    return 0;
}
