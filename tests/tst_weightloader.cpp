// WeightLoader: F32 weights become tensors over the memory-mapped file itself (no copy), stay
// valid after the SafetensorsModel that mapped them is gone, and a write into one never
// reaches the file; other dtypes are converted copies; a missing tensor is a LoadError.
// libtorch before any Qt header: Qt's keyword macros break its headers.
#include <ATen/ATen.h>

#include "models/safetensors.h"
#include "models/torchlayers.h"
#include "modeltestsupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace lookalike;
using namespace lookalike::test;

namespace {

QByteArray floats(std::initializer_list<float> values)
{
    QByteArray out;
    for (float v : values) {
        char le[4];
        qToLittleEndian<float>(v, le);
        out.append(le, 4);
    }
    return out;
}

bool holds(const at::Tensor &t, const std::vector<float> &expected)
{
    const at::Tensor flat = t.reshape({-1});
    if (flat.numel() != qint64(expected.size()))
        return false;
    for (size_t i = 0; i < expected.size(); ++i)
        if (flat[qint64(i)].item<float>() != expected[i])
            return false;
    return true;
}

} // namespace

class TestWeightLoader final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QByteArray m_fileBytes;

    QString modelFile() const { return m_dir.filePath(QStringLiteral("model.safetensors")); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QMap<QString, RawTensor> tensors;
        tensors.insert(QStringLiteral("a.weight"), {QStringLiteral("F32"), {2, 3}, floats({1, 2, 3, 4, 5, 6})});
        // 1.0, 2.0, -3.0 in bfloat16
        QByteArray bf16;
        for (quint16 bits : {quint16(0x3F80), quint16(0x4000), quint16(0xC040)}) {
            char le[2];
            qToLittleEndian<quint16>(bits, le);
            bf16.append(le, 2);
        }
        tensors.insert(QStringLiteral("b.bias"), {QStringLiteral("BF16"), {3}, bf16});
        m_fileBytes = safetensorsBytes(tensors);
        QFile f(modelFile());
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(m_fileBytes), m_fileBytes.size());
    }

    void f32IsTheMappedFileItself()
    {
        auto model = SafetensorsModel::open(m_dir.path());
        QVERIFY2(model, qPrintable(model.errorMessage()));
        const torchnn::WeightLoader loader(*model, at::Device(at::kCPU), at::kFloat);
        const at::Tensor a = loader.tensor(QStringLiteral("a.weight"));
        const auto found = model->find(QStringLiteral("a.weight"));
        QVERIFY(found && found->info);
        QCOMPARE(static_cast<const void *>(a.data_ptr()), static_cast<const void *>(found->file->bytes(*found->info).data()));
        QCOMPARE(a.sizes().vec(), (std::vector<int64_t>{2, 3}));
        QVERIFY(holds(a, {1, 2, 3, 4, 5, 6}));
    }

    void theTensorOutlivesTheModel()
    {
        at::Tensor a;
        {
            auto model = SafetensorsModel::open(m_dir.path());
            QVERIFY(model);
            a = torchnn::WeightLoader(*model, at::Device(at::kCPU), at::kFloat).tensor(QStringLiteral("a.weight"));
        } // the model, and its own reference to the file, are gone
        QVERIFY(holds(a, {1, 2, 3, 4, 5, 6}));
        QVERIFY(holds(at::matmul(a, a.t()), {14, 32, 32, 77}));
    }

    void aWriteNeverReachesTheFile()
    {
        {
            auto model = SafetensorsModel::open(m_dir.path());
            QVERIFY(model);
            at::Tensor a = torchnn::WeightLoader(*model, at::Device(at::kCPU), at::kFloat).tensor(QStringLiteral("a.weight"));
            a.add_(100); // no model does this; if a bug did, it must stay in this process
            QVERIFY(holds(a, {101, 102, 103, 104, 105, 106}));
        }
        QCOMPARE(readFile(modelFile()), m_fileBytes);
        auto again = SafetensorsModel::open(m_dir.path());
        QVERIFY(again);
        QVERIFY(holds(torchnn::WeightLoader(*again, at::Device(at::kCPU), at::kFloat).tensor(QStringLiteral("a.weight")),
                      {1, 2, 3, 4, 5, 6}));
    }

    void otherDtypesAreConvertedCopies()
    {
        auto model = SafetensorsModel::open(m_dir.path());
        QVERIFY(model);
        const torchnn::WeightLoader loader(*model, at::Device(at::kCPU), at::kFloat);
        const at::Tensor b = loader.tensor(QStringLiteral("b.bias"));
        QCOMPARE(b.scalar_type(), at::kFloat);
        QVERIFY(holds(b, {1, 2, -3}));
        const auto found = model->find(QStringLiteral("b.bias"));
        QVERIFY(static_cast<const void *>(b.data_ptr()) != static_cast<const void *>(found->file->bytes(*found->info).data()));
    }

    void aMissingTensorIsALoadError()
    {
        auto model = SafetensorsModel::open(m_dir.path());
        QVERIFY(model);
        const torchnn::WeightLoader loader(*model, at::Device(at::kCPU), at::kFloat);
        bool threw = false;
        try {
            (void)loader.tensor(QStringLiteral("no.such.weight"));
        } catch (const torchnn::LoadError &e) {
            threw = QString::fromUtf8(e.what()).contains(QStringLiteral("no.such.weight"));
        }
        QVERIFY(threw);
    }
};

QTEST_GUILESS_MAIN(TestWeightLoader)
#include "tst_weightloader.moc"
