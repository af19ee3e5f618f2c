#include "models/hfconfig.h"
#include "models/preprocessorconfig.h"
#include "testsupport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace lookalike;

namespace {

QString modelsDir()
{
    return lookalike::test::testDataDir() + QStringLiteral("/models");
}

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestHfConfig final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void clipTiny();
    void siglipTiny();
    void clipDefaults();
    void siglipDefaults();
    void legacyClipConfigDict();
    void invalidValues_data();
    void invalidValues();
    void modelTypes_data();
    void modelTypes();
    void fileErrors();

    void preprocessorClipTiny();
    void preprocessorSiglipTiny();
    void preprocessorDefaultsAndForms();
    void preprocessorInvalid_data();
    void preprocessorInvalid();
};

void TestHfConfig::initTestCase()
{
    QVERIFY2(!lookalike::test::testDataDir().isEmpty(), "the shared test data folder is missing (LOOKALIKE_TESTDATA)");
    QVERIFY2(QFileInfo(modelsDir() + QStringLiteral("/clip-tiny/config.json")).isFile(),
             qPrintable(QStringLiteral("no clip-tiny config under %1").arg(modelsDir())));
}

void TestHfConfig::clipTiny()
{
    auto full = ClipConfig::fromFile(modelsDir() + QStringLiteral("/clip-tiny/config.json"));
    QVERIFY2(full.ok(), qPrintable(full.errorMessage()));
    auto minimal = ClipConfig::fromFile(modelsDir() + QStringLiteral("/clip-tiny/config.minimal.json"));
    QVERIFY2(minimal.ok(), qPrintable(minimal.errorMessage()));

    // The values from the README table, then every field of both files compared.
    const ClipConfig &c = *full;
    QCOMPARE(c.projectionDim, 48);
    QCOMPARE(c.logitScaleInitValue, 2.6592);
    QCOMPARE(c.text.vocabSize, 49408);
    QCOMPARE(c.text.hiddenSize, 32);
    QCOMPARE(c.text.intermediateSize, 128);
    QCOMPARE(c.text.projectionDim, 48);
    QCOMPARE(c.text.numHiddenLayers, 2);
    QCOMPARE(c.text.numAttentionHeads, 4);
    QCOMPARE(c.text.headDim(), 8);
    QCOMPARE(c.text.maxPositionEmbeddings, 77);
    QCOMPARE(c.text.hiddenAct, HiddenAct::QuickGelu);
    QCOMPARE(c.text.layerNormEps, 1e-5);
    QCOMPARE(c.text.padTokenId, 1);
    QCOMPARE(c.text.bosTokenId, 49406);
    QCOMPARE(c.text.eosTokenId, 49407);
    QCOMPARE(c.vision.hiddenSize, 64);
    QCOMPARE(c.vision.intermediateSize, 256);
    QCOMPARE(c.vision.projectionDim, 48);
    QCOMPARE(c.vision.numHiddenLayers, 2);
    QCOMPARE(c.vision.numAttentionHeads, 4);
    QCOMPARE(c.vision.headDim(), 16);
    QCOMPARE(c.vision.numChannels, 3);
    QCOMPARE(c.vision.imageSize, 48);
    QCOMPARE(c.vision.patchSize, 8);
    QCOMPARE(c.vision.numPatches(), 36);
    QCOMPARE(c.vision.numPositions(), 37);
    QCOMPARE(c.vision.hiddenAct, HiddenAct::QuickGelu);
    QCOMPARE(c.vision.layerNormEps, 1e-5);

    const ClipConfig &m = *minimal;
    QCOMPARE(m.projectionDim, c.projectionDim);
    QCOMPARE(m.logitScaleInitValue, c.logitScaleInitValue);
    QCOMPARE(m.text.vocabSize, c.text.vocabSize);
    QCOMPARE(m.text.hiddenSize, c.text.hiddenSize);
    QCOMPARE(m.text.intermediateSize, c.text.intermediateSize);
    QCOMPARE(m.text.projectionDim, c.text.projectionDim);
    QCOMPARE(m.text.numHiddenLayers, c.text.numHiddenLayers);
    QCOMPARE(m.text.numAttentionHeads, c.text.numAttentionHeads);
    QCOMPARE(m.text.maxPositionEmbeddings, c.text.maxPositionEmbeddings);
    QCOMPARE(m.text.hiddenAct, c.text.hiddenAct);
    QCOMPARE(m.text.layerNormEps, c.text.layerNormEps);
    QCOMPARE(m.text.padTokenId, c.text.padTokenId);
    QCOMPARE(m.text.bosTokenId, c.text.bosTokenId);
    QCOMPARE(m.text.eosTokenId, c.text.eosTokenId);
    QCOMPARE(m.vision.hiddenSize, c.vision.hiddenSize);
    QCOMPARE(m.vision.intermediateSize, c.vision.intermediateSize);
    QCOMPARE(m.vision.projectionDim, c.vision.projectionDim);
    QCOMPARE(m.vision.numHiddenLayers, c.vision.numHiddenLayers);
    QCOMPARE(m.vision.numAttentionHeads, c.vision.numAttentionHeads);
    QCOMPARE(m.vision.numChannels, c.vision.numChannels);
    QCOMPARE(m.vision.imageSize, c.vision.imageSize);
    QCOMPARE(m.vision.patchSize, c.vision.patchSize);
    QCOMPARE(m.vision.hiddenAct, c.vision.hiddenAct);
    QCOMPARE(m.vision.layerNormEps, c.vision.layerNormEps);
    QVERIFY(m == c); // and any field added later
}

void TestHfConfig::siglipTiny()
{
    auto full = SiglipConfig::fromFile(modelsDir() + QStringLiteral("/siglip-tiny/config.json"));
    QVERIFY2(full.ok(), qPrintable(full.errorMessage()));
    auto minimal = SiglipConfig::fromFile(modelsDir() + QStringLiteral("/siglip-tiny/config.minimal.json"));
    QVERIFY2(minimal.ok(), qPrintable(minimal.errorMessage()));

    const SiglipConfig &c = *full;
    QCOMPARE(c.text.vocabSize, 4000);
    QCOMPARE(c.text.hiddenSize, 64);
    QCOMPARE(c.text.intermediateSize, 160);
    QCOMPARE(c.text.numHiddenLayers, 2);
    QCOMPARE(c.text.numAttentionHeads, 4);
    QCOMPARE(c.text.maxPositionEmbeddings, 64);
    QCOMPARE(c.text.hiddenAct, HiddenAct::GeluPytorchTanh);
    QCOMPARE(c.text.layerNormEps, 1e-6);
    QCOMPARE(c.text.padTokenId, 1);
    QCOMPARE(c.text.bosTokenId, 49406);
    QCOMPARE(c.text.eosTokenId, 49407);
    QCOMPARE(c.text.projectionSize, 64);
    QCOMPARE(c.vision.hiddenSize, 64);
    QCOMPARE(c.vision.intermediateSize, 176);
    QCOMPARE(c.vision.numHiddenLayers, 2);
    QCOMPARE(c.vision.numAttentionHeads, 4);
    QCOMPARE(c.vision.numChannels, 3);
    QCOMPARE(c.vision.imageSize, 48);
    QCOMPARE(c.vision.patchSize, 8);
    QCOMPARE(c.vision.numPositions(), 36);
    QCOMPARE(c.vision.hiddenAct, HiddenAct::GeluPytorchTanh);
    QCOMPARE(c.vision.layerNormEps, 1e-6);
    QVERIFY(c.vision.useHead);

    const SiglipConfig &m = *minimal;
    QCOMPARE(m.text.vocabSize, c.text.vocabSize);
    QCOMPARE(m.text.hiddenSize, c.text.hiddenSize);
    QCOMPARE(m.text.intermediateSize, c.text.intermediateSize);
    QCOMPARE(m.text.numHiddenLayers, c.text.numHiddenLayers);
    QCOMPARE(m.text.numAttentionHeads, c.text.numAttentionHeads);
    QCOMPARE(m.text.maxPositionEmbeddings, c.text.maxPositionEmbeddings);
    QCOMPARE(m.text.hiddenAct, c.text.hiddenAct);
    QCOMPARE(m.text.layerNormEps, c.text.layerNormEps);
    QCOMPARE(m.text.padTokenId, c.text.padTokenId);
    QCOMPARE(m.text.bosTokenId, c.text.bosTokenId);
    QCOMPARE(m.text.eosTokenId, c.text.eosTokenId);
    QCOMPARE(m.text.projectionSize, c.text.projectionSize);
    QCOMPARE(m.vision.hiddenSize, c.vision.hiddenSize);
    QCOMPARE(m.vision.intermediateSize, c.vision.intermediateSize);
    QCOMPARE(m.vision.numHiddenLayers, c.vision.numHiddenLayers);
    QCOMPARE(m.vision.numAttentionHeads, c.vision.numAttentionHeads);
    QCOMPARE(m.vision.numChannels, c.vision.numChannels);
    QCOMPARE(m.vision.imageSize, c.vision.imageSize);
    QCOMPARE(m.vision.patchSize, c.vision.patchSize);
    QCOMPARE(m.vision.hiddenAct, c.vision.hiddenAct);
    QCOMPARE(m.vision.layerNormEps, c.vision.layerNormEps);
    QCOMPARE(m.vision.useHead, c.vision.useHead);
    QVERIFY(m == c);
}

// An empty config gives transformers 4.45's CLIPConfig() (openai/clip-vit-base-patch32).
void TestHfConfig::clipDefaults()
{
    auto c = ClipConfig::fromJson(parse(R"({"model_type": "clip"})"));
    QVERIFY2(c.ok(), qPrintable(c.errorMessage()));
    QCOMPARE(c->projectionDim, 512);
    QCOMPARE(c->logitScaleInitValue, 2.6592);
    QCOMPARE(c->text.vocabSize, 49408);
    QCOMPARE(c->text.hiddenSize, 512);
    QCOMPARE(c->text.intermediateSize, 2048);
    QCOMPARE(c->text.projectionDim, 512);
    QCOMPARE(c->text.numHiddenLayers, 12);
    QCOMPARE(c->text.numAttentionHeads, 8);
    QCOMPARE(c->text.maxPositionEmbeddings, 77);
    QCOMPARE(c->text.hiddenAct, HiddenAct::QuickGelu);
    QCOMPARE(c->text.layerNormEps, 1e-5);
    QCOMPARE(c->text.padTokenId, 1);
    QCOMPARE(c->text.bosTokenId, 49406);
    QCOMPARE(c->text.eosTokenId, 49407);
    QCOMPARE(c->vision.hiddenSize, 768);
    QCOMPARE(c->vision.intermediateSize, 3072);
    QCOMPARE(c->vision.projectionDim, 512);
    QCOMPARE(c->vision.numHiddenLayers, 12);
    QCOMPARE(c->vision.numAttentionHeads, 12);
    QCOMPARE(c->vision.numChannels, 3);
    QCOMPARE(c->vision.imageSize, 224);
    QCOMPARE(c->vision.patchSize, 32);
    QCOMPARE(c->vision.numPositions(), 50);
    QCOMPARE(c->vision.hiddenAct, HiddenAct::QuickGelu);
    QCOMPARE(c->vision.layerNormEps, 1e-5);
    QVERIFY(*c == ClipConfig());

    // Null counts as absent; model_type may be missing; training-only keys are ignored.
    auto nulls = ClipConfig::fromJson(parse(R"({"text_config": null, "vision_config": {"hidden_size": null, "dropout": 0.1},
                                                "projection_dim": null, "initializer_factor": 1.0})"));
    QVERIFY2(nulls.ok(), qPrintable(nulls.errorMessage()));
    QVERIFY(*nulls == ClipConfig());

    // Legacy checkpoints (openai/clip-vit-*) carry bos 0 / eos 2; they are kept as written.
    auto legacy = ClipConfig::fromJson(parse(R"({"text_config": {"bos_token_id": 0, "eos_token_id": 2, "hidden_act": "gelu"}})"));
    QVERIFY(legacy.ok());
    QCOMPARE(legacy->text.bosTokenId, 0);
    QCOMPARE(legacy->text.eosTokenId, 2);
    QCOMPARE(legacy->text.hiddenAct, HiddenAct::Gelu);
    QCOMPARE(hiddenActName(legacy->text.hiddenAct), QStringLiteral("gelu"));
}

// An empty config gives transformers 4.45's SiglipConfig() (google/siglip-base-patch16-224).
void TestHfConfig::siglipDefaults()
{
    auto c = SiglipConfig::fromJson(parse(R"({"model_type": "siglip"})"));
    QVERIFY2(c.ok(), qPrintable(c.errorMessage()));
    QCOMPARE(c->text.vocabSize, 32000);
    QCOMPARE(c->text.hiddenSize, 768);
    QCOMPARE(c->text.intermediateSize, 3072);
    QCOMPARE(c->text.numHiddenLayers, 12);
    QCOMPARE(c->text.numAttentionHeads, 12);
    QCOMPARE(c->text.maxPositionEmbeddings, 64);
    QCOMPARE(c->text.hiddenAct, HiddenAct::GeluPytorchTanh);
    QCOMPARE(c->text.layerNormEps, 1e-6);
    QCOMPARE(c->text.padTokenId, 1);
    QCOMPARE(c->text.bosTokenId, 49406);
    QCOMPARE(c->text.eosTokenId, 49407);
    QCOMPARE(c->text.projectionSize, 768);
    QCOMPARE(c->vision.hiddenSize, 768);
    QCOMPARE(c->vision.intermediateSize, 3072);
    QCOMPARE(c->vision.numHiddenLayers, 12);
    QCOMPARE(c->vision.numAttentionHeads, 12);
    QCOMPARE(c->vision.numChannels, 3);
    QCOMPARE(c->vision.imageSize, 224);
    QCOMPARE(c->vision.patchSize, 16);
    QCOMPARE(c->vision.numPositions(), 196);
    QCOMPARE(c->vision.hiddenAct, HiddenAct::GeluPytorchTanh);
    QCOMPARE(c->vision.layerNormEps, 1e-6);
    QVERIFY(c->vision.useHead);
    QVERIFY(*c == SiglipConfig());

    // projection_size follows hidden_size unless given; vision_use_head is read.
    auto sized = SiglipConfig::fromJson(parse(R"({"text_config": {"hidden_size": 1152, "num_attention_heads": 16},
                                                  "vision_config": {"vision_use_head": false}})"));
    QVERIFY2(sized.ok(), qPrintable(sized.errorMessage()));
    QCOMPARE(sized->text.projectionSize, 1152);
    QVERIFY(!sized->vision.useHead);
    auto projected = SiglipConfig::fromJson(parse(R"({"text_config": {"projection_size": 512}})"));
    QVERIFY(projected.ok());
    QCOMPARE(projected->text.projectionSize, 512);
    QCOMPARE(projected->text.hiddenSize, 768);

    // so400m-patch14-384: 384 is not a multiple of 14; the convolution drops the remainder.
    auto so400m = SiglipConfig::fromJson(parse(R"({"vision_config": {"image_size": 384, "patch_size": 14,
                                                   "hidden_size": 1152, "num_attention_heads": 16}})"));
    QVERIFY2(so400m.ok(), qPrintable(so400m.errorMessage()));
    QCOMPARE(so400m->vision.numPatches(), int64_t(729));
}

// transformers builds the text/vision config from a legacy *_config_dict alone.
void TestHfConfig::legacyClipConfigDict()
{
    auto c = ClipConfig::fromJson(parse(R"({"model_type": "clip",
        "text_config": {"hidden_size": 64, "num_attention_heads": 4, "vocab_size": 100},
        "text_config_dict": {"hidden_size": 768, "num_attention_heads": 12},
        "vision_config": {"patch_size": 14}, "vision_config_dict": null})"));
    QVERIFY2(c.ok(), qPrintable(c.errorMessage()));
    QCOMPARE(c->text.hiddenSize, 768);
    QCOMPARE(c->text.numAttentionHeads, 12);
    QCOMPARE(c->text.vocabSize, 49408);
    QCOMPARE(c->vision.patchSize, 14);
}

void TestHfConfig::invalidValues_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("siglip");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");

    const int invalid = int(Error::Code::InvalidArgument);
    const int corrupt = int(Error::Code::Corrupt);
    QTest::newRow("zero hidden_size") << QByteArray(R"({"text_config": {"hidden_size": 0}})") << false << invalid
                                      << "text_config.hidden_size: 0 is not a positive size";
    QTest::newRow("negative layers") << QByteArray(R"({"vision_config": {"num_hidden_layers": -2}})") << false << invalid
                                     << "vision_config.num_hidden_layers: -2";
    QTest::newRow("huge intermediate") << QByteArray(R"({"vision_config": {"intermediate_size": 1e12}})") << true << invalid
                                       << "vision_config.intermediate_size";
    QTest::newRow("fractional heads") << QByteArray(R"({"text_config": {"num_attention_heads": 2.5}})") << false << corrupt
                                      << "text_config.num_attention_heads: 2.5 is not an integer";
    QTest::newRow("string size") << QByteArray(R"({"vision_config": {"image_size": "224"}})") << true << corrupt
                                 << "vision_config.image_size: \"224\" is not an integer";
    QTest::newRow("heads do not divide") << QByteArray(R"({"text_config": {"hidden_size": 100, "num_attention_heads": 8}})") << false
                                         << invalid << "text_config.num_attention_heads: hidden_size 100 is not divisible by 8 heads";
    QTest::newRow("patch larger than the image") << QByteArray(R"({"vision_config": {"image_size": 8, "patch_size": 16}})") << true
                                                 << invalid << "vision_config.patch_size: image_size 8 is smaller than patch_size 16";
    QTest::newRow("unknown activation") << QByteArray(R"({"text_config": {"hidden_act": "relu"}})") << true << invalid
                                        << "text_config.hidden_act: \"relu\" is not a supported activation";
    QTest::newRow("activation not a string") << QByteArray(R"({"vision_config": {"hidden_act": 3}})") << false << invalid
                                             << "vision_config.hidden_act: 3";
    QTest::newRow("zero eps") << QByteArray(R"({"vision_config": {"layer_norm_eps": 0}})") << false << invalid
                              << "vision_config.layer_norm_eps: 0 is not a positive number";
    QTest::newRow("eps as string") << QByteArray(R"({"text_config": {"layer_norm_eps": "1e-5"}})") << true << corrupt
                                   << "text_config.layer_norm_eps: \"1e-5\" is not a number";
    QTest::newRow("token id not an integer") << QByteArray(R"({"text_config": {"eos_token_id": [1, 2]}})") << false << corrupt
                                             << "text_config.eos_token_id: an array is not an integer";
    QTest::newRow("use_head not a bool") << QByteArray(R"({"vision_config": {"vision_use_head": 1}})") << true << corrupt
                                         << "vision_config.vision_use_head: 1 is not true or false";
    QTest::newRow("sub-config not an object") << QByteArray(R"({"text_config": [1]})") << true << corrupt
                                              << "text_config: an array is not an object";
    QTest::newRow("projection_dim zero") << QByteArray(R"({"projection_dim": 0})") << false << invalid << "projection_dim: 0";
    QTest::newRow("clip config read as siglip") << QByteArray(R"({"model_type": "clip"})") << true << invalid
                                                << "model_type: \"clip\" is not \"siglip\"";
    QTest::newRow("siglip config read as clip") << QByteArray(R"({"model_type": "siglip"})") << false << invalid
                                                << "model_type: \"siglip\" is not \"clip\"";
}

void TestHfConfig::invalidValues()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, siglip);
    QFETCH(int, code);
    QFETCH(QString, expected);

    QJsonParseError pe;
    const QJsonObject obj = QJsonDocument::fromJson(json, &pe).object();
    QCOMPARE(pe.error, QJsonParseError::NoError);
    const Error error = siglip ? SiglipConfig::fromJson(obj).error() : ClipConfig::fromJson(obj).error();
    QCOMPARE(int(error.code), code);
    QVERIFY2(error.message.startsWith(expected), qPrintable(error.message));

    // Through a file, the message names the file too.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("config.json")), json));
    const QString path = tmp.filePath(QStringLiteral("config.json"));
    const Error fileError = siglip ? SiglipConfig::fromFile(path).error() : ClipConfig::fromFile(path).error();
    QCOMPARE(fileError.message, QString(QStringLiteral("config.json: ") + error.message));
}

void TestHfConfig::modelTypes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("type"); // empty: an error
    QTest::addColumn<int>("code");

    QTest::newRow("clip") << QByteArray(R"({"model_type": "clip"})") << "clip" << 0;
    QTest::newRow("siglip") << QByteArray(R"({"model_type": "siglip"})") << "siglip" << 0;
    QTest::newRow("architectures only") << QByteArray(R"({"architectures": ["SiglipModel"]})") << "siglip" << 0;
    QTest::newRow("vision tower only") << QByteArray(R"({"model_type": "clip_vision_model"})") << QString()
                                       << int(Error::Code::Unsupported);
    QTest::newRow("siglip2") << QByteArray(R"({"model_type": "siglip2"})") << QString() << int(Error::Code::Unsupported);
    QTest::newRow("bert") << QByteArray(R"({"model_type": "bert"})") << QString() << int(Error::Code::Unsupported);
    QTest::newRow("nothing") << QByteArray(R"({"hidden_size": 5})") << QString() << int(Error::Code::Corrupt);
    QTest::newRow("model_type not a string") << QByteArray(R"({"model_type": 7})") << QString() << int(Error::Code::Corrupt);
    QTest::newRow("not JSON") << QByteArray("{model_type: clip}") << QString() << int(Error::Code::Corrupt);
    QTest::newRow("array root") << QByteArray("[]") << QString() << int(Error::Code::Corrupt);
}

void TestHfConfig::modelTypes()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, type);
    QFETCH(int, code);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("config.json")), json));
    auto result = modelType(tmp.filePath(QStringLiteral("config.json")));
    if (type.isEmpty()) {
        QVERIFY(!result.ok());
        QCOMPARE(int(result.error().code), code);
        QVERIFY2(result.errorMessage().startsWith(QStringLiteral("config.json: ")), qPrintable(result.errorMessage()));
    } else {
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(*result, type);
    }
}

void TestHfConfig::fileErrors()
{
    QCOMPARE(*modelType(modelsDir() + QStringLiteral("/clip-tiny/config.json")), QStringLiteral("clip"));
    QCOMPARE(*modelType(modelsDir() + QStringLiteral("/siglip-tiny/config.minimal.json")), QStringLiteral("siglip"));

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    auto missing = ClipConfig::fromFile(tmp.filePath(QStringLiteral("config.json")));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, Error::Code::NotFound);
    QVERIFY(missing.errorMessage().contains(QStringLiteral("config.json")));
    QCOMPARE(modelType(tmp.filePath(QStringLiteral("config.json"))).error().code, Error::Code::NotFound);

    // A file bigger than any config is refused before it is parsed (the file is sparse).
    const QString big = tmp.filePath(QStringLiteral("big.json"));
    QFile f(big);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.resize(64 << 20));
    f.close();
    QCOMPARE(readJsonObjectFile(big).error().code, Error::Code::TooLarge);
}

void TestHfConfig::preprocessorClipTiny()
{
    auto c = PreprocessorConfig::fromFile(modelsDir() + QStringLiteral("/clip-tiny/preprocessor_config.json"));
    QVERIFY2(c.ok(), qPrintable(c.errorMessage()));
    QCOMPARE(c->family, PreprocessorConfig::Family::Clip);
    QCOMPARE(c->processorClass, QStringLiteral("CLIPImageProcessor"));
    QVERIFY(c->doResize);
    QCOMPARE(c->shortestEdge, 48);
    QCOMPARE(c->height, 0);
    QCOMPARE(c->width, 0);
    QVERIFY(c->doCenterCrop);
    QCOMPARE(c->cropHeight, 48);
    QCOMPARE(c->cropWidth, 48);
    QCOMPARE(c->resample, 3);
    QVERIFY(c->doRescale);
    QCOMPARE(c->rescaleFactor, 1.0 / 255.0);
    QVERIFY(c->doNormalize);
    QCOMPARE(c->mean, (std::array<float, 3>{0.48145466f, 0.4578275f, 0.40821073f}));
    QCOMPARE(c->std, (std::array<float, 3>{0.26862954f, 0.26130258f, 0.27577711f}));
    QVERIFY(c->doConvertRgb);
    QVERIFY(*c == PreprocessorConfig::clipDefaults(48));
}

void TestHfConfig::preprocessorSiglipTiny()
{
    auto c = PreprocessorConfig::fromFile(modelsDir() + QStringLiteral("/siglip-tiny/preprocessor_config.json"));
    QVERIFY2(c.ok(), qPrintable(c.errorMessage()));
    QCOMPARE(c->family, PreprocessorConfig::Family::Siglip);
    QCOMPARE(c->processorClass, QStringLiteral("SiglipImageProcessor"));
    QVERIFY(c->doResize);
    QCOMPARE(c->shortestEdge, 0);
    QCOMPARE(c->height, 48);
    QCOMPARE(c->width, 48);
    QVERIFY(!c->doCenterCrop);
    QCOMPARE(c->resample, 3);
    QVERIFY(c->doRescale);
    QCOMPARE(c->rescaleFactor, 1.0 / 255.0);
    QVERIFY(c->doNormalize);
    QCOMPARE(c->mean, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
    QCOMPARE(c->std, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
    QVERIFY(!c->doConvertRgb); // the file says null
    QVERIFY(*c == PreprocessorConfig::siglipDefaults(48));
}

void TestHfConfig::preprocessorDefaultsAndForms()
{
    // Only the class named: the class defaults, at 224.
    auto clip = PreprocessorConfig::fromJson(parse(R"({"image_processor_type": "CLIPImageProcessor"})"));
    QVERIFY(clip.ok());
    QVERIFY(*clip == PreprocessorConfig::clipDefaults(224));
    auto siglip = PreprocessorConfig::fromJson(parse(R"({"image_processor_type": "SiglipImageProcessor"})"));
    QVERIFY(siglip.ok());
    QVERIFY(*siglip == PreprocessorConfig::siglipDefaults(224));
    QVERIFY(!siglip->doConvertRgb);
    QCOMPARE(siglip->height, 224);

    // Older openai folders: feature_extractor_type and bare numbers.
    auto old = PreprocessorConfig::fromJson(
        parse(R"({"feature_extractor_type": "CLIPFeatureExtractor", "size": 336, "crop_size": 336, "do_center_crop": null,
                  "image_mean": null, "resample": null})"));
    QVERIFY2(old.ok(), qPrintable(old.errorMessage()));
    QCOMPARE(old->processorClass, QStringLiteral("CLIPFeatureExtractor"));
    QCOMPARE(old->shortestEdge, 336);
    QCOMPARE(old->cropHeight, 336);
    QCOMPARE(old->cropWidth, 336);
    QVERIFY(!old->doCenterCrop);
    QCOMPARE(old->mean, PreprocessorConfig::clipDefaults().mean);
    QCOMPARE(old->resample, 3);

    // CLIP resized to an exact size; SigLIP with a bare number; one number for all channels.
    auto exact = PreprocessorConfig::fromJson(parse(R"({"image_processor_type": "CLIPImageProcessor",
        "size": {"height": 240, "width": 320}, "crop_size": {"height": 200, "width": 100}, "image_std": 0.25, "resample": 2})"));
    QVERIFY2(exact.ok(), qPrintable(exact.errorMessage()));
    QCOMPARE(exact->shortestEdge, 0);
    QCOMPARE(exact->height, 240);
    QCOMPARE(exact->width, 320);
    QCOMPARE(exact->cropHeight, 200);
    QCOMPARE(exact->cropWidth, 100);
    QCOMPARE(exact->std, (std::array<float, 3>{0.25f, 0.25f, 0.25f}));
    QCOMPARE(exact->resample, 2);
    auto square = PreprocessorConfig::fromJson(parse(R"({"image_processor_type": "SiglipImageProcessor", "size": 384})"));
    QVERIFY(square.ok());
    QCOMPARE(square->height, 384);
    QCOMPARE(square->width, 384);
    QCOMPARE(square->shortestEdge, 0);
}

void TestHfConfig::preprocessorInvalid_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");

    const int invalid = int(Error::Code::InvalidArgument);
    const int corrupt = int(Error::Code::Corrupt);
    QTest::newRow("no class") << QByteArray(R"({"size": {"shortest_edge": 224}})") << corrupt << "image_processor_type: missing";
    QTest::newRow("other class") << QByteArray(R"({"image_processor_type": "ViTImageProcessor"})") << int(Error::Code::Unsupported)
                                 << "image_processor_type: \"ViTImageProcessor\"";
    QTest::newRow("zero size") << QByteArray(R"({"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": 0}})")
                               << invalid << "size: shortest_edge";
    QTest::newRow("size without keys") << QByteArray(R"({"image_processor_type": "CLIPImageProcessor", "size": {"longest_edge": 5}})")
                                       << corrupt << "size: expected";
    QTest::newRow("siglip shortest edge")
        << QByteArray(R"({"image_processor_type": "SiglipImageProcessor", "size": {"shortest_edge": 224}})") << invalid
        << "size: SiglipImageProcessor needs";
    QTest::newRow("negative crop") << QByteArray(R"({"image_processor_type": "CLIPImageProcessor", "crop_size": {"height": -1, "width": 5}})")
                                   << invalid << "crop_size: height and width";
    QTest::newRow("crop without size")
        << QByteArray(R"({"image_processor_type": "SiglipImageProcessor", "do_center_crop": true})") << invalid << "crop_size: do_center_crop";
    QTest::newRow("resample 9") << QByteArray(R"({"image_processor_type": "CLIPImageProcessor", "resample": 9})") << invalid << "resample:";
    QTest::newRow("rescale zero") << QByteArray(R"({"image_processor_type": "CLIPImageProcessor", "rescale_factor": 0})") << invalid
                                  << "rescale_factor:";
    QTest::newRow("two means") << QByteArray(R"({"image_processor_type": "CLIPImageProcessor", "image_mean": [0.5, 0.5]})") << corrupt
                               << "image_mean:";
    QTest::newRow("zero std") << QByteArray(R"({"image_processor_type": "CLIPImageProcessor", "image_std": [0.5, 0, 0.5]})") << invalid
                              << "image_std: a standard deviation of 0";
    QTest::newRow("flag as string") << QByteArray(R"({"image_processor_type": "CLIPImageProcessor", "do_resize": "yes"})") << corrupt
                                    << "do_resize:";
}

void TestHfConfig::preprocessorInvalid()
{
    QFETCH(QByteArray, json);
    QFETCH(int, code);
    QFETCH(QString, expected);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("preprocessor_config.json"));
    QVERIFY(writeFile(path, json));
    auto c = PreprocessorConfig::fromFile(path);
    QVERIFY(!c.ok());
    QCOMPARE(int(c.error().code), code);
    QVERIFY2(c.errorMessage().startsWith(QStringLiteral("preprocessor_config.json: ") + expected), qPrintable(c.errorMessage()));
}

QTEST_GUILESS_MAIN(TestHfConfig)
#include "tst_hfconfig.moc"
