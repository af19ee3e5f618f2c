#include "models/imagepreprocessor.h"
#include "models/pilresample.h"
#include "models/preprocessorconfig.h"
#include "models/safetensors.h"
#include "testsupport.h"

#include <QImage>
#include <QTest>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>

using namespace lookalike;

Q_DECLARE_METATYPE(lookalike::PreprocessSpec::Mode)

namespace {

// Reference outputs of openai/CLIP, transformers' CLIPImageProcessor and SiglipImageProcessor
// (Pillow 9.4) for four PNGs; see ../shared/testdata/models/README.md, "preprocess/".
QString preprocessDir()
{
    return test::testDataDir() + QStringLiteral("/models/preprocess");
}

std::shared_ptr<SafetensorsFile> openExpected(const QString &file)
{
    auto opened = SafetensorsFile::open(preprocessDir() + QLatin1Char('/') + file);
    if (!opened) {
        qWarning("%s: %s", qPrintable(file), qPrintable(opened.errorMessage()));
        return {};
    }
    return *opened;
}

std::vector<std::uint8_t> uint8Tensor(const SafetensorsFile &file, const QString &name)
{
    const TensorInfo *info = file.find(name);
    if (!info || info->dtype != TensorDType::U8)
        return {};
    const auto bytes = file.bytes(*info);
    std::vector<std::uint8_t> out(bytes.size());
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
}

int maxLevelDifference(const std::vector<std::uint8_t> &a, const std::vector<std::uint8_t> &b)
{
    int worst = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
    return worst;
}

double maxAbsDifference(std::span<const float> a, std::span<const float> b)
{
    double worst = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
    return worst;
}

PreprocessSpec specFor(PreprocessSpec::Mode mode, int size)
{
    switch (mode) {
    case PreprocessSpec::Mode::ClipOpenAi: return PreprocessSpec::clipOpenAi(size);
    case PreprocessSpec::Mode::ClipHf: return PreprocessSpec::clipHf(size);
    case PreprocessSpec::Mode::Siglip: return PreprocessSpec::siglip(size);
    }
    return {};
}

const char *const kStems[] = {"gradient_shapes_300x180", "noise_gray_256x256", "alpha_rgba_150x254",
                              "photo_like_512x384"};

} // namespace

class TestPreprocess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pngsKeepTheirMode();
    void parity_data();
    void parity();
    void tinyModelInputs_data();
    void tinyModelInputs();
    void batchEqualsSingleImages();
    void alphaIsPremultipliedOnlyForOpenAi();
    void cropOffsetsAndPadding();
    void resampleShortcutsAndErrors();
    void invalidSpecsAreRefused();
    void openCvBicubicIsFarOff();
};

// The reference resized grey images as "L" and the RGBA image as "RGBA"; QImage must give
// the same modes, or the comparison below would test a conversion instead.
void TestPreprocess::pngsKeepTheirMode()
{
    QVERIFY2(!test::testDataDir().isEmpty(), "LOOKALIKE_TESTDATA is not set");
    const QImage grey(preprocessDir() + QStringLiteral("/noise_gray_256x256.png"));
    QCOMPARE(grey.format(), QImage::Format_Grayscale8);
    QCOMPARE(ImagePreprocessor::toPilImage(grey).channels, 1);
    const QImage alpha(preprocessDir() + QStringLiteral("/alpha_rgba_150x254.png"));
    QCOMPARE(alpha.format(), QImage::Format_ARGB32);
    QCOMPARE(ImagePreprocessor::toPilImage(alpha).channels, 4);
    const QImage rgb(preprocessDir() + QStringLiteral("/photo_like_512x384.png"));
    QCOMPARE(ImagePreprocessor::toPilImage(rgb).channels, 3);
}

void TestPreprocess::parity_data()
{
    QTest::addColumn<QString>("stem");
    QTest::addColumn<PreprocessSpec::Mode>("mode");
    QTest::addColumn<QString>("expectedFile");
    QTest::addColumn<QString>("uint8Name");

    for (const char *stem : kStems) {
        const QString s = QLatin1String(stem);
        QTest::addRow("openai %s", stem) << s << PreprocessSpec::Mode::ClipOpenAi
                                         << QStringLiteral("expected_clip_openai.safetensors")
                                         << QStringLiteral("resized_cropped_uint8");
        // transformers equals openai bit for bit except on the RGBA image (README).
        const bool differs = s.startsWith(QLatin1String("alpha"));
        QTest::addRow("hf %s", stem) << s << PreprocessSpec::Mode::ClipHf
                                     << (differs ? QStringLiteral("expected_clip_hf_where_different.safetensors")
                                                 : QStringLiteral("expected_clip_openai.safetensors"))
                                     << QStringLiteral("resized_cropped_uint8");
        QTest::addRow("siglip %s", stem) << s << PreprocessSpec::Mode::Siglip
                                         << QStringLiteral("expected_siglip.safetensors")
                                         << QStringLiteral("resized_uint8");
    }
}

// The uint8 image after resize and crop is exact (a port of Pillow's resampler, not an
// approximation: a 1-level slip would show here), and pixel_values then agree to 1e-6.
void TestPreprocess::parity()
{
    QFETCH(QString, stem);
    QFETCH(PreprocessSpec::Mode, mode);
    QFETCH(QString, expectedFile);
    QFETCH(QString, uint8Name);

    const QImage image(preprocessDir() + QLatin1Char('/') + stem + QStringLiteral(".png"));
    QVERIFY2(!image.isNull(), qPrintable(stem));
    const auto expected = openExpected(expectedFile);
    QVERIFY(expected);
    const std::vector<std::uint8_t> expectedUint8 = uint8Tensor(*expected, stem + QLatin1Char('.') + uint8Name);
    QCOMPARE(expectedUint8.size(), std::size_t(224 * 224 * 3));
    const auto expectedValues = expected->toFloat32(stem + QStringLiteral(".pixel_values"));
    QVERIFY2(expectedValues, qPrintable(expectedValues.errorMessage()));

    auto preprocessor = ImagePreprocessor::create(specFor(mode, 224));
    QVERIFY2(preprocessor, qPrintable(preprocessor.errorMessage()));
    QCOMPARE(preprocessor->outputSize(), QSize(224, 224));

    const auto rgb = preprocessor->resizedRgb(image);
    QVERIFY2(rgb, qPrintable(rgb.errorMessage()));
    QCOMPARE(rgb->width, 224);
    QCOMPARE(rgb->height, 224);
    QCOMPARE(rgb->channels, 3);
    const int levels = maxLevelDifference(rgb->pixels, expectedUint8);
    const auto differing = std::inner_product(rgb->pixels.begin(), rgb->pixels.end(), expectedUint8.begin(),
                                              qsizetype(0), std::plus<>(), std::not_equal_to<>());
    if (levels != 0)
        qWarning("%s: %lld values differ, by up to %d levels", qPrintable(stem), qlonglong(differing), levels);
    QCOMPARE(levels, 0);

    const auto values = preprocessor->process(image);
    QVERIFY2(values, qPrintable(values.errorMessage()));
    QCOMPARE(values->size(), expectedValues->size());
    const double diff = maxAbsDifference(*values, *expectedValues);
    QVERIFY2(diff <= 1e-6, qPrintable(QStringLiteral("pixel_values differ by %1").arg(diff)));
}

// The tiny models' inputs were made with the same pipelines at 48 px (a heavier downscale),
// here configured from the model folders' preprocessor_config.json.
void TestPreprocess::tinyModelInputs_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("stem");
    QTest::addColumn<bool>("openAi");

    // clip-tiny's inputs come from openai's _transform(48); transformers agrees on RGB images.
    const QString clip = QStringLiteral("clip-tiny");
    const QString gradient = QStringLiteral("gradient_shapes_300x180");
    const QString photo = QStringLiteral("photo_like_512x384");
    QTest::newRow("clip gradient openai") << clip << 1 << gradient << true;
    QTest::newRow("clip gradient hf") << clip << 1 << gradient << false;
    QTest::newRow("clip photo openai") << clip << 2 << photo << true;
    QTest::newRow("clip photo hf") << clip << 2 << photo << false;
    QTest::newRow("siglip gradient") << QStringLiteral("siglip-tiny") << 1 << gradient << false;
    QTest::newRow("siglip rgba") << QStringLiteral("siglip-tiny") << 2 << QStringLiteral("alpha_rgba_150x254") << false;
}

void TestPreprocess::tinyModelInputs()
{
    QFETCH(QString, folder);
    QFETCH(int, index);
    QFETCH(QString, stem);
    QFETCH(bool, openAi);

    const QString dir = test::testDataDir() + QStringLiteral("/models/") + folder;
    auto inputs = SafetensorsFile::open(dir + QStringLiteral("/inputs.safetensors"));
    QVERIFY2(inputs, qPrintable(inputs.errorMessage()));
    const auto all = (*inputs)->toFloat32(QStringLiteral("pixel_values"));
    QVERIFY2(all, qPrintable(all.errorMessage()));
    constexpr std::size_t per = 3 * 48 * 48;
    QCOMPARE(all->size(), 3 * per);
    const std::span<const float> expected(all->data() + index * per, per);

    const auto config = PreprocessorConfig::fromFile(dir + QStringLiteral("/preprocessor_config.json"));
    QVERIFY2(config, qPrintable(config.errorMessage()));
    PreprocessSpec spec = PreprocessSpec::fromConfig(*config);
    QCOMPARE(spec.mode, folder.startsWith(QLatin1String("siglip")) ? PreprocessSpec::Mode::Siglip
                                                                    : PreprocessSpec::Mode::ClipHf);
    if (openAi)
        spec.mode = PreprocessSpec::Mode::ClipOpenAi;
    auto preprocessor = ImagePreprocessor::create(spec);
    QVERIFY2(preprocessor, qPrintable(preprocessor.errorMessage()));
    QCOMPARE(preprocessor->outputSize(), QSize(48, 48));
    const QImage image(preprocessDir() + QLatin1Char('/') + stem + QStringLiteral(".png"));
    const auto values = preprocessor->process(image);
    QVERIFY2(values, qPrintable(values.errorMessage()));
    const double diff = maxAbsDifference(*values, expected);
    QVERIFY2(diff <= 1e-6, qPrintable(QStringLiteral("pixel_values differ by %1").arg(diff)));
}

void TestPreprocess::batchEqualsSingleImages()
{
    auto preprocessor = ImagePreprocessor::create(PreprocessSpec::clipOpenAi(64));
    QVERIFY(preprocessor);
    QList<QImage> images;
    for (const char *stem : kStems)
        images.append(QImage(preprocessDir() + QLatin1Char('/') + QLatin1String(stem) + QStringLiteral(".png")));
    const auto batch = preprocessor->processBatch(images);
    QVERIFY2(batch, qPrintable(batch.errorMessage()));
    const std::size_t per = std::size_t(preprocessor->valuesPerImage());
    QCOMPARE(per, std::size_t(3 * 64 * 64));
    QCOMPARE(batch->size(), per * images.size());
    for (qsizetype i = 0; i < images.size(); ++i) {
        const auto single = preprocessor->process(images[i]);
        QVERIFY(single);
        QVERIFY(std::equal(single->begin(), single->end(), batch->begin() + i * per));
    }

    images.insert(1, QImage());
    const auto failed = preprocessor->processBatch(images);
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, Error::Code::InvalidArgument);
    QVERIFY2(failed.errorMessage().contains(QLatin1String("Image 2")), qPrintable(failed.errorMessage()));
}

// Colour under transparent pixels must not bleed into the openai result (Pillow resizes RGBA
// premultiplied), while transformers drops alpha first and keeps that colour.
void TestPreprocess::alphaIsPremultipliedOnlyForOpenAi()
{
    QImage image(8, 8, QImage::Format_ARGB32);
    image.fill(qRgba(255, 0, 0, 0)); // red, fully transparent
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 4; ++x)
            image.setPixel(x, y, qRgba(0, 0, 255, 255));

    auto openAi = ImagePreprocessor::create(PreprocessSpec::clipOpenAi(4));
    auto hf = ImagePreprocessor::create(PreprocessSpec::clipHf(4));
    QVERIFY(openAi && hf);
    const auto a = openAi->resizedRgb(image);
    const auto b = hf->resizedRgb(image);
    QVERIFY(a && b);
    // Column 2 (centre 5.0 in the source) mixes the opaque blue and the transparent red.
    const std::uint8_t *pa = a->row(1) + 2 * 3;
    const std::uint8_t *pb = b->row(1) + 2 * 3;
    QCOMPARE(int(pa[0]), 0);   // premultiplied: no red from transparent pixels
    QVERIFY(int(pb[0]) > 100); // straight: red leaks in
    // Column 3 comes out fully transparent: premultiplied, its colour is gone (black), while
    // transformers keeps the hidden red.
    const std::uint8_t *ta = a->row(1) + 3 * 3;
    const std::uint8_t *tb = b->row(1) + 3 * 3;
    QCOMPARE((std::array<int, 3>{ta[0], ta[1], ta[2]}), (std::array<int, 3>{0, 0, 0}));
    QCOMPARE(int(tb[0]), 255);

    // Premultiply/unpremultiply round Pillow's way.
    Image8 px(1, 1, 4);
    px.pixels = {200, 100, 1, 128};
    PilResample::premultiplyAlpha(px);
    QCOMPARE(px.pixels, (std::vector<std::uint8_t>{100, 50, 1, 128}));
    PilResample::unpremultiplyAlpha(px);
    QCOMPARE(px.pixels, (std::vector<std::uint8_t>{199, 99, 1, 128}));
}

// torchvision rounds the crop offset half to even and pads (crop − size) // 2 before;
// transformers floors it and pads ceil((crop − size) / 2) before. Padding is zero.
void TestPreprocess::cropOffsetsAndPadding()
{
    // A 7×3 grey image whose value is its column; no resize, crop 4×5.
    QImage image(7, 3, QImage::Format_Grayscale8);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 7; ++x)
            image.scanLine(y)[x] = uchar(10 * (x + 1));

    PreprocessSpec spec = PreprocessSpec::clipOpenAi(4);
    spec.doResize = false;
    spec.cropWidth = 4;
    spec.cropHeight = 6;
    auto openAi = ImagePreprocessor::create(spec);
    spec.mode = PreprocessSpec::Mode::ClipHf;
    auto hf = ImagePreprocessor::create(spec);
    QVERIFY(openAi && hf);
    const auto a = openAi->resizedRgb(image);
    const auto b = hf->resizedRgb(image);
    QVERIFY(a && b);
    QCOMPARE(a->width, 4);
    QCOMPARE(a->height, 6);
    // Horizontal offset: round(1.5) = 2 vs 3 // 2 = 1.
    // Vertical padding of 3 rows: 1 before (torchvision) vs 2 before (transformers).
    QCOMPARE(int(a->row(0)[0]), 0);
    QCOMPARE(int(a->row(1)[0]), 30);
    QCOMPARE(int(a->row(3)[0]), 30);
    QCOMPARE(int(a->row(4)[0]), 0);
    QCOMPARE(int(b->row(1)[0]), 0);
    QCOMPARE(int(b->row(2)[0]), 20);
    QCOMPARE(int(b->row(4)[0]), 20);
    QCOMPARE(int(b->row(5)[0]), 0);
}

void TestPreprocess::resampleShortcutsAndErrors()
{
    Image8 image(5, 4, 3);
    for (std::size_t i = 0; i < image.pixels.size(); ++i)
        image.pixels[i] = std::uint8_t(i * 37);

    // Same size without a box: a copy, for every filter.
    for (int code = 0; code <= 5; ++code) {
        const auto same = PilResample::resize(image, 5, 4, PilFilter(code));
        QVERIFY(same);
        QCOMPARE(same->pixels, image.pixels);
    }
    // Only the horizontal pass: rows are untouched in count and order.
    const auto wider = PilResample::resize(image, 9, 4, PilFilter::Bicubic);
    QVERIFY(wider);
    QCOMPARE(wider->height, 4);
    // Nearest picks source pixels: a 2× upscale repeats each one.
    const auto nearest = PilResample::resize(image, 10, 8, PilFilter::Nearest);
    QVERIFY(nearest);
    QVERIFY(std::equal(image.row(0), image.row(0) + 3, nearest->row(1)));
    QVERIFY(std::equal(image.row(0) + 3, image.row(0) + 6, nearest->row(1) + 6));
    // A box selects a region: the box of one pixel, resized to one pixel, is that pixel.
    const auto one = PilResample::resize(image, 1, 1, PilFilter::Bicubic, std::array<float, 4>{2, 1, 3, 2});
    QVERIFY(one);
    QVERIFY(std::equal(image.row(1) + 6, image.row(1) + 9, one->pixels.begin()));

    QVERIFY(!PilResample::resize(image, 0, 4, PilFilter::Bicubic));
    QVERIFY(!PilResample::resize(Image8(), 3, 3, PilFilter::Bicubic));
    QVERIFY(!PilResample::resize(image, 3, 3, PilFilter::Bicubic, std::array<float, 4>{-1, 0, 3, 3}));
    QVERIFY(!PilResample::resize(image, 3, 3, PilFilter::Bicubic, std::array<float, 4>{0, 0, 6, 3}));
    QVERIFY(!PilResample::resize(image, 3, 3, PilFilter::Bicubic, std::array<float, 4>{3, 0, 2, 3}));
    QVERIFY(!PilResample::filterFromCode(6));
    QCOMPARE(*PilResample::filterFromCode(1), PilFilter::Lanczos);
}

void TestPreprocess::invalidSpecsAreRefused()
{
    PreprocessSpec spec = PreprocessSpec::clipHf();
    spec.resample = 7;
    QCOMPARE(ImagePreprocessor::create(spec).error().code, Error::Code::InvalidArgument);
    spec = PreprocessSpec::clipHf();
    spec.std[1] = 0;
    QCOMPARE(ImagePreprocessor::create(spec).error().code, Error::Code::InvalidArgument);
    spec = PreprocessSpec::siglip();
    spec.width = 0;
    QCOMPARE(ImagePreprocessor::create(spec).error().code, Error::Code::InvalidArgument);
    spec = PreprocessSpec::clipHf();
    spec.doCenterCrop = false; // the output size would follow the image's aspect
    QCOMPARE(ImagePreprocessor::create(spec).error().code, Error::Code::Unsupported);

    auto ok = ImagePreprocessor::create(PreprocessSpec::siglip(32));
    QVERIFY(ok);
    QCOMPARE(ok->process(QImage()).error().code, Error::Code::InvalidArgument);
    std::vector<float> small(10);
    QCOMPARE(ok->processInto(QImage(4, 4, QImage::Format_RGB888), small).error().code,
             Error::Code::InvalidArgument);
}

// Informative: why the resampler is ported instead of taking OpenCV's (README table).
void TestPreprocess::openCvBicubicIsFarOff()
{
    const auto expected = openExpected(QStringLiteral("expected_siglip.safetensors"));
    QVERIFY(expected);
    for (const char *stem : {"gradient_shapes_300x180", "photo_like_512x384"}) {
        QImage image(preprocessDir() + QLatin1Char('/') + QLatin1String(stem) + QStringLiteral(".png"));
        image = image.convertToFormat(QImage::Format_RGB888);
        const cv::Mat src(image.height(), image.width(), CV_8UC3, const_cast<uchar *>(image.constBits()),
                          size_t(image.bytesPerLine()));
        cv::Mat dst;
        cv::resize(src, dst, cv::Size(224, 224), 0, 0, cv::INTER_CUBIC);
        std::vector<std::uint8_t> cvPixels(dst.data, dst.data + dst.total() * dst.elemSize());
        const auto reference = uint8Tensor(*expected, QLatin1String(stem) + QStringLiteral(".resized_uint8"));
        const int levels = maxLevelDifference(cvPixels, reference);
        qInfo("%s, SigLIP 224: OpenCV INTER_CUBIC is up to %d levels from Pillow; the port 0", stem, levels);
        QVERIFY(levels > 1);
    }
}

QTEST_GUILESS_MAIN(TestPreprocess)

#include "tst_preprocess.moc"
