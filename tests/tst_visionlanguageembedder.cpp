// End to end through the Embedder interface: PNG files and text strings → the model folder's
// own preprocessing and tokenizer → network → normalised rows, against the reference
// embeddings of ../shared/testdata/models/{clip,siglip}-tiny; and the factory's model ids.
#include "embed/embedderfactory.h"
#include "models/modelregistry.h"
#include "models/visionlanguageembedder.h"
#include "modeltestsupport.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lookalike;
using namespace lookalike::test;

namespace {

// Preprocessing is Pillow-exact and tokenisation exact, so only the network's float32
// rounding remains (a few 1e-7 on normalised rows).
constexpr double kNormalizedTolerance = 1e-6;
constexpr double kLogitTolerance = 1e-5;

QStringList referenceTexts(const QString &folder)
{
    QFile f(folder + QStringLiteral("/expected_summary.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    QStringList texts;
    for (const QJsonValue &v : QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("texts")).toArray())
        texts.append(v.toString());
    return texts;
}

// As the ingest pipeline hands images over: 8-bit RGB. PNG alpha is dropped, which is what
// the reference's img.convert("RGB") does.
QImage rgbImage(const QString &name)
{
    QImage image(modelsDataDir() + QStringLiteral("/preprocess/") + name);
    if (image.isNull())
        qFatal("cannot read %s", qPrintable(name));
    return image.convertToFormat(QImage::Format_RGB888);
}

HostTensor asTensor(const std::vector<float> &values, int64_t rows)
{
    return HostTensor{{rows, int64_t(values.size()) / std::max<int64_t>(rows, 1)}, values};
}

std::unique_ptr<VisionLanguageEmbedder> loadEmbedder(const QString &folder)
{
    ModelLoadOptions options;
    options.device = QStringLiteral("cpu");
    auto e = VisionLanguageEmbedder::load(folder, options);
    if (!e)
        qFatal("%s", qPrintable(e.errorMessage()));
    return std::move(*e);
}

} // namespace

class TestVisionLanguageEmbedder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!testDataDir().isEmpty(), "LOOKALIKE_TESTDATA is not set");
        qputenv("LOOKALIKE_MODELS_DIR", modelsDataDir().toUtf8());
        ModelRegistry::registerProviders();
    }

    void endToEnd_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("expectedId");
        QTest::addColumn<int>("dimension");
        QTest::addColumn<QString>("image1");
        QTest::addColumn<QString>("image2");
        // pixel_values [1] and [2] of each model's inputs come from these files.
        QTest::newRow("clip") << QStringLiteral("clip-tiny") << QStringLiteral("clip:clip-tiny") << 48
                              << QStringLiteral("gradient_shapes_300x180.png") << QStringLiteral("photo_like_512x384.png");
        QTest::newRow("siglip") << QStringLiteral("siglip-tiny") << QStringLiteral("siglip:siglip-tiny") << 64
                                << QStringLiteral("gradient_shapes_300x180.png") << QStringLiteral("alpha_rgba_150x254.png");
    }
    void endToEnd()
    {
        QFETCH(QString, model);
        QFETCH(QString, expectedId);
        QFETCH(int, dimension);
        QFETCH(QString, image1);
        QFETCH(QString, image2);
        const QString folder = modelsDataDir() + QLatin1Char('/') + model;
        const auto embedder = loadEmbedder(folder);
        QCOMPARE(embedder->id(), expectedId);
        QCOMPARE(embedder->dimension(), dimension);
        QCOMPARE(embedder->preferredInputSide(), 48);
        QVERIFY(embedder->hasTextTower());
        QVERIFY(embedder->preferredBatchSize() > 1);

        const auto expected = openTensors(folder + QStringLiteral("/expected.safetensors"));

        const QStringList texts = referenceTexts(folder);
        QCOMPARE(texts.size(), 4);
        const std::vector<QString> textList(texts.begin(), texts.end());
        auto textEmbeds = embedder->embedTexts(textList);
        QVERIFY2(textEmbeds.ok(), qPrintable(textEmbeds.errorMessage()));
        const HostTensor textRows = asTensor(*textEmbeds, 4);
        LOOKALIKE_COMPARE_TENSOR(textRows, hostTensor(*expected, QStringLiteral("text_embeds_normalized")),
                                 kNormalizedTolerance, model + QStringLiteral(" texts → text_embeds_normalized"));

        const std::vector<QImage> images{rgbImage(image1), rgbImage(image2)};
        auto imageEmbeds = embedder->embedImages(images);
        QVERIFY2(imageEmbeds.ok(), qPrintable(imageEmbeds.errorMessage()));
        const HostTensor imageRows = asTensor(*imageEmbeds, 2);
        LOOKALIKE_COMPARE_TENSOR(imageRows, rows(hostTensor(*expected, QStringLiteral("image_embeds_normalized")), 1, 2),
                                 kNormalizedTolerance, model + QStringLiteral(" PNGs → image_embeds_normalized[1:3]"));

        // Calibrated scores from the embedder's scale (and bias) match the reference logits.
        const HostTensor logits = embedder->model().logitsPerImage(imageRows, textRows);
        LOOKALIKE_COMPARE_TENSOR(logits, rows(hostTensor(*expected, QStringLiteral("logits_per_image")), 1, 2),
                                 kLogitTolerance, model + QStringLiteral(" logits_per_image[1:3]"));
        QCOMPARE(embedder->logitBias().has_value(), model.startsWith(QLatin1String("siglip")));

        // Batches larger than preferredBatchSize() are split; every row stays normalised.
        std::vector<QImage> many(size_t(embedder->preferredBatchSize()) + 3, images[0]);
        auto manyEmbeds = embedder->embedImages(many);
        QVERIFY2(manyEmbeds.ok(), qPrintable(manyEmbeds.errorMessage()));
        QCOMPARE(manyEmbeds->size(), many.size() * size_t(dimension));
        const HostTensor last = rows(asTensor(*manyEmbeds, int64_t(many.size())), int64_t(many.size()) - 1, 1);
        QVERIFY(maxAbsDiff(last, rows(imageRows, 0, 1)) <= 1e-5);

        auto none = embedder->embedImages({});
        QVERIFY(none.ok());
        QVERIFY(none->empty());
    }

    void factoryResolvesModelIds()
    {
        auto clip = EmbedderFactory::create(QStringLiteral("clip:clip-tiny"));
        QVERIFY2(clip.ok(), qPrintable(clip.errorMessage()));
        QCOMPARE((*clip)->id(), QStringLiteral("clip:clip-tiny"));

        auto byName = EmbedderFactory::create(QStringLiteral("siglip-tiny"));
        QVERIFY2(byName.ok(), qPrintable(byName.errorMessage()));
        QCOMPARE((*byName)->id(), QStringLiteral("siglip:siglip-tiny"));

        auto byPath = EmbedderFactory::create(modelsDataDir() + QStringLiteral("/siglip-tiny"));
        QVERIFY2(byPath.ok(), qPrintable(byPath.errorMessage()));
        QCOMPARE((*byPath)->id(), QStringLiteral("siglip:siglip-tiny"));

        auto wrongFamily = EmbedderFactory::create(QStringLiteral("siglip:clip-tiny"));
        QVERIFY(!wrongFamily.ok());
        QCOMPARE(wrongFamily.error().code, Error::Code::InvalidArgument);

        auto missing = EmbedderFactory::create(QStringLiteral("clip:no-such-model"));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, Error::Code::NotFound);

        auto escape = EmbedderFactory::create(QStringLiteral("clip:../models/clip-tiny"));
        QVERIFY(!escape.ok());

        // The built-in embedder and unknown ids behave as before.
        auto classic = EmbedderFactory::create(EmbedderFactory::defaultId());
        QVERIFY(classic.ok());
        QCOMPARE((*classic)->id(), EmbedderFactory::defaultId());
        auto unknown = EmbedderFactory::create(QStringLiteral("no-such-embedder"));
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, Error::Code::Unsupported);
    }

    void installedIds()
    {
        const QStringList ids = ModelRegistry::installedIds();
        QVERIFY2(ids.contains(QStringLiteral("clip:clip-tiny")), qPrintable(ids.join(QLatin1Char(','))));
        QVERIFY2(ids.contains(QStringLiteral("siglip:siglip-tiny")), qPrintable(ids.join(QLatin1Char(','))));
    }

    // A folder whose processor makes images the vision tower cannot take is refused at load.
    void processorSizeMustMatchTheTower()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString source = modelsDataDir() + QStringLiteral("/siglip-tiny");
        QVERIFY(copyModelFolder(source, dir.path(), [](QMap<QString, RawTensor> &) {}));
        QFile config(dir.path() + QStringLiteral("/preprocessor_config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QJsonObject json = QJsonDocument::fromJson(config.readAll()).object();
        config.close();
        json.insert(QStringLiteral("size"), QJsonObject{{QStringLiteral("height"), 64}, {QStringLiteral("width"), 64}});
        QVERIFY(config.remove());
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QJsonDocument(json).toJson());
        config.close();
        ModelLoadOptions options;
        options.device = QStringLiteral("cpu");
        auto e = VisionLanguageEmbedder::load(dir.path(), options);
        QVERIFY(!e.ok());
        QVERIFY2(e.errorMessage().contains(QStringLiteral("64×64")), qPrintable(e.errorMessage()));
    }
};

QTEST_GUILESS_MAIN(TestVisionLanguageEmbedder)
#include "tst_visionlanguageembedder.moc"
