// Parity of the native SigLIP network with transformers' SiglipModel on the tiny seeded model
// in ../shared/testdata/models/siglip-tiny (README there).
#include "models/siglipmodel.h"
#include "models/preprocessorconfig.h"
#include "models/processorspec.h"
#include "modeltestsupport.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lookalike;
using namespace lookalike::test;

namespace {

constexpr double kTolerance = 1e-5;
constexpr double kNormalizedTolerance = 1e-6;

ModelLoadOptions cpuOptions(const QString &configFile = QStringLiteral("config.json"))
{
    ModelLoadOptions o;
    o.configFile = configFile;
    o.device = QStringLiteral("cpu");
    return o;
}

} // namespace

class TestSiglipModel final : public QObject
{
    Q_OBJECT

private:
    QString m_folder;
    std::unique_ptr<SiglipModel> m_model;
    std::shared_ptr<SafetensorsFile> m_inputs;
    std::shared_ptr<SafetensorsFile> m_expected;
    HostTensor m_imageEmbeds;
    HostTensor m_textEmbeds;
    DebugTensors m_debug;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!testDataDir().isEmpty(), "LOOKALIKE_TESTDATA is not set");
        m_folder = modelsDataDir() + QStringLiteral("/siglip-tiny");
        auto model = SiglipModel::load(m_folder, cpuOptions());
        QVERIFY2(model.ok(), qPrintable(model.errorMessage()));
        m_model = std::move(*model);
        m_inputs = openTensors(m_folder + QStringLiteral("/inputs.safetensors"));
        m_expected = openTensors(m_folder + QStringLiteral("/expected.safetensors"));

        auto images = m_model->encodeImages(hostTensor(*m_inputs, QStringLiteral("pixel_values")), &m_debug);
        QVERIFY2(images.ok(), qPrintable(images.errorMessage()));
        m_imageEmbeds = *images;
        // As SigLIP is used: padded to 64 with the pad id, no attention mask.
        auto texts = m_model->encodeTexts(tokenBatch(*m_inputs, QStringLiteral("input_ids")), &m_debug);
        QVERIFY2(texts.ok(), qPrintable(texts.errorMessage()));
        m_textEmbeds = *texts;
    }

    void shape()
    {
        QCOMPARE(m_model->family(), QStringLiteral("siglip"));
        QCOMPARE(m_model->embeddingDimension(), 64);
        QCOMPARE(m_model->imageSize(), 48);
        QCOMPARE(m_model->maxTextLength(), 64);
        QCOMPARE(m_imageEmbeds.shape, (std::vector<int64_t>{3, 64}));
        QCOMPARE(m_textEmbeds.shape, (std::vector<int64_t>{4, 64}));
    }

    void logitScaleAndBias()
    {
        QVERIFY(std::abs(m_model->logitScale() - std::exp(2.5)) < 1e-5);
        QVERIFY(m_model->logitBias().has_value());
        QCOMPARE(*m_model->logitBias(), -3.0);
    }

    void embeddings_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("image_embeds") << QStringLiteral("image_embeds");
        QTest::newRow("text_embeds") << QStringLiteral("text_embeds");
    }
    void embeddings()
    {
        QFETCH(QString, name);
        const HostTensor &actual = name.startsWith(QLatin1String("image")) ? m_imageEmbeds : m_textEmbeds;
        LOOKALIKE_COMPARE_TENSOR(actual, hostTensor(*m_expected, name), kTolerance, name);
        LOOKALIKE_COMPARE_TENSOR(actual.rowNormalized(), hostTensor(*m_expected, name + QStringLiteral("_normalized")),
                                 kNormalizedTolerance, name + QStringLiteral("_normalized"));
    }

    // Sigmoid-loss logits: exp(logit_scale)·cos + logit_bias.
    void logits()
    {
        const HostTensor logits = m_model->logitsPerImage(m_imageEmbeds.rowNormalized(), m_textEmbeds.rowNormalized());
        LOOKALIKE_COMPARE_TENSOR(logits, hostTensor(*m_expected, QStringLiteral("logits_per_image")), kTolerance,
                                 QStringLiteral("logits_per_image"));
        LOOKALIKE_COMPARE_TENSOR(transposed2d(logits), hostTensor(*m_expected, QStringLiteral("logits_per_text")),
                                 kTolerance, QStringLiteral("logits_per_text"));
    }

    void debugTensors_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *name : {"vision.embeddings_output", "vision.encoder_layer_0_output", "vision.encoder_layer_1_output",
                                 "vision.last_hidden_state", "vision.pooler_output", "text.embeddings_output",
                                 "text.encoder_layer_0_output", "text.encoder_layer_1_output", "text.last_hidden_state",
                                 "text.pooler_output"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }
    void debugTensors()
    {
        QFETCH(QString, name);
        QVERIFY2(m_debug.contains(name), qPrintable(name));
        LOOKALIKE_COMPARE_TENSOR(m_debug.value(name), hostTensor(*m_expected, QStringLiteral("debug.") + name), kTolerance,
                                 QStringLiteral("debug.") + name);
    }

    // HF applies an attention mask when one is passed, and SigLIP was not trained with one:
    // the result differs a lot (README: up to 1.76), so the embedder must never pass it.
    void attentionMaskChangesTheResult()
    {
        auto masked = m_model->encodeTexts(
            tokenBatch(*m_inputs, QStringLiteral("input_ids"), QStringLiteral("attention_mask")));
        QVERIFY2(masked.ok(), qPrintable(masked.errorMessage()));
        LOOKALIKE_COMPARE_TENSOR(*masked, hostTensor(*m_expected, QStringLiteral("text_embeds_with_attention_mask")),
                                 kTolerance, QStringLiteral("text_embeds_with_attention_mask"));
        const HostTensor logits = m_model->logitsPerImage(m_imageEmbeds.rowNormalized(), masked->rowNormalized());
        LOOKALIKE_COMPARE_TENSOR(logits, hostTensor(*m_expected, QStringLiteral("logits_per_image_with_attention_mask")),
                                 kTolerance, QStringLiteral("logits_per_image_with_attention_mask"));
        const double difference = maxAbsDiff(*masked, m_textEmbeds);
        qInfo("with vs without attention mask: max |diff| %.3g", difference);
        QVERIFY(difference > 0.5);
    }

    void batchIndependence()
    {
        const HostTensor pixels = hostTensor(*m_inputs, QStringLiteral("pixel_values"));
        for (int64_t i = 0; i < 3; ++i) {
            auto one = m_model->encodeImages(rows(pixels, i, 1));
            QVERIFY2(one.ok(), qPrintable(one.errorMessage()));
            LOOKALIKE_COMPARE_TENSOR(*one, rows(m_imageEmbeds, i, 1), kTolerance, QStringLiteral("image %1 alone vs in the batch").arg(i));
        }
    }

    // Image file → the folder's preprocessor_config.json → network: pixel_values [1] and [2]
    // of the reference inputs were made from these files (without the tokenizer, which
    // tst_visionlanguageembedder covers).
    void imageFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("row");
        QTest::newRow("gradient") << QStringLiteral("gradient_shapes_300x180.png") << 1;
        QTest::newRow("alpha") << QStringLiteral("alpha_rgba_150x254.png") << 2;
    }
    void imageFiles()
    {
        QFETCH(QString, file);
        QFETCH(int, row);
        auto config = PreprocessorConfig::fromFile(m_folder + QStringLiteral("/preprocessor_config.json"));
        QVERIFY2(config.ok(), qPrintable(config.errorMessage()));
        auto preprocessor = ImagePreprocessor::create(processorSpec(*config));
        QVERIFY2(preprocessor.ok(), qPrintable(preprocessor.errorMessage()));
        // As the pipeline hands images over: 8-bit RGB (PNG alpha dropped, as img.convert("RGB")).
        const QImage image = QImage(modelsDataDir() + QStringLiteral("/preprocess/") + file).convertToFormat(QImage::Format_RGB888);
        QVERIFY(!image.isNull());
        auto values = preprocessor->process(image);
        QVERIFY2(values.ok(), qPrintable(values.errorMessage()));
        const HostTensor pixels{{1, 3, 48, 48}, *values};
        LOOKALIKE_COMPARE_TENSOR(pixels, rows(hostTensor(*m_inputs, QStringLiteral("pixel_values")), row, 1), 1e-6,
                                 file + QStringLiteral(" → pixel_values"));
        auto embeds = m_model->encodeImages(pixels);
        QVERIFY2(embeds.ok(), qPrintable(embeds.errorMessage()));
        LOOKALIKE_COMPARE_TENSOR(embeds->rowNormalized(), rows(hostTensor(*m_expected, QStringLiteral("image_embeds_normalized")), row, 1),
                                 kNormalizedTolerance, file + QStringLiteral(" → image_embeds_normalized"));
    }

    void minimalConfig()
    {
        auto minimal = SiglipModel::load(m_folder, cpuOptions(QStringLiteral("config.minimal.json")));
        QVERIFY2(minimal.ok(), qPrintable(minimal.errorMessage()));
        auto images = (*minimal)->encodeImages(hostTensor(*m_inputs, QStringLiteral("pixel_values")));
        auto texts = (*minimal)->encodeTexts(tokenBatch(*m_inputs, QStringLiteral("input_ids")));
        QVERIFY(images.ok() && texts.ok());
        QCOMPARE(maxAbsDiff(*images, m_imageEmbeds), 0.0);
        QCOMPARE(maxAbsDiff(*texts, m_textEmbeds), 0.0);
    }

    void wrongShapeNamesTheTensor()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyModelFolder(m_folder, dir.path(), [](QMap<QString, RawTensor> &t) {
            t[QStringLiteral("vision_model.head.attention.in_proj_weight")] = zerosF32({64, 64});
        }));
        auto model = SiglipModel::load(dir.path(), cpuOptions());
        QVERIFY(!model.ok());
        QCOMPARE(model.errorMessage(),
                 QStringLiteral("model.safetensors: vision_model.head.attention.in_proj_weight has shape [64, 64]; "
                                "SigLIP with vision hidden_size 64 needs [192, 64]"));
    }

    void missingTensorNamesTheTensor()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyModelFolder(m_folder, dir.path(), [](QMap<QString, RawTensor> &t) {
            t.remove(QStringLiteral("logit_bias"));
        }));
        auto model = SiglipModel::load(dir.path(), cpuOptions());
        QVERIFY(!model.ok());
        QVERIFY2(model.errorMessage().contains(QLatin1String("logit_bias")), qPrintable(model.errorMessage()));
    }

    // A CLIP checkpoint is not a SigLIP one: the first mismatch is named.
    void clipWeightsAreRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyModelFolder(m_folder, dir.path(), [](QMap<QString, RawTensor> &t) {
            t.remove(QStringLiteral("vision_model.embeddings.patch_embedding.bias"));
            t.insert(QStringLiteral("vision_model.embeddings.class_embedding"), zerosF32({64}));
        }));
        auto model = SiglipModel::load(dir.path(), cpuOptions());
        QVERIFY(!model.ok());
        QVERIFY2(model.errorMessage().contains(QLatin1String("vision_model.embeddings.patch_embedding.bias")),
                 qPrintable(model.errorMessage()));
    }
};

QTEST_GUILESS_MAIN(TestSiglipModel)
#include "tst_siglipmodel.moc"
