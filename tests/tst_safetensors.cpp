#include "models/safetensors.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <cmath>
#include <cstring>

using namespace lookalike;

namespace {

struct TensorSpec
{
    QString name;
    QString dtype;
    QList<qint64> shape;
    QByteArray data;
};

QByteArray lengthPrefix(quint64 n)
{
    const quint64 le = qToLittleEndian(n);
    return QByteArray(reinterpret_cast<const char *>(&le), 8);
}

// A file as safetensors writers lay it out: length, JSON header padded with spaces to a
// multiple of 8, then the data.
QByteArray withHeader(QByteArray header, const QByteArray &data)
{
    header.append(QByteArray((8 - header.size() % 8) % 8, ' '));
    return lengthPrefix(quint64(header.size())) + header + data;
}

QByteArray writeSafetensors(const QList<TensorSpec> &tensors, const QJsonObject &metadata = {})
{
    QJsonObject header;
    QByteArray data;
    for (const TensorSpec &t : tensors) {
        QJsonArray shape;
        for (qint64 d : t.shape)
            shape.append(d);
        header.insert(t.name, QJsonObject{{QStringLiteral("dtype"), t.dtype},
                                          {QStringLiteral("shape"), shape},
                                          {QStringLiteral("data_offsets"), QJsonArray{data.size(), data.size() + t.data.size()}}});
        data.append(t.data);
    }
    if (!metadata.isEmpty())
        header.insert(QStringLiteral("__metadata__"), metadata);
    return withHeader(QJsonDocument(header).toJson(QJsonDocument::Compact), data);
}

template <typename T>
QByteArray leBytes(std::initializer_list<T> values)
{
    QByteArray out;
    for (T v : values) {
        T le = qToLittleEndian(v);
        out.append(reinterpret_cast<const char *>(&le), sizeof(T));
    }
    return out;
}

QByteArray floatBytes(std::initializer_list<float> values)
{
    QByteArray out;
    for (float v : values) {
        quint32 bits;
        std::memcpy(&bits, &v, 4);
        out.append(leBytes<quint32>({bits}));
    }
    return out;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QString modelsDir()
{
    return lookalike::test::testDataDir() + QStringLiteral("/models");
}

// The 78 tensors of clip-tiny as the README lists them, with their shapes.
QMap<QString, std::vector<int64_t>> clipTinyTensors()
{
    QMap<QString, std::vector<int64_t>> t;
    auto layers = [&t](const QString &tower, int64_t d, int64_t inner) {
        for (int i = 0; i < 2; ++i) {
            const QString p = QStringLiteral("%1.encoder.layers.%2.").arg(tower).arg(i);
            for (const char *proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t[p + QStringLiteral("self_attn.%1.weight").arg(QLatin1String(proj))] = {d, d};
                t[p + QStringLiteral("self_attn.%1.bias").arg(QLatin1String(proj))] = {d};
            }
            for (const char *ln : {"layer_norm1", "layer_norm2"}) {
                t[p + QLatin1String(ln) + QStringLiteral(".weight")] = {d};
                t[p + QLatin1String(ln) + QStringLiteral(".bias")] = {d};
            }
            t[p + QStringLiteral("mlp.fc1.weight")] = {inner, d};
            t[p + QStringLiteral("mlp.fc1.bias")] = {inner};
            t[p + QStringLiteral("mlp.fc2.weight")] = {d, inner};
            t[p + QStringLiteral("mlp.fc2.bias")] = {d};
        }
    };
    layers(QStringLiteral("text_model"), 32, 128);
    layers(QStringLiteral("vision_model"), 64, 256);
    t[QStringLiteral("text_model.embeddings.token_embedding.weight")] = {49408, 32};
    t[QStringLiteral("text_model.embeddings.position_embedding.weight")] = {77, 32};
    t[QStringLiteral("text_model.final_layer_norm.weight")] = {32};
    t[QStringLiteral("text_model.final_layer_norm.bias")] = {32};
    t[QStringLiteral("text_projection.weight")] = {48, 32};
    t[QStringLiteral("vision_model.embeddings.class_embedding")] = {64};
    t[QStringLiteral("vision_model.embeddings.patch_embedding.weight")] = {64, 3, 8, 8};
    t[QStringLiteral("vision_model.embeddings.position_embedding.weight")] = {37, 64};
    t[QStringLiteral("vision_model.pre_layrnorm.weight")] = {64};
    t[QStringLiteral("vision_model.pre_layrnorm.bias")] = {64};
    t[QStringLiteral("vision_model.post_layernorm.weight")] = {64};
    t[QStringLiteral("vision_model.post_layernorm.bias")] = {64};
    t[QStringLiteral("visual_projection.weight")] = {48, 64};
    t[QStringLiteral("logit_scale")] = {};
    return t;
}

} // namespace

class TestSafetensors final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void clipTinyModel();
    void clipTinyInputs();
    void siglipTinyAndPreprocessFiles();

    void halfAndBFloat16Conversion();
    void integerAndOtherConversions();
    void emptyTensorsAndMetadata();
    void inMemoryCopyOwnsBytes();

    void hostileBytes_data();
    void hostileBytes();
    void hugeHeaderOnDisk();
    void missingAndOddPaths();

    void modelFolderSingleFile();
    void modelFolderSharded();
    void modelFolderErrors_data();
    void modelFolderErrors();
};

void TestSafetensors::initTestCase()
{
    QVERIFY2(!lookalike::test::testDataDir().isEmpty(), "the shared test data folder is missing (LOOKALIKE_TESTDATA)");
    QVERIFY2(QFileInfo(modelsDir() + QStringLiteral("/clip-tiny/model.safetensors")).isFile(),
             qPrintable(QStringLiteral("no clip-tiny model under %1").arg(modelsDir())));
}

void TestSafetensors::clipTinyModel()
{
    auto file = SafetensorsFile::open(modelsDir() + QStringLiteral("/clip-tiny/model.safetensors"));
    QVERIFY2(file.ok(), qPrintable(file.errorMessage()));
    const SafetensorsFile &st = *file.value();

    const auto expected = clipTinyTensors();
    QCOMPARE(expected.size(), 78);
    QCOMPARE(st.tensors().size(), 78);
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        const TensorInfo *info = st.find(it.key());
        QVERIFY2(info, qPrintable(it.key()));
        QCOMPARE(info->name, it.key());
        QCOMPARE(info->dtype, TensorDType::F32);
        QCOMPARE(info->shape, it.value());
        QCOMPARE(qint64(st.bytes(*info).size()), info->elementCount() * 4);
    }
    QCOMPARE(st.find(QStringLiteral("text_model.embeddings.token_embedding.weight"))->shapeText(), QStringLiteral("[49408, 32]"));
    QVERIFY(!st.find(QStringLiteral("no.such.tensor")));
    QCOMPARE(st.metadata().value(QStringLiteral("format")).toString(), QStringLiteral("pt"));

    // logit_scale is 0-dim: one element.
    const TensorInfo *scale = st.find(QStringLiteral("logit_scale"));
    QVERIFY(scale->shape.empty());
    QCOMPARE(scale->elementCount(), 1);
    QCOMPARE(scale->shapeText(), QStringLiteral("[]"));
    auto scaleValue = st.toFloat32(QStringLiteral("logit_scale"));
    QVERIFY2(scaleValue.ok(), qPrintable(scaleValue.errorMessage()));
    QCOMPARE(scaleValue->size(), size_t(1));
    QCOMPARE(scaleValue->at(0), 3.0f);

    // Values read with an independent reader (Python struct) from the same file.
    auto cls = st.toFloat32(QStringLiteral("vision_model.embeddings.class_embedding"));
    QVERIFY(cls.ok());
    QCOMPARE(cls->size(), size_t(64));
    QCOMPARE(cls->at(0), 0.6165940761566162f);
    QCOMPARE(cls->at(1), 0.4021146893501282f);
    QCOMPARE(cls->at(3), 0.08736942708492279f);
    auto proj = st.toFloat32(QStringLiteral("text_projection.weight"));
    QVERIFY(proj.ok());
    QCOMPARE(proj->size(), size_t(48 * 32));
    QCOMPARE(proj->front(), -0.09250044077634811f);
    QCOMPARE(proj->at(2), 0.1184459775686264f);
    QCOMPARE(proj->back(), 0.010452860966324806f);

    auto missing = st.toFloat32(QStringLiteral("nope"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, Error::Code::NotFound);
    QVERIFY(missing.errorMessage().contains(QStringLiteral("nope")));
    // Floats are not silently truncated to integers.
    auto asInt = st.toInt64(QStringLiteral("logit_scale"));
    QVERIFY(!asInt.ok());
    QCOMPARE(asInt.error().code, Error::Code::InvalidArgument);
    QVERIFY(asInt.errorMessage().contains(QStringLiteral("logit_scale")));
}

void TestSafetensors::clipTinyInputs()
{
    auto file = SafetensorsFile::open(modelsDir() + QStringLiteral("/clip-tiny/inputs.safetensors"));
    QVERIFY2(file.ok(), qPrintable(file.errorMessage()));
    const SafetensorsFile &st = *file.value();
    QCOMPARE(st.tensors().size(), 4);

    const TensorInfo *ids = st.find(QStringLiteral("input_ids"));
    QVERIFY(ids);
    QCOMPARE(ids->dtype, TensorDType::I64);
    QCOMPARE(ids->shape, (std::vector<int64_t>{4, 77}));
    auto values = st.toInt64(QStringLiteral("input_ids"));
    QVERIFY2(values.ok(), qPrintable(values.errorMessage()));
    const std::vector<int64_t> &v = *values;
    QCOMPARE(v.size(), size_t(4 * 77));
    // "a photo of a dog", EOS at 6, then zero padding.
    const std::vector<int64_t> row0(v.begin(), v.begin() + 8);
    QCOMPARE(row0, (std::vector<int64_t>{49406, 320, 1125, 539, 320, 1929, 49407, 0}));
    QCOMPARE(v[77 + 10], 49407);  // EOS positions 6, 10, 1, 76
    QCOMPARE(v[154 + 1], 49407);
    QCOMPARE(v[231 + 76], 49407);
    QCOMPARE(v[231], 49406);

    auto asFloat = st.toFloat32(QStringLiteral("input_ids")); // integers convert exactly below 2^24
    QVERIFY(asFloat.ok());
    QCOMPARE(asFloat->at(6), 49407.0f);

    const TensorInfo *pixels = st.find(QStringLiteral("pixel_values"));
    QVERIFY(pixels);
    QCOMPARE(pixels->shape, (std::vector<int64_t>{3, 3, 48, 48}));
    auto px = st.toFloat32(QStringLiteral("pixel_values"));
    QVERIFY(px.ok());
    QCOMPARE(px->at(0), -0.2726117670536041f);
    QCOMPARE(px->at(1), 0.26840436458587646f);
    QCOMPARE(px->back(), -0.14353354275226593f);
}

void TestSafetensors::siglipTinyAndPreprocessFiles()
{
    auto siglip = SafetensorsFile::open(modelsDir() + QStringLiteral("/siglip-tiny/model.safetensors"));
    QVERIFY2(siglip.ok(), qPrintable(siglip.errorMessage()));
    QCOMPARE(siglip.value()->tensors().size(), 88);

    auto pre = SafetensorsFile::open(modelsDir() + QStringLiteral("/preprocess/expected_siglip.safetensors"));
    QVERIFY2(pre.ok(), qPrintable(pre.errorMessage()));
    const TensorInfo *resized = pre.value()->find(QStringLiteral("photo_like_512x384.resized_uint8"));
    QVERIFY(resized);
    QCOMPARE(resized->dtype, TensorDType::U8);
    QCOMPARE(resized->shape, (std::vector<int64_t>{224, 224, 3}));
    // pixel = (u8 / 255 - 0.5) / 0.5 ties the two tensors of the file together.
    auto u8 = pre.value()->toInt64(QStringLiteral("photo_like_512x384.resized_uint8"));
    auto px = pre.value()->toFloat32(QStringLiteral("photo_like_512x384.pixel_values"));
    QVERIFY(u8.ok() && px.ok());
    QVERIFY(std::all_of(u8->begin(), u8->end(), [](int64_t x) { return x >= 0 && x <= 255; }));
    for (size_t i : {size_t(0), size_t(1000), size_t(224 * 224 * 3 - 1)}) {
        const size_t y = i / (224 * 3), x = (i / 3) % 224, c = i % 3;
        const float expected = (float(u8->at(i)) / 255.0f - 0.5f) / 0.5f;
        QVERIFY(std::abs(px->at(c * 224 * 224 + y * 224 + x) - expected) < 1e-5f);
    }
}

void TestSafetensors::halfAndBFloat16Conversion()
{
    // Hand-computed binary16 values: zeros, normals, the largest finite, the smallest normal,
    // subnormals (mantissa × 2^-24), infinities and NaNs.
    const QByteArray half = leBytes<quint16>({0x0000, 0x8000, 0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0400, 0x0001, 0x03FF,
                                              0x8001, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x3800});
    const QByteArray bf16 = leBytes<quint16>({0x3F80, 0xC040, 0x3EAB, 0x7F80, 0xFF80, 0x7FC0, 0x0001, 0x7F7F, 0x8000});
    const QByteArray bytes = writeSafetensors({{QStringLiteral("h"), QStringLiteral("F16"), {15}, half},
                                               {QStringLiteral("b"), QStringLiteral("BF16"), {3, 3}, bf16}});
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("half.safetensors")), bytes));
    auto file = SafetensorsFile::open(tmp.filePath(QStringLiteral("half.safetensors")));
    QVERIFY2(file.ok(), qPrintable(file.errorMessage()));

    auto h = file.value()->toFloat32(QStringLiteral("h"));
    QVERIFY2(h.ok(), qPrintable(h.errorMessage()));
    const std::vector<float> &f = *h;
    QCOMPARE(f.size(), size_t(15));
    QCOMPARE(f[0], 0.0f);
    QVERIFY(!std::signbit(f[0]));
    QCOMPARE(f[1], 0.0f);
    QVERIFY(std::signbit(f[1]));
    QCOMPARE(f[2], 1.0f);
    QCOMPARE(f[3], -2.0f);
    QCOMPARE(f[4], 0.333251953125f);
    QCOMPARE(f[5], 65504.0f);
    QCOMPARE(f[6], 6.103515625e-05f);          // 2^-14
    QCOMPARE(f[7], 5.9604644775390625e-08f);   // 2^-24
    QCOMPARE(f[8], 6.097555160522461e-05f);    // 1023 × 2^-24
    QCOMPARE(f[9], -5.9604644775390625e-08f);
    QVERIFY(std::isinf(f[10]) && f[10] > 0);
    QVERIFY(std::isinf(f[11]) && f[11] < 0);
    QVERIFY(std::isnan(f[12]));
    QVERIFY(std::isnan(f[13])); // signalling-NaN pattern stays a NaN, not infinity
    QCOMPARE(f[14], 0.5f);

    auto b = file.value()->toFloat32(QStringLiteral("b"));
    QVERIFY2(b.ok(), qPrintable(b.errorMessage()));
    const std::vector<float> &g = *b;
    QCOMPARE(g[0], 1.0f);
    QCOMPARE(g[1], -3.0f);
    QCOMPARE(g[2], 0.333984375f);
    QVERIFY(std::isinf(g[3]) && g[3] > 0);
    QVERIFY(std::isinf(g[4]) && g[4] < 0);
    QVERIFY(std::isnan(g[5]));
    QCOMPARE(g[6], std::ldexp(1.0f, -133)); // float32 subnormal
    QCOMPARE(g[7], 3.3895313892515355e+38f);
    QVERIFY(g[8] == 0.0f && std::signbit(g[8]));
}

void TestSafetensors::integerAndOtherConversions()
{
    QByteArray f64;
    for (double d : {1.5, -2.25, 1e300}) {
        quint64 bits;
        std::memcpy(&bits, &d, 8);
        f64.append(leBytes<quint64>({bits}));
    }
    const QByteArray bytes = writeSafetensors({
        {QStringLiteral("f64"), QStringLiteral("F64"), {3}, f64},
        {QStringLiteral("i64"), QStringLiteral("I64"), {2}, leBytes<qint64>({-9000000000000LL, 7})},
        {QStringLiteral("i32"), QStringLiteral("I32"), {2}, leBytes<qint32>({-5, 2147483647})},
        {QStringLiteral("i16"), QStringLiteral("I16"), {2}, leBytes<qint16>({-32768, 300})},
        {QStringLiteral("i8"), QStringLiteral("I8"), {2}, QByteArray("\xff\x7f", 2)},
        {QStringLiteral("u8"), QStringLiteral("U8"), {3}, QByteArray("\x00\x80\xff", 3)},
        {QStringLiteral("bool"), QStringLiteral("BOOL"), {3}, QByteArray("\x00\x01\x02", 3)},
    });
    auto file = SafetensorsFile::fromBytes(bytes, QStringLiteral("mixed.safetensors"));
    QVERIFY2(file.ok(), qPrintable(file.errorMessage()));
    const SafetensorsFile &st = *file.value();
    QCOMPARE(st.path(), QStringLiteral("mixed.safetensors"));

    auto d = st.toFloat32(QStringLiteral("f64"));
    QVERIFY(d.ok());
    QCOMPARE(d->at(0), 1.5f);
    QCOMPARE(d->at(1), -2.25f);
    QVERIFY(std::isinf(d->at(2)));

    QCOMPARE(*st.toInt64(QStringLiteral("i64")), (std::vector<int64_t>{-9000000000000LL, 7}));
    QCOMPARE(*st.toInt64(QStringLiteral("i32")), (std::vector<int64_t>{-5, 2147483647}));
    QCOMPARE(*st.toInt64(QStringLiteral("i16")), (std::vector<int64_t>{-32768, 300}));
    QCOMPARE(*st.toInt64(QStringLiteral("i8")), (std::vector<int64_t>{-1, 127}));
    QCOMPARE(*st.toInt64(QStringLiteral("u8")), (std::vector<int64_t>{0, 128, 255}));
    QCOMPARE(*st.toInt64(QStringLiteral("bool")), (std::vector<int64_t>{0, 1, 1}));
    QCOMPARE(*st.toFloat32(QStringLiteral("i16")), (std::vector<float>{-32768.0f, 300.0f}));
    QCOMPARE(*st.toFloat32(QStringLiteral("i8")), (std::vector<float>{-1.0f, 127.0f}));
    QCOMPARE(*st.toFloat32(QStringLiteral("u8")), (std::vector<float>{0.0f, 128.0f, 255.0f}));

    QCOMPARE(TensorInfo::elementSize(TensorDType::BF16), 2);
    QCOMPARE(TensorInfo::elementSize(TensorDType::F64), 8);
    QCOMPARE(TensorInfo::elementSize(TensorDType::Bool), 1);
    QCOMPARE(TensorInfo::dtypeName(TensorDType::Bool), QStringLiteral("BOOL"));
    QCOMPARE(TensorInfo::dtypeName(TensorDType::BF16), QStringLiteral("BF16"));
    QCOMPARE(st.find(QStringLiteral("bool"))->dtype, TensorDType::Bool);

    // The raw bytes are the stored little-endian bytes.
    const auto raw = st.bytes(*st.find(QStringLiteral("i32")));
    QCOMPARE(raw.size(), size_t(8));
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(raw.data()), 8), leBytes<qint32>({-5, 2147483647}));
}

void TestSafetensors::emptyTensorsAndMetadata()
{
    // Zero-element tensors own no bytes, so two of them may share an offset, even one inside
    // another tensor's bytes; a header without __metadata__ is fine, as is a null one.
    const QByteArray header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                              R"("e1":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]},)"
                              R"("e2":{"dtype":"I64","shape":[3,0],"data_offsets":[4,4]},)"
                              R"("__metadata__":null})";
    auto file = SafetensorsFile::fromBytes(withHeader(header, floatBytes({1.0f, 2.0f})));
    QVERIFY2(file.ok(), qPrintable(file.errorMessage()));
    QCOMPARE(file.value()->tensors().size(), 3);
    QCOMPARE(file.value()->find(QStringLiteral("e1"))->elementCount(), 0);
    QVERIFY(file.value()->toFloat32(QStringLiteral("e1"))->empty());
    QVERIFY(file.value()->toInt64(QStringLiteral("e2"))->empty());
    QVERIFY(file.value()->metadata().isEmpty());

    auto withMeta = SafetensorsFile::fromBytes(
        writeSafetensors({{QStringLiteral("x"), QStringLiteral("F32"), {1}, floatBytes({4.0f})}},
                         QJsonObject{{QStringLiteral("format"), QStringLiteral("pt")}, {QStringLiteral("note"), QStringLiteral("hi")}}));
    QVERIFY2(withMeta.ok(), qPrintable(withMeta.errorMessage()));
    QCOMPARE(withMeta.value()->metadata().value(QStringLiteral("note")).toString(), QStringLiteral("hi"));
    QCOMPARE(withMeta.value()->tensors().size(), 1); // __metadata__ is not a tensor
}

void TestSafetensors::inMemoryCopyOwnsBytes()
{
    QByteArray bytes = writeSafetensors({{QStringLiteral("x"), QStringLiteral("F32"), {2}, floatBytes({1.0f, 2.0f})}});
    auto file = SafetensorsFile::fromBytes(bytes);
    QVERIFY(file.ok());
    bytes.fill('\xff'); // the caller's buffer changes; the file keeps its copy
    QCOMPARE(*file.value()->toFloat32(QStringLiteral("x")), (std::vector<float>{1.0f, 2.0f}));
}

void TestSafetensors::hostileBytes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected"); // a part of the message

    auto entry = [](const char *dtype, const char *shape, const char *offsets) -> QByteArray {
        return QByteArray(R"({"t":{"dtype":")") + dtype + R"(","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}}";
    };
    const QByteArray eight(8, '\0');

    QFile clipInputs(modelsDir() + QStringLiteral("/clip-tiny/inputs.safetensors"));
    QVERIFY(clipInputs.open(QIODevice::ReadOnly));
    const QByteArray real = clipInputs.readAll();

    QTest::newRow("empty file") << QByteArray() << "too short";
    QTest::newRow("shorter than the length field") << QByteArray("abc") << "too short";
    QTest::newRow("truncated real file") << real.left(real.size() / 2) << "outside the data";
    QTest::newRow("truncated inside the header") << real.left(200) << "exceeds the file";
    QTest::newRow("header length beyond the file") << QByteArray(lengthPrefix(1000) + "{}      ") << "header length 1000 exceeds the file";
    QTest::newRow("header length 2^64-1") << QByteArray(lengthPrefix(~quint64(0)) + "{}") << "exceeds the file";
    QTest::newRow("header length zero") << QByteArray(lengthPrefix(0) + eight) << "not valid JSON";
    QTest::newRow("header not JSON") << withHeader("this is not json", {}) << "not valid JSON";
    QTest::newRow("header truncated JSON") << withHeader(R"({"t":{"dtype":"F32")", {}) << "not valid JSON";
    QTest::newRow("header is an array") << withHeader("[1, 2, 3]", {}) << "not a JSON object";
    QTest::newRow("entry not an object") << withHeader(R"({"t": 5})", {}) << "tensor t: the entry is not an object";
    QTest::newRow("unknown dtype") << withHeader(entry("F8", "[2]", "[0,2]"), QByteArray(2, '\0')) << "tensor t: unknown dtype \"F8\"";
    QTest::newRow("lower-case dtype") << withHeader(entry("f32", "[2]", "[0,8]"), eight) << "unknown dtype";
    QTest::newRow("missing dtype") << withHeader(R"({"t":{"shape":[2],"data_offsets":[0,8]}})", eight) << "unknown dtype";
    QTest::newRow("dtype not a string") << withHeader(entry("F32", "[2]", "[0,8]").replace("\"F32\"", "32"), eight) << "unknown dtype";
    QTest::newRow("shape missing") << withHeader(R"({"t":{"dtype":"F32","data_offsets":[0,8]}})", eight) << "tensor t: shape";
    QTest::newRow("shape not an array") << withHeader(entry("F32", "2", "[0,8]"), eight) << "is not an array";
    QTest::newRow("negative shape") << withHeader(entry("F32", "[-1,2]", "[0,8]"), eight) << "not a non-negative integer";
    QTest::newRow("fractional shape") << withHeader(entry("F32", "[2.5]", "[0,8]"), eight) << "not a non-negative integer";
    QTest::newRow("string in shape") << withHeader(entry("F32", "[\"2\"]", "[0,8]"), eight) << "not a non-negative integer";
    QTest::newRow("shape beyond int64") << withHeader(entry("F32", "[1e30]", "[0,8]"), eight) << "not a non-negative integer";
    QTest::newRow("shape product overflow") << withHeader(entry("F32", "[4294967296,4294967296,4294967296]", "[0,0]"), {})
                                            << "too many elements";
    QTest::newRow("byte count overflow") << withHeader(entry("F32", "[4611686018427387904]", "[0,0]"), {}) << "too many elements";
    QTest::newRow("shape/offset mismatch") << withHeader(entry("F32", "[2,2]", "[0,8]"), QByteArray(16, '\0'))
                                           << "span 8 bytes, but F32 [2, 2] needs 16";
    QTest::newRow("offsets outside the data") << withHeader(entry("F32", "[4]", "[0,16]"), eight)
                                              << "tensor t: data_offsets [0, 16] outside the data (8 bytes)";
    QTest::newRow("offsets reversed") << withHeader(entry("F32", "[0]", "[8,0]"), eight) << "outside the data";
    QTest::newRow("offsets huge") << withHeader(entry("U8", "[8]", "[9223372036854775800,9223372036854775807]"), eight)
                                  << "outside the data";
    QTest::newRow("offsets negative") << withHeader(entry("U8", "[8]", "[-8,0]"), eight) << "data_offsets";
    QTest::newRow("offsets one number") << withHeader(entry("U8", "[8]", "[0]"), eight) << "not a pair";
    QTest::newRow("offsets missing") << withHeader(R"({"t":{"dtype":"U8","shape":[8]}})", eight) << "not a pair";
    QTest::newRow("overlapping tensors")
        << withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                      QByteArray(12, '\0'))
        << "overlap";
    QTest::newRow("same bytes twice")
        << withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", eight)
        << "overlap";
    QTest::newRow("metadata not an object") << withHeader(R"({"__metadata__":[1]})", {}) << "__metadata__ is not an object";
    QTest::newRow("metadata value not a string") << withHeader(R"({"__metadata__":{"format":1}})", {}) << "__metadata__ entry 'format'";
}

void TestSafetensors::hostileBytes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);

    auto inMemory = SafetensorsFile::fromBytes(bytes, QStringLiteral("hostile.safetensors"));
    QVERIFY(!inMemory.ok());
    QCOMPARE(inMemory.error().code, Error::Code::Corrupt);
    QVERIFY2(inMemory.errorMessage().startsWith(QStringLiteral("hostile.safetensors: ")), qPrintable(inMemory.errorMessage()));
    QVERIFY2(inMemory.errorMessage().contains(expected), qPrintable(inMemory.errorMessage()));

    // The same through the memory-mapped path.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("hostile.safetensors"));
    QVERIFY(writeFile(path, bytes));
    auto mapped = SafetensorsFile::open(path);
    QVERIFY(!mapped.ok());
    QCOMPARE(mapped.error().code, Error::Code::Corrupt);
    QCOMPARE(mapped.errorMessage(), inMemory.errorMessage());
}

void TestSafetensors::hugeHeaderOnDisk()
{
    // A header length inside the file but above the 100 MB limit; the file is sparse.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("big.safetensors"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(lengthPrefix(150'000'000));
    QVERIFY(f.resize(150'000'016));
    f.close();
    auto file = SafetensorsFile::open(path);
    QVERIFY(!file.ok());
    QCOMPARE(file.error().code, Error::Code::Corrupt);
    QVERIFY2(file.errorMessage().contains(QStringLiteral("above the limit")), qPrintable(file.errorMessage()));
}

void TestSafetensors::missingAndOddPaths()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    auto missing = SafetensorsFile::open(tmp.filePath(QStringLiteral("absent.safetensors")));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, Error::Code::NotFound);
    QVERIFY(missing.errorMessage().contains(QStringLiteral("absent.safetensors")));

    auto dir = SafetensorsFile::open(tmp.path());
    QVERIFY(!dir.ok());
    QCOMPARE(dir.error().code, Error::Code::InvalidArgument);
}

void TestSafetensors::modelFolderSingleFile()
{
    auto model = SafetensorsModel::open(modelsDir() + QStringLiteral("/clip-tiny"));
    QVERIFY2(model.ok(), qPrintable(model.errorMessage()));
    QCOMPARE(model->names().size(), 78);
    const QStringList names = model->names();
    QVERIFY(std::is_sorted(names.begin(), names.end()));
    const auto found = model->find(QStringLiteral("visual_projection.weight"));
    QVERIFY(found);
    QVERIFY(found->file && found->info);
    QCOMPARE(found->info->shape, (std::vector<int64_t>{48, 64}));
    QVERIFY(found->file->path().endsWith(QStringLiteral("/model.safetensors")));
    QCOMPARE(model->toFloat32(QStringLiteral("logit_scale"))->at(0), 3.0f);
    QVERIFY(!model->find(QStringLiteral("nope")));
    auto missing = model->toFloat32(QStringLiteral("nope"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, Error::Code::NotFound);
}

void TestSafetensors::modelFolderSharded()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("model-00001-of-00002.safetensors")),
                      writeSafetensors({{QStringLiteral("a.weight"), QStringLiteral("F32"), {2, 2}, floatBytes({1, 2, 3, 4})},
                                        {QStringLiteral("a.bias"), QStringLiteral("F16"), {1}, leBytes<quint16>({0x3C00})}})));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("model-00002-of-00002.safetensors")),
                      writeSafetensors({{QStringLiteral("b.weight"), QStringLiteral("BF16"), {3}, leBytes<quint16>({0x3F80, 0x4000, 0xC040})}})));
    const QJsonObject index{
        {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("total_size"), 26}}},
        {QStringLiteral("weight_map"),
         QJsonObject{{QStringLiteral("b.weight"), QStringLiteral("model-00002-of-00002.safetensors")},
                     {QStringLiteral("a.weight"), QStringLiteral("model-00001-of-00002.safetensors")},
                     {QStringLiteral("a.bias"), QStringLiteral("model-00001-of-00002.safetensors")}}}};
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("model.safetensors.index.json")), QJsonDocument(index).toJson()));

    auto model = SafetensorsModel::open(tmp.path());
    QVERIFY2(model.ok(), qPrintable(model.errorMessage()));
    QCOMPARE(model->names(), (QStringList{QStringLiteral("a.bias"), QStringLiteral("a.weight"), QStringLiteral("b.weight")}));
    QCOMPARE(*model->toFloat32(QStringLiteral("a.weight")), (std::vector<float>{1, 2, 3, 4}));
    QCOMPARE(*model->toFloat32(QStringLiteral("a.bias")), (std::vector<float>{1}));
    QCOMPARE(*model->toFloat32(QStringLiteral("b.weight")), (std::vector<float>{1, 2, -3}));
    QVERIFY(model->find(QStringLiteral("b.weight"))->file->path().endsWith(QStringLiteral("model-00002-of-00002.safetensors")));
    QVERIFY(model->find(QStringLiteral("a.bias"))->file->path().endsWith(QStringLiteral("model-00001-of-00002.safetensors")));
}

void TestSafetensors::modelFolderErrors_data()
{
    QTest::addColumn<QByteArray>("index"); // empty: no index file at all
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");

    auto weightMap = [](const char *map) -> QByteArray { return QByteArray(R"({"weight_map": )") + map + "}"; };
    QTest::newRow("empty folder") << QByteArray() << int(Error::Code::NotFound) << "neither model.safetensors nor model.safetensors.index.json";
    QTest::newRow("index not JSON") << QByteArray("{oops") << int(Error::Code::Corrupt) << "not valid JSON";
    QTest::newRow("no weight_map") << QByteArray(R"({"metadata": {}})") << int(Error::Code::Corrupt) << "weight_map";
    QTest::newRow("empty weight_map") << weightMap("{}") << int(Error::Code::Corrupt) << "weight_map is empty";
    QTest::newRow("shard in parent folder") << weightMap(R"({"a": "../outside.safetensors"})") << int(Error::Code::Corrupt)
                                            << "shard \"../outside.safetensors\" is not a file name in the model folder";
    QTest::newRow("shard in subfolder") << weightMap(R"({"a": "sub/one.safetensors"})") << int(Error::Code::Corrupt) << "not a file name";
    QTest::newRow("absolute shard") << weightMap(R"({"a": "/etc/passwd"})") << int(Error::Code::Corrupt) << "not a file name";
    QTest::newRow("backslash shard") << weightMap(R"({"a": "..\\one.safetensors"})") << int(Error::Code::Corrupt) << "not a file name";
    QTest::newRow("shard not a string") << weightMap(R"({"a": 3})") << int(Error::Code::Corrupt) << "tensor a";
    QTest::newRow("missing shard") << weightMap(R"({"a": "absent.safetensors"})") << int(Error::Code::NotFound) << "absent.safetensors";
    QTest::newRow("tensor missing from shard") << weightMap(R"({"a": "one.safetensors", "zzz": "one.safetensors"})")
                                               << int(Error::Code::Corrupt) << "tensor zzz, promised by model.safetensors.index.json, is missing";
    QTest::newRow("tensor in two shards") << weightMap(R"({"a": "one.safetensors", "b": "two.safetensors"})") << int(Error::Code::Corrupt)
                                          << "tensor a is in both one.safetensors and two.safetensors";
    QTest::newRow("corrupt shard") << weightMap(R"({"a": "bad.safetensors"})") << int(Error::Code::Corrupt) << "bad.safetensors: ";
}

void TestSafetensors::modelFolderErrors()
{
    QFETCH(QByteArray, index);
    QFETCH(int, code);
    QFETCH(QString, expected);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(QDir(tmp.path()).mkdir(QStringLiteral("sub")));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("sub/one.safetensors")), QByteArray("x")));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("one.safetensors")),
                      writeSafetensors({{QStringLiteral("a"), QStringLiteral("F32"), {1}, floatBytes({1})}})));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("two.safetensors")),
                      writeSafetensors({{QStringLiteral("a"), QStringLiteral("F32"), {1}, floatBytes({2})},
                                        {QStringLiteral("b"), QStringLiteral("F32"), {1}, floatBytes({3})}})));
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("bad.safetensors")), lengthPrefix(99)));
    if (!index.isEmpty())
        QVERIFY(writeFile(tmp.filePath(QStringLiteral("model.safetensors.index.json")), index));

    auto model = SafetensorsModel::open(tmp.path());
    QVERIFY(!model.ok());
    QCOMPARE(int(model.error().code), code);
    QVERIFY2(model.errorMessage().contains(expected), qPrintable(model.errorMessage()));
}

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
