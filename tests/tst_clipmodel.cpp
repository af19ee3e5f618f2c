// Parity of the native CLIP network with openai/CLIP (and transformers' CLIPModel) on the
// tiny seeded model in ../shared/testdata/models/clip-tiny (README there).
#include "models/clipmodel.h"
#include "models/preprocessorconfig.h"
#include "models/processorspec.h"
#include "modeltestsupport.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <thread>

using namespace lookalike;
using namespace lookalike::test;

namespace {

// Observed differences to the reference are a few 1e-7 (see the printed figures): float32
// on the same kind of CPU, with the same operations in a slightly different order.
constexpr double kTolerance = 1e-5;
constexpr double kNormalizedTolerance = 1e-6;

ModelLoadOptions cpuOptions(const QString &configFile = QStringLiteral("config.json"))
{
    ModelLoadOptions o;
    o.configFile = configFile;
    o.device = QStringLiteral("cpu"); // the reference is float32 on the CPU
    return o;
}

} // namespace

class TestClipModel final : public QObject
{
    Q_OBJECT

private:
    QString m_folder;
    std::unique_ptr<ClipModel> m_model;
    std::shared_ptr<SafetensorsFile> m_inputs;
    std::shared_ptr<SafetensorsFile> m_expected;
    HostTensor m_imageEmbeds;
    HostTensor m_textEmbeds;
    DebugTensors m_debug;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!testDataDir().isEmpty(), "LOOKALIKE_TESTDATA is not set");
        m_folder = modelsDataDir() + QStringLiteral("/clip-tiny");
        auto model = ClipModel::load(m_folder, cpuOptions());
        QVERIFY2(model.ok(), qPrintable(model.errorMessage()));
        m_model = std::move(*model);
        m_inputs = openTensors(m_folder + QStringLiteral("/inputs.safetensors"));
        m_expected = openTensors(m_folder + QStringLiteral("/expected.safetensors"));

        auto images = m_model->encodeImages(hostTensor(*m_inputs, QStringLiteral("pixel_values")), &m_debug);
        QVERIFY2(images.ok(), qPrintable(images.errorMessage()));
        m_imageEmbeds = *images;
        auto texts = m_model->encodeTexts(tokenBatch(*m_inputs, QStringLiteral("input_ids")), &m_debug);
        QVERIFY2(texts.ok(), qPrintable(texts.errorMessage()));
        m_textEmbeds = *texts;
    }

    void shape()
    {
        QCOMPARE(m_model->family(), QStringLiteral("clip"));
        QCOMPARE(m_model->embeddingDimension(), 48);
        QCOMPARE(m_model->imageSize(), 48);
        QCOMPARE(m_model->maxTextLength(), 77);
        QCOMPARE(m_model->device(), QStringLiteral("cpu"));
        QCOMPARE(m_imageEmbeds.shape, (std::vector<int64_t>{3, 48}));
        QCOMPARE(m_textEmbeds.shape, (std::vector<int64_t>{4, 48}));
    }

    // The checkpoint's logit_scale tensor (3.0), not the config's init value 2.6592.
    void logitScale()
    {
        QVERIFY(std::abs(m_model->logitScale() - std::exp(3.0)) < 1e-5);
        QVERIFY(!m_model->logitBias().has_value());
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
        for (const char *name : {"vision.embeddings_output", "vision.pre_layrnorm_output", "vision.encoder_layer_0_output",
                                 "vision.encoder_layer_1_output", "vision.pooler_output", "text.embeddings_output",
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

    // HF pads with EOS (49407) and passes a mask; pooling at the first EOS and the causal mask
    // make both irrelevant, with and without the mask.
    void hfPadding_data()
    {
        QTest::addColumn<bool>("withMask");
        QTest::newRow("with mask") << true;
        QTest::newRow("without mask") << false;
    }
    void hfPadding()
    {
        QFETCH(bool, withMask);
        const TokenBatch tokens = tokenBatch(*m_inputs, QStringLiteral("input_ids_hf_padding"),
                                             withMask ? QStringLiteral("attention_mask_hf_padding") : QString());
        auto texts = m_model->encodeTexts(tokens);
        QVERIFY2(texts.ok(), qPrintable(texts.errorMessage()));
        LOOKALIKE_COMPARE_TENSOR(*texts, hostTensor(*m_expected, QStringLiteral("text_embeds")), kTolerance,
                                 QStringLiteral("text_embeds (HF padding%1)").arg(withMask ? QStringLiteral(" + mask") : QString()));
    }

    // One image at a time gives the batch's rows.
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
        QTest::newRow("photo") << QStringLiteral("photo_like_512x384.png") << 2;
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

    // save_pretrained's minimal config (defaults left out) must give the same model.
    void minimalConfig()
    {
        auto minimal = ClipModel::load(m_folder, cpuOptions(QStringLiteral("config.minimal.json")));
        QVERIFY2(minimal.ok(), qPrintable(minimal.errorMessage()));
        auto images = (*minimal)->encodeImages(hostTensor(*m_inputs, QStringLiteral("pixel_values")));
        auto texts = (*minimal)->encodeTexts(tokenBatch(*m_inputs, QStringLiteral("input_ids")));
        QVERIFY(images.ok() && texts.ok());
        QCOMPARE(maxAbsDiff(*images, m_imageEmbeds), 0.0);
        QCOMPARE(maxAbsDiff(*texts, m_textEmbeds), 0.0);
        QCOMPARE((*minimal)->logitScale(), m_model->logitScale());
    }

    // The encode functions are const and keep no state: concurrent calls give the same rows.
    void concurrentCalls()
    {
        const HostTensor pixels = hostTensor(*m_inputs, QStringLiteral("pixel_values"));
        const TokenBatch tokens = tokenBatch(*m_inputs, QStringLiteral("input_ids"));
        const auto reference = m_model->encodeImages(pixels);
        QVERIFY(reference.ok());
        std::vector<double> imageDiffs(4, INFINITY), textDiffs(4, INFINITY);
        std::vector<std::thread> threads;
        for (size_t t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int round = 0; round < 5; ++round) {
                    auto images = m_model->encodeImages(pixels);
                    auto texts = m_model->encodeTexts(tokens);
                    imageDiffs[t] = images.ok() ? maxAbsDiff(*images, *reference) : INFINITY;
                    textDiffs[t] = texts.ok() ? maxAbsDiff(*texts, m_textEmbeds) : INFINITY;
                }
            });
        }
        for (auto &thread : threads)
            thread.join();
        for (size_t t = 0; t < 4; ++t) {
            QCOMPARE(imageDiffs[t], 0.0);
            QCOMPARE(textDiffs[t], 0.0);
        }
    }

    // Buffers such as position_ids and tensors of other heads are ignored (with a log line).
    void extraTensorsAreIgnored()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyModelFolder(m_folder, dir.path(), [](QMap<QString, RawTensor> &t) {
            t.insert(QStringLiteral("text_model.embeddings.position_ids"),
                     RawTensor{QStringLiteral("I64"), {1, 77}, QByteArray(77 * 8, '\0')});
            t.insert(QStringLiteral("classifier.weight"), zerosF32({10, 48}));
        }));
        auto model = ClipModel::load(dir.path(), cpuOptions());
        QVERIFY2(model.ok(), qPrintable(model.errorMessage()));
        auto images = (*model)->encodeImages(hostTensor(*m_inputs, QStringLiteral("pixel_values")));
        QVERIFY(images.ok());
        QCOMPARE(maxAbsDiff(*images, m_imageEmbeds), 0.0);
    }

    void wrongShapeNamesTheTensor()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyModelFolder(m_folder, dir.path(), [](QMap<QString, RawTensor> &t) {
            t[QStringLiteral("vision_model.embeddings.patch_embedding.weight")] = zerosF32({64, 3, 7, 7});
        }));
        auto model = ClipModel::load(dir.path(), cpuOptions());
        QVERIFY(!model.ok());
        QCOMPARE(model.errorMessage(),
                 QStringLiteral("model.safetensors: vision_model.embeddings.patch_embedding.weight has shape [64, 3, 7, 7]; "
                                "CLIP with patch_size 8 needs [64, 3, 8, 8]"));
    }

    void missingTensorNamesTheTensor()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyModelFolder(m_folder, dir.path(), [](QMap<QString, RawTensor> &t) {
            t.remove(QStringLiteral("text_model.final_layer_norm.weight"));
        }));
        auto model = ClipModel::load(dir.path(), cpuOptions());
        QVERIFY(!model.ok());
        QVERIFY2(model.errorMessage().contains(QLatin1String("text_model.final_layer_norm.weight")), qPrintable(model.errorMessage()));
        QVERIFY2(model.errorMessage().contains(QLatin1String("lack")), qPrintable(model.errorMessage()));
    }

    void integerWeightIsRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyModelFolder(m_folder, dir.path(), [](QMap<QString, RawTensor> &t) {
            RawTensor &r = t[QStringLiteral("visual_projection.weight")];
            r.dtype = QStringLiteral("I32");
        }));
        auto model = ClipModel::load(dir.path(), cpuOptions());
        QVERIFY(!model.ok());
        QVERIFY2(model.errorMessage().contains(QLatin1String("visual_projection.weight has dtype I32")), qPrintable(model.errorMessage()));
    }

    // Half-precision checkpoints load (converted to float32): the same model rounded to
    // BF16 stays close to the float32 result.
    void bf16Weights()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyModelFolder(m_folder, dir.path(), [](QMap<QString, RawTensor> &tensors) {
            for (RawTensor &r : tensors) {
                QByteArray half(r.data.size() / 2, '\0');
                for (qsizetype i = 0; i < half.size() / 2; ++i) {
                    const quint32 bits = qFromLittleEndian<quint32>(r.data.constData() + 4 * i);
                    const quint32 rounded = bits + 0x7fff + ((bits >> 16) & 1); // round to nearest even
                    qToLittleEndian<quint16>(quint16(rounded >> 16), half.data() + 2 * i);
                }
                r.dtype = QStringLiteral("BF16");
                r.data = half;
            }
        }));
        auto model = ClipModel::load(dir.path(), cpuOptions());
        QVERIFY2(model.ok(), qPrintable(model.errorMessage()));
        auto images = (*model)->encodeImages(hostTensor(*m_inputs, QStringLiteral("pixel_values")));
        QVERIFY2(images.ok(), qPrintable(images.errorMessage()));
        const double diff = maxAbsDiff(images->rowNormalized(), m_imageEmbeds.rowNormalized());
        qInfo("BF16 weights: max |diff| of normalised image embeddings %.3g", diff);
        QVERIFY(diff > 0.0);
        QVERIFY(diff < 0.05);
    }

    void badInputsAreErrors()
    {
        HostTensor wrong{{1, 3, 40, 40}, std::vector<float>(3 * 40 * 40)};
        auto images = m_model->encodeImages(wrong);
        QVERIFY(!images.ok());
        QCOMPARE(images.error().code, Error::Code::InvalidArgument);

        TokenBatch outOfVocabulary{1, 3, {49406, 60000, 49407}, {}};
        QVERIFY(!m_model->encodeTexts(outOfVocabulary).ok());
        TokenBatch tooLong{1, 78, std::vector<int64_t>(78, 1), {}};
        QVERIFY(!m_model->encodeTexts(tooLong).ok());

        auto none = m_model->encodeImages(HostTensor{{0, 3, 48, 48}, {}});
        QVERIFY(none.ok());
        QCOMPARE(none->shape, (std::vector<int64_t>{0, 48}));
    }
};

QTEST_GUILESS_MAIN(TestClipModel)
#include "tst_clipmodel.moc"
