// TorchScript image encoders: a module exported at test time by tests/data/
// make_torchscript_encoder.py (Debian's python3-torch), run through TorchScriptEmbedder and
// compared with what the module gave in Python; the sidecar's validation; modules and files
// that must be refused; and the registry's "torchscript:" ids.
#include "embed/embedderfactory.h"
#include "models/modelregistry.h"
#include "models/torchruntime.h"
#include "models/torchscriptembedder.h"
#include "modeltestsupport.h"
#include "util/npyfile.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace lookalike;
using namespace lookalike::test;

namespace {

// The same float32 network in libtorch as in Python, on the same inputs: only summation
// order may differ (a few 1e-7 at these magnitudes).
constexpr double kRawTolerance = 1e-5;
constexpr double kNormalizedTolerance = 1e-5;
constexpr int kDimension = 24;

HostTensor readNpy(const QString &path)
{
    auto file = NpyFile::open(path);
    if (!file)
        qFatal("%s", qPrintable(file.errorMessage()));
    auto values = file->readAll();
    if (!values)
        qFatal("%s", qPrintable(values.errorMessage()));
    return HostTensor{{file->rows(), file->columns()}, std::move(*values)};
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QImage rgb(int width, int height, quint32 seed)
{
    return makeSyntheticImage(width, height, seed).convertToFormat(QImage::Format_RGB888);
}

double rowNorm(const std::vector<float> &values, size_t row, size_t dim)
{
    double sum = 0.0;
    for (size_t i = 0; i < dim; ++i)
        sum += double(values[row * dim + i]) * double(values[row * dim + i]);
    return std::sqrt(sum);
}

} // namespace

class TestTorchScriptEmbedder final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString file(const QString &name) const { return m_dir.filePath(name); }
    QString encoderPath() const { return file(QStringLiteral("tiny_encoder.pt")); }
    QJsonObject baseSidecar() const { return QJsonDocument::fromJson(readFile(file(QStringLiteral("tiny_encoder.json")))).object(); }

    std::unique_ptr<TorchScriptEmbedder> loadEncoder(const QString &path)
    {
        auto e = TorchScriptEmbedder::load(path);
        if (!e)
            qFatal("%s", qPrintable(e.errorMessage()));
        return std::move(*e);
    }

    // A copy of the tiny encoder with `sidecar` beside it, in a fresh folder under the test's.
    QString encoderWithSidecar(const QString &folder, const QByteArray &sidecar)
    {
        const QString dir = file(folder);
        if (!QDir().mkpath(dir))
            qFatal("cannot make %s", qPrintable(dir));
        const QString pt = dir + QStringLiteral("/model.pt");
        QFile::remove(pt);
        if (!QFile::copy(encoderPath(), pt) || !writeFile(dir + QStringLiteral("/model.json"), sidecar))
            qFatal("cannot write into %s", qPrintable(dir));
        return pt;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"),
                     {QStringLiteral(LOOKALIKE_SOURCE_DIR "/tests/data/make_torchscript_encoder.py"), m_dir.path(),
                      QStringLiteral("--bad-modules")});
        QVERIFY2(python.waitForStarted(), qPrintable(python.errorString()));
        QVERIFY2(python.waitForFinished(300000), "make_torchscript_encoder.py did not finish");
        if (python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0)
            QFAIL(qPrintable(QStringLiteral("make_torchscript_encoder.py failed (exit %1): %2")
                                 .arg(python.exitCode())
                                 .arg(QString::fromLocal8Bit(python.readAllStandardError()))));
        QVERIFY(QFileInfo(encoderPath()).isFile());

        TorchSettings settings;
        settings.device = QStringLiteral("cpu");
        TorchRuntime::configure(settings);
        ModelRegistry::registerProviders();
    }

    // The module's own output on the batch Python ran it on.
    void rawForwardMatchesPython()
    {
        const auto embedder = loadEncoder(encoderPath());
        QCOMPARE(embedder->dimension(), kDimension);
        QCOMPARE(embedder->inputSize(), QSize(32, 32));
        QCOMPARE(embedder->device(), QStringLiteral("cpu"));
        QCOMPARE(embedder->sidecar().name, QStringLiteral("tiny-encoder"));

        const HostTensor input = readNpy(file(QStringLiteral("input.npy")));
        const HostTensor expected = readNpy(file(QStringLiteral("expected.npy")));
        QCOMPARE(input.shape, (std::vector<int64_t>{3, 3 * 32 * 32}));
        auto raw = embedder->forwardNormalised(input.values.data(), 3);
        QVERIFY2(raw.ok(), qPrintable(raw.errorMessage()));
        LOOKALIKE_COMPARE_TENSOR((HostTensor{{3, kDimension}, *raw}), expected, kRawTolerance,
                                 QStringLiteral("forwardNormalised → expected.npy"));

        auto none = embedder->forwardNormalised(nullptr, 0);
        QVERIFY(none.ok());
        QVERIFY(none->empty());
    }

    // PNG → Pillow-exact torchvision preprocessing → module → normalised rows, against the
    // module's output on the script's own Pillow pipeline.
    void imagesMatchTorchvisionPipeline()
    {
        const auto embedder = loadEncoder(encoderPath());
        std::vector<QImage> photos;
        for (const char *name : {"photo_0.png", "photo_1.png"}) {
            QImage image(file(QLatin1String(name)));
            QVERIFY2(!image.isNull(), name);
            photos.push_back(image.convertToFormat(QImage::Format_RGB888));
        }
        auto rows = embedder->embedImages(photos);
        QVERIFY2(rows.ok(), qPrintable(rows.errorMessage()));
        const HostTensor expected = readNpy(file(QStringLiteral("photos_expected.npy"))).rowNormalized();
        LOOKALIKE_COMPARE_TENSOR((HostTensor{{2, kDimension}, *rows}), expected, kNormalizedTolerance,
                                 QStringLiteral("photo_{0,1}.png → photos_expected.npy"));
    }

    void embedImages()
    {
        const auto embedder = loadEncoder(encoderPath());
        QCOMPARE(embedder->id(), QStringLiteral("torchscript:") + QFileInfo(encoderPath()).absoluteFilePath());
        QVERIFY(!embedder->hasTextTower());
        QVERIFY(!embedder->isReentrant());
        QCOMPARE(embedder->preferredBatchSize(), 16);
        QCOMPARE(embedder->preferredInputSide(), 32);
        QCOMPARE(embedder->minimumShortSide(), 32); // wide images keep a 32 px short side

        // Landscape, portrait, square, and smaller than the input (upscaled).
        const std::vector<QImage> images{rgb(120, 80, 1), rgb(50, 90, 2), rgb(64, 64, 3), rgb(20, 13, 4)};
        auto first = embedder->embedImages(images);
        QVERIFY2(first.ok(), qPrintable(first.errorMessage()));
        QCOMPARE(first->size(), images.size() * kDimension);
        for (size_t r = 0; r < images.size(); ++r)
            QVERIFY2(std::abs(rowNorm(*first, r, kDimension) - 1.0) < 1e-5, qPrintable(QString::number(rowNorm(*first, r, kDimension))));
        // Different pictures, different vectors.
        double cosine01 = 0.0;
        for (int i = 0; i < kDimension; ++i)
            cosine01 += double((*first)[size_t(i)]) * double((*first)[size_t(kDimension + i)]);
        QVERIFY2(cosine01 < 0.9999, qPrintable(QString::number(cosine01)));

        auto again = embedder->embedImages(images);
        QVERIFY(again.ok());
        QVERIFY2(*again == *first, "the same images gave different vectors");

        // 20 images cross the 16-image batch boundary; each row must not depend on its batch.
        std::vector<QImage> many;
        for (int i = 0; i < 20; ++i)
            many.push_back(rgb(40 + 3 * i, 70 - 2 * i, quint32(100 + i)));
        auto batched = embedder->embedImages(many);
        QVERIFY2(batched.ok(), qPrintable(batched.errorMessage()));
        std::vector<float> single;
        for (const QImage &image : many) {
            auto row = embedder->embedImages(std::span<const QImage>(&image, 1));
            QVERIFY2(row.ok(), qPrintable(row.errorMessage()));
            single.insert(single.end(), row->begin(), row->end());
        }
        LOOKALIKE_COMPARE_TENSOR((HostTensor{{20, kDimension}, *batched}), (HostTensor{{20, kDimension}, single}),
                                 kNormalizedTolerance, QStringLiteral("batch of 20 vs one by one"));

        auto empty = embedder->embedImages({});
        QVERIFY(empty.ok());
        QVERIFY(empty->empty());

        const std::vector<QImage> withNull{rgb(40, 40, 9), QImage()};
        auto failed = embedder->embedImages(withNull);
        QVERIFY(!failed.ok());
        QVERIFY2(failed.errorMessage().contains(QLatin1String("image 1")), qPrintable(failed.errorMessage()));
    }

    // "squash" to a non-square [h, w]: the module pools, so it takes any size.
    void squashAndOptionalKeys()
    {
        QJsonObject squash = baseSidecar();
        squash.insert(QStringLiteral("resize"), QStringLiteral("squash"));
        squash.insert(QStringLiteral("input_size"), QJsonArray{24, 40});
        squash.insert(QStringLiteral("interpolation"), QStringLiteral("bilinear"));
        squash.insert(QStringLiteral("dimension"), kDimension);
        const auto e = loadEncoder(encoderWithSidecar(QStringLiteral("squash"), QJsonDocument(squash).toJson()));
        QCOMPARE(e->inputSize(), QSize(40, 24));
        QCOMPARE(e->preferredInputSide(), 40);
        QCOMPARE(e->minimumShortSide(), 40);
        const PreprocessSpec spec = e->sidecar().preprocessSpec();
        QCOMPARE(spec.resample, int(PilFilter::Bilinear));
        QVERIFY(!spec.doCenterCrop);
        const std::vector<QImage> images{rgb(100, 30, 5)};
        auto rows = e->embedImages(images);
        QVERIFY2(rows.ok(), qPrintable(rows.errorMessage()));
        QCOMPARE(rows->size(), size_t(kDimension));

        QJsonObject larger = baseSidecar();
        larger.insert(QStringLiteral("resize_size"), 40);
        const auto l = loadEncoder(encoderWithSidecar(QStringLiteral("resize_size"), QJsonDocument(larger).toJson()));
        QCOMPARE(l->sidecar().preprocessSpec().shortestEdge, 40);
        QCOMPARE(l->sidecar().preprocessSpec().cropWidth, 32);
        QCOMPARE(l->preferredInputSide(), 40);
        QCOMPARE(l->minimumShortSide(), 40);
    }

    void rejectsBadSidecars_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("key");

        const QJsonObject base = baseSidecar();
        const auto without = [&](const char *key) {
            QJsonObject o = base;
            o.remove(QLatin1String(key));
            return QJsonDocument(o).toJson();
        };
        const auto with = [&](const char *key, const QJsonValue &v) {
            QJsonObject o = base;
            o.insert(QLatin1String(key), v);
            return QJsonDocument(o).toJson();
        };
        for (const char *key : {"name", "input_size", "resize", "mean", "std"})
            QTest::addRow("missing %s", key) << without(key) << QString::fromLatin1(key);
        QTest::newRow("name not a string") << with("name", 7) << QStringLiteral("name");
        QTest::newRow("name empty") << with("name", QString()) << QStringLiteral("name");
        QTest::newRow("input_size string") << with("input_size", QStringLiteral("32")) << QStringLiteral("input_size");
        QTest::newRow("input_size fractional") << with("input_size", 32.5) << QStringLiteral("input_size");
        QTest::newRow("input_size below 8") << with("input_size", 4) << QStringLiteral("input_size");
        QTest::newRow("input_size above 2048") << with("input_size", 4096) << QStringLiteral("input_size");
        QTest::newRow("input_size one item") << with("input_size", QJsonArray{32}) << QStringLiteral("input_size");
        QTest::newRow("input_size [h, 0]") << with("input_size", QJsonArray{32, 0}) << QStringLiteral("input_size");
        QTest::newRow("resize unknown") << with("resize", QStringLiteral("crop")) << QStringLiteral("resize");
        QTest::newRow("resize not a string") << with("resize", true) << QStringLiteral("resize");
        QTest::newRow("mean two items") << with("mean", QJsonArray{0.5, 0.5}) << QStringLiteral("mean");
        QTest::newRow("mean not numbers") << with("mean", QJsonArray{0.5, QStringLiteral("x"), 0.5}) << QStringLiteral("mean");
        QTest::newRow("mean a number") << with("mean", 0.5) << QStringLiteral("mean");
        QTest::newRow("std zero") << with("std", QJsonArray{0.2, 0.0, 0.2}) << QStringLiteral("std");
        QTest::newRow("std overflows float") << with("std", QJsonArray{0.2, 1e300, 0.2}) << QStringLiteral("std");
        QTest::newRow("dimension zero") << with("dimension", 0) << QStringLiteral("dimension");
        QTest::newRow("dimension string") << with("dimension", QStringLiteral("24")) << QStringLiteral("dimension");
        QTest::newRow("dimension differs") << with("dimension", 25) << QStringLiteral("dimension");
        QTest::newRow("resize_size below crop") << with("resize_size", 16) << QStringLiteral("resize_size");
        QJsonObject squash = base;
        squash.insert(QStringLiteral("resize"), QStringLiteral("squash"));
        squash.insert(QStringLiteral("resize_size"), 40);
        QTest::newRow("resize_size with squash") << QJsonDocument(squash).toJson() << QStringLiteral("resize_size");
        QTest::newRow("interpolation unknown") << with("interpolation", QStringLiteral("cubic")) << QStringLiteral("interpolation");
        QTest::newRow("unknown key") << with("input-size", 32) << QStringLiteral("input-size");
        QTest::newRow("not JSON") << QByteArray("{\"name\": \"x\",") << QStringLiteral("not valid JSON");
        QTest::newRow("not an object") << QByteArray("[1, 2]") << QStringLiteral("JSON object");
    }
    void rejectsBadSidecars()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, key);
        const QString pt = encoderWithSidecar(QStringLiteral("bad-sidecar"), json);
        auto e = TorchScriptEmbedder::load(pt);
        QVERIFY(!e.ok());
        const QString message = e.errorMessage();
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.contains(key), qPrintable(message));
        QVERIFY2(message.contains(TorchScriptEmbedder::sidecarPath(pt)) || message.contains(pt), qPrintable(message));
    }

    void rejectsMissingFiles()
    {
        const QString dir = file(QStringLiteral("no-sidecar"));
        QVERIFY(QDir().mkpath(dir));
        const QString pt = dir + QStringLiteral("/model.pt");
        QVERIFY(QFile::copy(encoderPath(), pt));
        auto noSidecar = TorchScriptEmbedder::load(pt);
        QVERIFY(!noSidecar.ok());
        QCOMPARE(noSidecar.error().code, Error::Code::NotFound);
        QVERIFY2(noSidecar.errorMessage().contains(dir + QStringLiteral("/model.json")), qPrintable(noSidecar.errorMessage()));

        auto noModule = TorchScriptEmbedder::load(dir + QStringLiteral("/absent.pt"));
        QVERIFY(!noModule.ok());
        QCOMPARE(noModule.error().code, Error::Code::NotFound);
    }

    void rejectsCorruptModules_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const QByteArray real = readFile(encoderPath());
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("this is not a zip archive, let alone TorchScript\n").repeated(50);
        QTest::newRow("truncated half") << real.left(real.size() / 2);
        QTest::newRow("truncated end") << real.left(real.size() - 10);
        // The zip's first local header. (Flipped bytes inside a tensor's data go unnoticed:
        // PyTorch's archive reader checks no CRC, so such a file loads with wrong weights.)
        QByteArray flipped = real;
        for (qsizetype i = 0; i < 64; ++i)
            flipped[i] = char(~flipped[i]);
        QTest::newRow("header flipped") << flipped;
        QTest::newRow("a PNG") << readFile(file(QStringLiteral("photo_0.png")));
    }
    void rejectsCorruptModules()
    {
        QFETCH(QByteArray, bytes);
        const QString pt = encoderWithSidecar(QStringLiteral("corrupt"), readFile(file(QStringLiteral("tiny_encoder.json"))));
        QVERIFY(writeFile(pt, bytes));
        auto e = TorchScriptEmbedder::load(pt);
        QVERIFY(!e.ok());
        qInfo("%s", qPrintable(e.errorMessage().left(300)));
        QVERIFY2(e.errorMessage().contains(pt), qPrintable(e.errorMessage()));
    }

    void rejectsBadOutputs_data()
    {
        QTest::addColumn<QString>("module");
        QTest::addColumn<QString>("expected");
        QTest::newRow("4-D output") << QStringLiteral("bad_output.pt") << QStringLiteral("returns 2 × 3 × 32 × 32");
        QTest::newRow("NaN output") << QStringLiteral("nan_output.pt") << QStringLiteral("NaN");
    }
    void rejectsBadOutputs()
    {
        QFETCH(QString, module);
        QFETCH(QString, expected);
        auto e = TorchScriptEmbedder::load(file(module));
        QVERIFY(!e.ok());
        qInfo("%s", qPrintable(e.errorMessage()));
        QVERIFY2(e.errorMessage().contains(expected), qPrintable(e.errorMessage()));
        QVERIFY2(e.errorMessage().contains(file(module)), qPrintable(e.errorMessage()));
    }

    void factoryAndRegistry()
    {
        const QString absolute = QFileInfo(encoderPath()).absoluteFilePath();
        const std::vector<QImage> images{rgb(70, 50, 11)};
        const auto direct = loadEncoder(absolute);
        auto reference = direct->embedImages(images);
        QVERIFY(reference.ok());

        for (const QString &id : QStringList{QStringLiteral("torchscript:") + absolute, absolute}) {
            auto e = EmbedderFactory::create(id);
            QVERIFY2(e.ok(), qPrintable(id + QStringLiteral(": ") + e.errorMessage()));
            QCOMPARE((*e)->dimension(), kDimension);
            QCOMPARE((*e)->id(), QStringLiteral("torchscript:") + absolute);
            auto rows = (*e)->embedImages(images);
            QVERIFY(rows.ok());
            QVERIFY(*rows == *reference);
        }

        auto missing = EmbedderFactory::create(QStringLiteral("torchscript:") + file(QStringLiteral("absent.pt")));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, Error::Code::NotFound);
        auto missingPlain = EmbedderFactory::create(file(QStringLiteral("absent.pt")));
        QVERIFY(!missingPlain.ok());
        QCOMPARE(missingPlain.error().code, Error::Code::NotFound);

        // A models folder: the encoder, one .pt without a sidecar (not listed), and a .pth
        // (not ours to list).
        const QString models = file(QStringLiteral("models"));
        QVERIFY(QDir().mkpath(models));
        QVERIFY(QFile::copy(encoderPath(), models + QStringLiteral("/tiny_encoder.pt")));
        QVERIFY(QFile::copy(file(QStringLiteral("tiny_encoder.json")), models + QStringLiteral("/tiny_encoder.json")));
        QVERIFY(QFile::copy(encoderPath(), models + QStringLiteral("/orphan.pt")));
        QVERIFY(QFile::copy(encoderPath(), models + QStringLiteral("/other.pth")));
        QVERIFY(QFile::copy(file(QStringLiteral("tiny_encoder.json")), models + QStringLiteral("/other.json")));
        const QByteArray previous = qgetenv("LOOKALIKE_MODELS_DIR");
        qputenv("LOOKALIKE_MODELS_DIR", models.toUtf8());
        const auto restore = qScopeGuard([&] {
            if (previous.isNull())
                qunsetenv("LOOKALIKE_MODELS_DIR");
            else
                qputenv("LOOKALIKE_MODELS_DIR", previous);
        });

        QCOMPARE(ModelRegistry::installedIds(), QStringList{QStringLiteral("torchscript:tiny_encoder")});
        auto installed = EmbedderFactory::create(QStringLiteral("torchscript:tiny_encoder"));
        QVERIFY2(installed.ok(), qPrintable(installed.errorMessage()));
        QCOMPARE((*installed)->id(), QStringLiteral("torchscript:tiny_encoder"));
        QCOMPARE((*installed)->dimension(), kDimension);
        auto rows = (*installed)->embedImages(images);
        QVERIFY(rows.ok());
        QVERIFY(*rows == *reference);
        // The absolute path of a file in the models folder gets the short id too.
        auto byPath = EmbedderFactory::create(models + QStringLiteral("/tiny_encoder.pt"));
        QVERIFY2(byPath.ok(), qPrintable(byPath.errorMessage()));
        QCOMPARE((*byPath)->id(), QStringLiteral("torchscript:tiny_encoder"));

        auto orphan = EmbedderFactory::create(QStringLiteral("torchscript:orphan"));
        QVERIFY(!orphan.ok());
        QCOMPARE(orphan.error().code, Error::Code::NotFound);
        QVERIFY2(orphan.errorMessage().contains(QLatin1String("orphan.json")), qPrintable(orphan.errorMessage()));

        for (const char *bad : {"torchscript:", "torchscript:../tiny_encoder", "torchscript:sub/tiny_encoder"}) {
            auto e = EmbedderFactory::create(QLatin1String(bad));
            QVERIFY2(!e.ok(), bad);
            QCOMPARE(e.error().code, Error::Code::InvalidArgument);
        }
        auto absent = EmbedderFactory::create(QStringLiteral("torchscript:absent"));
        QVERIFY(!absent.ok());
        QCOMPARE(absent.error().code, Error::Code::NotFound);

        // Ids of other forms are still not ours.
        QVERIFY(!ModelRegistry::resolve(QStringLiteral("tiny_encoder")).has_value());
        QVERIFY(!ModelRegistry::resolve(file(QStringLiteral("photo_0.png"))).has_value());
    }
};

QTEST_GUILESS_MAIN(TestTorchScriptEmbedder)
#include "tst_torchscriptembedder.moc"
