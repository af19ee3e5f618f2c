// ImageDecoder and ThumbnailEncoder against a corpus generated at test time: every format
// Lookalike reads, the pixel layouts that need conversion, and hostile or broken input.
#include "media/imagedecoder.h"
#include "media/imageops.h"
#include "media/svgrasteriser.h"
#include "media/thumbnailencoder.h"
#include "testsupport.h"

#include <QBuffer>
#include <QColorSpace>
#include <QDir>
#include <QImageReader>
#include <QImageWriter>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

#include <algorithm>
#include <cerrno>
#include <numeric>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace lookalike;

Q_DECLARE_METATYPE(lookalike::Error::Code)

namespace lookalike {
// Lets QCOMPARE print error codes by name.
char *toString(Error::Code code)
{
    static const char *const names[] = {"Generic", "NotFound", "InvalidArgument", "Io", "Corrupt",
                                        "Unsupported", "TooLarge", "Busy", "Cancelled"};
    return qstrdup(names[int(code)]);
}
} // namespace lookalike

namespace {

// Makes the PIL-only fixtures: a CMYK JPEG (Adobe APP14, inverted, as PIL writes it), an
// animated GIF (Qt cannot write GIF) and a JPEG whose EXIF orientation is 6.
const char kPilScript[] = R"(
import sys
from PIL import Image
out = sys.argv[1]
Image.new('CMYK', (40, 30), (0, 255, 255, 0)).save(out + '/cmyk.jpg', quality=95)
frames = [Image.new('RGB', (40, 30), c) for c in ((255, 0, 0), (0, 0, 255))]
frames[0].save(out + '/animated.gif', save_all=True, append_images=frames[1:], duration=100, loop=0)
img = Image.new('RGB', (60, 40), (255, 255, 255))
img.paste((255, 0, 0), (0, 0, 12, 12))
exif = Image.Exif()
exif[0x0112] = 6
img.save(out + '/exif6.jpg', quality=95, exif=exif.tobytes())
)";

// One raw string per line: Qt 6.4's moc loses the rest of the file after a multi-line raw
// string that contains "//".
const char kGoodSvg[] =
    R"(<?xml version="1.0" encoding="UTF-8"?>)" "\n"
    R"(<!-- a comment before the root -->)" "\n"
    R"(<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">)" "\n"
    R"(<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink")"
    R"( width="200" height="100" viewBox="0 0 200 100">)"
    R"(<defs><rect id="square" width="100" height="100" fill="#ff0000"/></defs>)"
    R"(<use xlink:href="#square"/></svg>)";

const char kEntitySvg[] =
    R"(<?xml version="1.0"?>)"
    R"(<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>)"
    R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;</text></svg>)";

const char kBillionLaughsSvg[] =
    R"(<?xml version="1.0"?>)"
    R"(<!DOCTYPE svg [)"
    R"(<!ENTITY a "laugh laugh laugh laugh laugh laugh laugh laugh laugh laugh">)"
    R"(<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">)"
    R"(<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">)"
    R"(<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">)"
    R"(<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">)"
    R"(<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">)"
    R"(<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">)"
    R"(<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">)"
    R"(<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">)"
    R"(]>)"
    R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&i;</text></svg>)";

// %1: the href attribute.
const char kImageRefSvg[] =
    R"(<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink")"
    R"( width="10" height="10"><image %1 width="10" height="10"/></svg>)";

// How Adobe Illustrator writes every SVG it exports: plain internal entities, used in attributes.
const char kIllustratorSvg[] =
    R"(<?xml version="1.0" encoding="UTF-8"?>)" "\n"
    R"(<!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' 'http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd' [)" "\n"
    R"(<!ENTITY ns_svg "http://www.w3.org/2000/svg">)" "\n"
    R"(<!ENTITY ns_xlink "http://www.w3.org/1999/xlink">)" "\n"
    R"(<!ENTITY red "#ff0000">)" "\n"
    R"(]>)" "\n"
    R"(<svg xmlns="&ns_svg;" xmlns:xlink="&ns_xlink;" width="20" height="10">)"
    R"(<rect width="10" height="10" fill="&red;"/></svg>)";

const char kParameterEntitySvg[] =
    R"(<?xml version="1.0"?>)"
    R"(<!DOCTYPE svg [<!ENTITY % p "<!ENTITY x 'y'>"> %p;]>)"
    R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>)";

// %1: an entity value, %2: references to it.
const char kEntityUseSvg[] =
    R"(<?xml version="1.0"?>)"
    R"(<!DOCTYPE svg [<!ENTITY e "%1">]>)"
    R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><desc>%2</desc></svg>)";

const char kStylesheetSvg[] =
    R"(<?xml version="1.0"?>)"
    R"(<?xml-stylesheet type="text/css" href="style.css"?>)"
    R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>)";

const char kMalformedSvg[] = R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect></svg>)";
const char kZeroSizeSvg[] = R"(<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"><rect/></svg>)";
const char kZeroViewBoxSvg[] = R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 0 0"><rect/></svg>)";

const char kTextSvg[] =
    R"(<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">)"
    R"(<text x="5" y="80" font-size="80" fill="#000000">W</text></svg>)";

const char kHtml[] = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not found</body></html>\n";

QByteArray encoded(const QImage &image, const char *format, int quality = -1)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(quality);
    if (!writer.write(image))
        qFatal("cannot encode test image as %s: %s", format, qPrintable(writer.errorString()));
    return bytes;
}

QImage alphaImage()
{
    // Left third transparent but green in its colour channels, middle third half-transparent
    // blue, right third opaque red.
    QImage image(60, 20, QImage::Format_ARGB32);
    for (int y = 0; y < image.height(); ++y) {
        auto *row = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < 20; ++x) {
            row[x] = qRgba(0, 255, 0, 0);
            row[x + 20] = qRgba(0, 0, 255, 128);
            row[x + 40] = qRgba(255, 0, 0, 255);
        }
    }
    return image;
}

QImage paletteImage()
{
    QImage image(64, 48, QImage::Format_Indexed8);
    image.setColorTable({qRgb(10, 200, 30), qRgb(250, 250, 0)});
    image.fill(0);
    return image;
}

QImage filled(QSize size, QImage::Format format, QRgba64 colour)
{
    QImage image(size, format);
    image.fill(QColor::fromRgba64(colour));
    return image;
}

bool closeTo(QRgb actual, QRgb expected, int tolerance)
{
    return qAbs(qRed(actual) - qRed(expected)) <= tolerance && qAbs(qGreen(actual) - qGreen(expected)) <= tolerance
           && qAbs(qBlue(actual) - qBlue(expected)) <= tolerance;
}

QString describe(QRgb colour)
{
    return QStringLiteral("(%1, %2, %3)").arg(qRed(colour)).arg(qGreen(colour)).arg(qBlue(colour));
}

double meanAbsoluteDifference(const QImage &a, const QImage &b)
{
    const QImage x = a.convertToFormat(QImage::Format_RGB888);
    const QImage y = b.convertToFormat(QImage::Format_RGB888);
    qint64 sum = 0;
    for (int row = 0; row < x.height(); ++row) {
        const uchar *p = x.constScanLine(row);
        const uchar *q = y.constScanLine(row);
        for (int i = 0; i < x.width() * 3; ++i)
            sum += qAbs(int(p[i]) - int(q[i]));
    }
    return double(sum) / (qint64(x.width()) * x.height() * 3);
}

} // namespace

class TestImageDecoder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void sniffFormat_data();
    void sniffFormat();

    void decodesByContent_data();
    void decodesByContent();
    void pixelsAreConverted_data();
    void pixelsAreConverted();
    void alphaUsesTheBackgroundOption();
    void exifOrientationIsApplied_data();
    void exifOrientationIsApplied();
    void largeJpegIsDecodedAtReducedScale();
    void shortSideIsKeptForShortestEdgeEmbedders();
    void embeddedIccProfileIsConvertedToSrgb();

    void refusesBadInput_data();
    void refusesBadInput();
    void truncatedJpegIsCorruptWhereverItIsCut_data();
    void truncatedJpegIsCorruptWhereverItIsCut();
    void pixelCapIsCheckedBeforeDecoding();
    void jpegCountsPixelsAtItsDecodedScale();
    void svgCapsAreEnforced();

    void svgIsRasterisedToFit_data();
    void svgIsRasterisedToFit();
    void svgTextIsRendered();
    void svgInternalEntitiesAreExpanded();
    void svgAllowsDataUris();

    void specialFilesAreRefusedWithoutOpening_data();
    void specialFilesAreRefusedWithoutOpening();
    void unreadablePathsGiveSystemErrors();
    void oversizedFileIsRefused();
    void unusualFileNames();

    void decodingIsThreadSafe();

    void thumbnailFitsWithoutUpscaling_data();
    void thumbnailFitsWithoutUpscaling();
    void thumbnailQualityControlsSize();
    void thumbnailFlattensAlpha();
    void thumbnailOfNothingIsEmpty();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    void write(const QString &name, const QByteArray &bytes);
    void writeCorpus();
    void writePilCorpus();

    QTemporaryDir m_dir;
};

void TestImageDecoder::write(const QString &name, const QByteArray &bytes)
{
    QFile file(path(name));
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(file.errorString()));
    QCOMPARE(file.write(bytes), bytes.size());
}

void TestImageDecoder::initTestCase()
{
    QVERIFY(m_dir.isValid());
    writeCorpus();
    writePilCorpus();
}

void TestImageDecoder::writeCorpus()
{
    using namespace lookalike::test;
    const QByteArray photo = encoded(makeSyntheticImage(320, 240, 1), "jpeg", 90);
    write(QStringLiteral("photo.png"), photo); // JPEG content, misleading extension
    write(QStringLiteral("picture.jpg"), encoded(makeSyntheticImage(300, 200, 2), "png"));
    write(QStringLiteral("big.jpg"), encoded(makeSyntheticImage(4000, 3000, 3), "jpeg", 90));
    write(QStringLiteral("one.png"), encoded(filled({1, 1}, QImage::Format_RGB32, qRgba64(0, 0xFFFF, 0, 0xFFFF)), "png"));
    write(QStringLiteral("gray.png"), encoded(filled({64, 48}, QImage::Format_Grayscale8, qRgba64(0x5050, 0x5050, 0x5050, 0xFFFF)), "png"));
    write(QStringLiteral("palette.png"), encoded(paletteImage(), "png"));
    write(QStringLiteral("alpha.png"), encoded(alphaImage(), "png"));
    const QRgba64 orange = qRgba64(0xFFFF, 0x8080, 0x0000, 0xFFFF);
    write(QStringLiteral("deep.png"), encoded(filled({64, 48}, QImage::Format_RGBA64, orange), "png"));
    write(QStringLiteral("deepgray.png"), encoded(filled({64, 48}, QImage::Format_Grayscale16, qRgba64(0x8080, 0x8080, 0x8080, 0xFFFF)), "png"));
    write(QStringLiteral("deep.tiff"), encoded(filled({64, 48}, QImage::Format_RGBA64, orange), "tiff"));
    write(QStringLiteral("plain.tiff"), encoded(makeSyntheticImage(80, 60, 4), "tiff"));
    write(QStringLiteral("plain.bmp"), encoded(makeSyntheticImage(80, 60, 5), "bmp"));
    write(QStringLiteral("plain.webp"), encoded(makeSyntheticImage(80, 60, 6), "webp", 90));
    write(QStringLiteral("vector.svg"), kGoodSvg);

    // The 16-bit fixtures must really be 16-bit, or the conversion they test is not exercised.
    for (const char *deep : {"deep.png", "deep.tiff", "deepgray.png"}) {
        const QImage check(path(QLatin1StringView(deep)));
        QVERIFY2(check.depth() == 64 || check.format() == QImage::Format_Grayscale16, deep);
    }

    write(QStringLiteral("empty.jpg"), {});
    write(QStringLiteral("page.jpg"), kHtml);
    write(QStringLiteral("notes.png"), "just some text, not an image\n");
    write(QStringLiteral("garbage.jpg"), QByteArray("\xFF\xD8\xFF\xE0", 4) + QByteArray(2000, '\x5A'));
    write(QStringLiteral("huge.png"), lookalike::test::pngHeaderClaiming(30000, 30000));
    write(QStringLiteral("zerowidth.png"), lookalike::test::pngHeaderClaiming(0, 100));
    const QByteArray png = encoded(makeSyntheticImage(200, 150, 7), "png");
    write(QStringLiteral("truncated.png"), png.left(png.size() / 2));
    const QByteArray bmp = encoded(makeSyntheticImage(200, 150, 8), "bmp");
    write(QStringLiteral("truncated.bmp"), bmp.left(bmp.size() / 2));
    const QByteArray tiff = encoded(makeSyntheticImage(200, 150, 9), "tiff");
    write(QStringLiteral("truncated.tiff"), tiff.left(tiff.size() / 2));
    const QByteArray webp = encoded(makeSyntheticImage(200, 150, 10), "webp");
    write(QStringLiteral("truncated.webp"), webp.left(webp.size() / 2));
    write(QStringLiteral("truncated.jpg"), photo.left(photo.size() * 6 / 10));

    write(QStringLiteral("entity.svg"), kEntitySvg);
    write(QStringLiteral("laughs.svg"), kBillionLaughsSvg);
    write(QStringLiteral("fileimage.svg"), QString::fromLatin1(kImageRefSvg).arg(QStringLiteral("xlink:href=\"file://%1\"").arg(path(QStringLiteral("one.png")))).toUtf8());
    write(QStringLiteral("pathimage.svg"), QString::fromLatin1(kImageRefSvg).arg(QStringLiteral("xlink:href=\"%1\"").arg(path(QStringLiteral("one.png")))).toUtf8());
    write(QStringLiteral("httpimage.svg"), QString::fromLatin1(kImageRefSvg).arg(QStringLiteral("href=\"http://192.0.2.1/x.png\"")).toUtf8());
    write(QStringLiteral("parameter.svg"), kParameterEntitySvg);
    const QString entityUse = QString::fromLatin1(kEntityUseSvg);
    write(QStringLiteral("longentity.svg"), entityUse.arg(QString(1025, u'x'), QStringLiteral("&e;")).toUtf8());
    // 1,000 characters used 1,100 times: each reference small, 1.1 M characters in all.
    write(QStringLiteral("blowup.svg"), entityUse.arg(QString(1000, u'x'), QStringLiteral("&e;").repeated(1100)).toUtf8());
    write(QStringLiteral("stylesheet.svg"), kStylesheetSvg);
    write(QStringLiteral("malformed.svg"), kMalformedSvg);
    write(QStringLiteral("zerosize.svg"), kZeroSizeSvg);
    write(QStringLiteral("zeroviewbox.svg"), kZeroViewBoxSvg);
}

// Fails, never skips, when /usr/bin/python3 or PIL is missing: the formats it makes are
// part of what this test guarantees.
void TestImageDecoder::writePilCorpus()
{
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QString::fromLatin1(kPilScript), m_dir.path()});
    QVERIFY2(python.waitForFinished(60000), qPrintable(python.errorString()));
    QVERIFY2(python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0,
             python.readAllStandardError().constData());
    QImageReader gif(path(QStringLiteral("animated.gif")));
    QCOMPARE(gif.imageCount(), 2);
}

void TestImageDecoder::sniffFormat_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QString>("format");

    QByteArray bmp("BM", 2);
    bmp += QByteArray(12, '\0') + QByteArray("\x28\0\0\0", 4); // BITMAPINFOHEADER
    QTest::newRow("jpeg") << QByteArray("\xFF\xD8\xFF\xE1", 4) << "jpeg";
    QTest::newRow("png") << QByteArray("\x89PNG\r\n\x1A\n\0\0", 10) << "png";
    QTest::newRow("gif87a") << QByteArray("GIF87a") << "gif";
    QTest::newRow("gif89a") << QByteArray("GIF89a") << "gif";
    QTest::newRow("webp") << QByteArray("RIFF\x10\0\0\0WEBPVP8 ", 16) << "webp";
    QTest::newRow("riff-wave") << QByteArray("RIFF\x10\0\0\0WAVEfmt ", 16) << "";
    QTest::newRow("tiff-le") << QByteArray("II*\0\x08\0\0\0", 8) << "tiff";
    QTest::newRow("tiff-be") << QByteArray("MM\0*\0\0\0\x08", 8) << "tiff";
    QTest::newRow("bmp") << bmp << "bmp";
    QTest::newRow("text-starting-BM") << QByteArray("BMW owners club newsletter") << "";
    QTest::newRow("svg") << QByteArray("<svg xmlns=\"http://www.w3.org/2000/svg\"/>") << "svg";
    QTest::newRow("svg-prolog") << QByteArray(kGoodSvg) << "svg";
    QTest::newRow("svg-bom-space") << QByteArray("\xEF\xBB\xBF \n<svg>") << "svg";
    QTest::newRow("svg-doctype-subset") << QByteArray(kBillionLaughsSvg) << "svg";
    QTest::newRow("svg-unterminated-comment") << QByteArray("<!-- <svg>") << "";
    QTest::newRow("svgfoo-element") << QByteArray("<svgfoo/>") << "";
    QTest::newRow("xhtml") << QByteArray("<?xml version=\"1.0\"?><html><svg/></html>") << "";
    QTest::newRow("html") << QByteArray(kHtml) << "";
    QTest::newRow("empty") << QByteArray() << "";
    QTest::newRow("jpeg-too-short") << QByteArray("\xFF\xD8", 2) << "";
}

void TestImageDecoder::sniffFormat()
{
    QFETCH(QByteArray, head);
    QFETCH(QString, format);
    QCOMPARE(ImageDecoder::sniffFormat(head), format);
}

void TestImageDecoder::decodesByContent_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QSize>("originalSize");
    QTest::addColumn<QSize>("imageSize"); // for the default maxSide of 256

    QTest::newRow("jpeg-named-png") << "photo.png" << "jpeg" << QSize(320, 240) << QSize(256, 192);
    QTest::newRow("png-named-jpg") << "picture.jpg" << "png" << QSize(300, 200) << QSize(256, 171);
    QTest::newRow("png-1x1") << "one.png" << "png" << QSize(1, 1) << QSize(1, 1);
    QTest::newRow("png-gray") << "gray.png" << "png" << QSize(64, 48) << QSize(64, 48);
    QTest::newRow("png-palette") << "palette.png" << "png" << QSize(64, 48) << QSize(64, 48);
    QTest::newRow("png-alpha") << "alpha.png" << "png" << QSize(60, 20) << QSize(60, 20);
    QTest::newRow("png-16bit") << "deep.png" << "png" << QSize(64, 48) << QSize(64, 48);
    QTest::newRow("png-16bit-gray") << "deepgray.png" << "png" << QSize(64, 48) << QSize(64, 48);
    QTest::newRow("tiff-16bit") << "deep.tiff" << "tiff" << QSize(64, 48) << QSize(64, 48);
    QTest::newRow("tiff") << "plain.tiff" << "tiff" << QSize(80, 60) << QSize(80, 60);
    QTest::newRow("bmp") << "plain.bmp" << "bmp" << QSize(80, 60) << QSize(80, 60);
    QTest::newRow("webp") << "plain.webp" << "webp" << QSize(80, 60) << QSize(80, 60);
    QTest::newRow("gif-animated") << "animated.gif" << "gif" << QSize(40, 30) << QSize(40, 30);
    QTest::newRow("jpeg-cmyk") << "cmyk.jpg" << "jpeg" << QSize(40, 30) << QSize(40, 30);
    QTest::newRow("jpeg-exif-6") << "exif6.jpg" << "jpeg" << QSize(40, 60) << QSize(40, 60);
    QTest::newRow("jpeg-4000x3000") << "big.jpg" << "jpeg" << QSize(4000, 3000) << QSize(256, 192);
    QTest::newRow("svg") << "vector.svg" << "svg" << QSize(200, 100) << QSize(256, 128);
}

void TestImageDecoder::decodesByContent()
{
    QFETCH(QString, file);
    QFETCH(QString, format);
    QFETCH(QSize, originalSize);
    QFETCH(QSize, imageSize);

    const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(file));
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QCOMPARE(decoded->format, format);
    QCOMPARE(decoded->originalSize, originalSize);
    QCOMPARE(decoded->image.size(), imageSize);
    QCOMPARE(decoded->image.format(), QImage::Format_RGB888);
    QVERIFY(!decoded->image.colorSpace().isValid());
}

void TestImageDecoder::pixelsAreConverted_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QPoint>("at");
    QTest::addColumn<QRgb>("expected");
    QTest::addColumn<int>("tolerance");

    QTest::newRow("cmyk-red") << "cmyk.jpg" << QPoint(20, 15) << qRgb(255, 0, 0) << 8;
    QTest::newRow("gif-first-frame") << "animated.gif" << QPoint(20, 15) << qRgb(255, 0, 0) << 0;
    QTest::newRow("palette") << "palette.png" << QPoint(5, 5) << qRgb(10, 200, 30) << 0;
    QTest::newRow("gray") << "gray.png" << QPoint(5, 5) << qRgb(0x50, 0x50, 0x50) << 0;
    QTest::newRow("png-16bit") << "deep.png" << QPoint(5, 5) << qRgb(255, 128, 0) << 1;
    QTest::newRow("png-16bit-gray") << "deepgray.png" << QPoint(5, 5) << qRgb(128, 128, 128) << 1;
    QTest::newRow("tiff-16bit") << "deep.tiff" << QPoint(5, 5) << qRgb(255, 128, 0) << 1;
    // Premultiplied compositing: the green hidden under alpha 0 must not show.
    QTest::newRow("alpha-transparent") << "alpha.png" << QPoint(10, 10) << qRgb(255, 255, 255) << 0;
    QTest::newRow("alpha-half") << "alpha.png" << QPoint(30, 10) << qRgb(127, 127, 255) << 1;
    QTest::newRow("alpha-opaque") << "alpha.png" << QPoint(50, 10) << qRgb(255, 0, 0) << 0;
}

void TestImageDecoder::pixelsAreConverted()
{
    QFETCH(QString, file);
    QFETCH(QPoint, at);
    QFETCH(QRgb, expected);
    QFETCH(int, tolerance);

    const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(file));
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    const QRgb actual = decoded->image.pixel(at);
    QVERIFY2(closeTo(actual, expected, tolerance), qPrintable(describe(actual)));
}

void TestImageDecoder::alphaUsesTheBackgroundOption()
{
    DecodeOptions options;
    options.background = QColor(0, 0, 80);
    const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(QStringLiteral("alpha.png")), options);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QCOMPARE(decoded->image.pixel(10, 10), qRgb(0, 0, 80));
    QVERIFY(closeTo(decoded->image.pixel(30, 10), qRgb(0, 0, 128 + 40), 1));
}

void TestImageDecoder::exifOrientationIsApplied_data()
{
    QTest::addColumn<int>("maxSide");
    QTest::addColumn<QSize>("imageSize");

    QTest::newRow("full-size") << 256 << QSize(40, 60);
    // Reduced: the scaled size handed to the JPEG handler must be in stored orientation.
    QTest::newRow("reduced") << 30 << QSize(20, 30);
}

void TestImageDecoder::exifOrientationIsApplied()
{
    QFETCH(int, maxSide);
    QFETCH(QSize, imageSize);

    DecodeOptions options;
    options.maxSide = maxSide;
    const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(QStringLiteral("exif6.jpg")), options);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QCOMPARE(decoded->originalSize, QSize(40, 60)); // stored 60×40
    QCOMPARE(decoded->image.size(), imageSize);
    // Orientation 6 turns the image 90° clockwise: the stored top-left red block is now
    // at the top right.
    const QImage &image = decoded->image;
    const QRgb topRight = image.pixel(image.width() - 2, 1);
    const QRgb topLeft = image.pixel(1, 1);
    QVERIFY2(closeTo(topRight, qRgb(255, 0, 0), 40), qPrintable(describe(topRight)));
    QVERIFY2(closeTo(topLeft, qRgb(255, 255, 255), 40), qPrintable(describe(topLeft)));
}

void TestImageDecoder::largeJpegIsDecodedAtReducedScale()
{
    const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(QStringLiteral("big.jpg")));
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QCOMPARE(decoded->originalSize, QSize(4000, 3000));
    QCOMPARE(decoded->image.size(), QSize(256, 192));

    // DCT scaling then smoothing must look like a full decode smoothly scaled down.
    const QImage reference = QImage(path(QStringLiteral("big.jpg")))
                                 .scaled(256, 192, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    const double difference = meanAbsoluteDifference(decoded->image, reference);
    QVERIFY2(difference < 3.0, qPrintable(QString::number(difference)));
}

void TestImageDecoder::shortSideIsKeptForShortestEdgeEmbedders()
{
    // A 4:3 photo for an embedder that resizes its shortest edge to 224 (CLIP): decoding to a
    // 256 box would leave 192 px to upsample, so the box grows until the short side is 224.
    DecodeOptions options;
    options.maxSide = 256;
    options.minShortSide = 224;
    const Result<DecodedImage> photo = ImageDecoder::decodeFile(path(QStringLiteral("big.jpg")), options);
    QVERIFY2(photo.ok(), qPrintable(photo.errorMessage()));
    QCOMPARE(photo->image.size(), QSize(299, 224));

    // Small originals are never upscaled, and a panorama's box stops at 4 × maxSide.
    QCOMPARE(media::decodeBox(QSize(4000, 100), 256, 224), 1024);
    QCOMPARE(media::decodeBox(QSize(300, 200), 256, 0), 256);
    QCOMPARE(media::decodeBox(QSize(200, 300), 256, 224), 336);
    const QByteArray small = encoded(filled({100, 50}, QImage::Format_RGB32, qRgba64(0x1000, 0x8000, 0x2000, 0xFFFF)), "png");
    const Result<DecodedImage> tiny = ImageDecoder::decode(small, options);
    QVERIFY2(tiny.ok(), qPrintable(tiny.errorMessage()));
    QCOMPARE(tiny->image.size(), QSize(100, 50));
}

void TestImageDecoder::embeddedIccProfileIsConvertedToSrgb()
{
    QImage source = filled({32, 32}, QImage::Format_RGB32, qRgba64(0xC8C8, 0x3232, 0x3232, 0xFFFF));
    source.setColorSpace(QColorSpace::DisplayP3);
    const QByteArray png = encoded(source, "png");

    const Result<DecodedImage> decoded = ImageDecoder::decode(png);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    const QRgb expected = source.convertedToColorSpace(QColorSpace::SRgb).pixel(5, 5);
    QVERIFY(expected != source.pixel(5, 5)); // else this test proves nothing
    QVERIFY2(closeTo(decoded->image.pixel(5, 5), expected, 1), qPrintable(describe(decoded->image.pixel(5, 5))));
}

void TestImageDecoder::refusesBadInput_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<Error::Code>("code");
    QTest::addColumn<QString>("message"); // a part of the message

    QTest::newRow("zero-byte") << "empty.jpg" << Error::Code::Corrupt << "empty file";
    QTest::newRow("html-named-jpg") << "page.jpg" << Error::Code::Unsupported << "not an image (looks like HTML)";
    QTest::newRow("text-named-png") << "notes.png" << Error::Code::Unsupported << "not a supported image format";
    QTest::newRow("jpeg-garbage") << "garbage.jpg" << Error::Code::Corrupt << "jpeg";
    QTest::newRow("png-30000x30000") << "huge.png" << Error::Code::TooLarge << "30000×30000";
    QTest::newRow("png-zero-width") << "zerowidth.png" << Error::Code::Corrupt << "png";
    QTest::newRow("jpeg-truncated") << "truncated.jpg" << Error::Code::Corrupt << "truncated JPEG";
    QTest::newRow("png-truncated") << "truncated.png" << Error::Code::Corrupt << "cannot decode png";
    QTest::newRow("bmp-truncated") << "truncated.bmp" << Error::Code::Corrupt << "truncated BMP";
    QTest::newRow("tiff-truncated") << "truncated.tiff" << Error::Code::Corrupt << "tiff";
    QTest::newRow("webp-truncated") << "truncated.webp" << Error::Code::Corrupt << "webp";
    QTest::newRow("svg-external-entity") << "entity.svg" << Error::Code::Unsupported << "external XML entity (x)";
    QTest::newRow("svg-billion-laughs") << "laughs.svg" << Error::Code::Unsupported << "nested XML entity (b)";
    QTest::newRow("svg-parameter-entity") << "parameter.svg" << Error::Code::Unsupported << "parameter entity";
    QTest::newRow("svg-long-entity") << "longentity.svg" << Error::Code::Unsupported << "longer than 1024";
    QTest::newRow("svg-entity-blowup") << "blowup.svg" << Error::Code::TooLarge << "expand to 1100000 characters";
    QTest::newRow("svg-file-url-image") << "fileimage.svg" << Error::Code::Unsupported << "external resource";
    QTest::newRow("svg-path-image") << "pathimage.svg" << Error::Code::Unsupported << "external resource";
    QTest::newRow("svg-http-image") << "httpimage.svg" << Error::Code::Unsupported << "external resource";
    QTest::newRow("svg-stylesheet") << "stylesheet.svg" << Error::Code::Unsupported << "external style sheet";
    QTest::newRow("svg-malformed") << "malformed.svg" << Error::Code::Corrupt << "malformed SVG";
    QTest::newRow("svg-zero-size") << "zerosize.svg" << Error::Code::Corrupt << "svg";
    QTest::newRow("svg-zero-viewbox") << "zeroviewbox.svg" << Error::Code::Corrupt << "svg";
}

void TestImageDecoder::refusesBadInput()
{
    QFETCH(QString, file);
    QFETCH(Error::Code, code);
    QFETCH(QString, message);

    const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(file));
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().code, code);
    QVERIFY2(decoded.errorMessage().contains(message, Qt::CaseInsensitive), qPrintable(decoded.errorMessage()));
}

void TestImageDecoder::truncatedJpegIsCorruptWhereverItIsCut_data()
{
    QTest::addColumn<QByteArray>("jpeg");

    QFile file(path(QStringLiteral("photo.png")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray whole = file.readAll();
    for (const int percent : {1, 10, 50, 90, 99})
        QTest::addRow("%d%%", percent) << whole.left(whole.size() * percent / 100);
    // Only the end-of-image marker missing: the pixels are all there, yet it counts as cut.
    QTest::newRow("without-eoi") << whole.chopped(2);
}

void TestImageDecoder::truncatedJpegIsCorruptWhereverItIsCut()
{
    QFETCH(QByteArray, jpeg);
    const Result<DecodedImage> decoded = ImageDecoder::decode(jpeg);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().code, Error::Code::Corrupt);
}

void TestImageDecoder::pixelCapIsCheckedBeforeDecoding()
{
    const QByteArray png = encoded(lookalike::test::makeSyntheticImage(100, 100, 11), "png");
    DecodeOptions options;
    options.maxPixels = 100 * 100;
    QVERIFY(ImageDecoder::decode(png, options).ok());
    options.maxPixels = 100 * 100 - 1;
    const Result<DecodedImage> refused = ImageDecoder::decode(png, options);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, Error::Code::TooLarge);

    // All header (its IDAT is not even zlib): had the decoder started on the pixels, it
    // would have allocated 30000×30000 and failed Corrupt, not TooLarge.
    options.maxPixels = DecodeOptions().maxPixels;
    const Result<DecodedImage> bomb = ImageDecoder::decode(lookalike::test::pngHeaderClaiming(30000, 30000), options);
    QVERIFY(!bomb.ok());
    QCOMPARE(bomb.error().code, Error::Code::TooLarge);
}

void TestImageDecoder::jpegCountsPixelsAtItsDecodedScale()
{
    // big.jpg is 4000×3000 (12 megapixels). Wanted at 256 px it decodes at 1/8: 500×375.
    DecodeOptions options;
    options.maxPixels = 1'000'000;
    const Result<DecodedImage> reduced = ImageDecoder::decodeFile(path(QStringLiteral("big.jpg")), options);
    QVERIFY2(reduced.ok(), qPrintable(reduced.errorMessage()));
    QCOMPARE(reduced->originalSize, QSize(4000, 3000));
    QCOMPARE(reduced->image.size(), QSize(256, 192));

    // Wanted at full size it would decode at full size: refused before decoding.
    options.maxSide = 4000;
    const Result<DecodedImage> full = ImageDecoder::decodeFile(path(QStringLiteral("big.jpg")), options);
    QVERIFY(!full.ok());
    QCOMPARE(full.error().code, Error::Code::TooLarge);
    QVERIFY2(full.errorMessage().contains(QStringLiteral("1/1 scale it is still 12.0 megapixels")), qPrintable(full.errorMessage()));

    // A header may claim at most 16 × maxPixels, whatever the scale.
    options.maxSide = 256;
    options.maxPixels = 700'000; // 16× = 11.2 megapixels
    const Result<DecodedImage> claimed = ImageDecoder::decodeFile(path(QStringLiteral("big.jpg")), options);
    QVERIFY(!claimed.ok());
    QCOMPARE(claimed.error().code, Error::Code::TooLarge);
    QVERIFY2(claimed.errorMessage().contains(QStringLiteral("limit for JPEG")), qPrintable(claimed.errorMessage()));

    // Other formats count at their stored size: a 1200×900 PNG is refused at 1 MP.
    options.maxPixels = 1'000'000;
    const QByteArray png = encoded(lookalike::test::makeSyntheticImage(1200, 900, 3), "png");
    const Result<DecodedImage> stored = ImageDecoder::decode(png, options);
    QVERIFY(!stored.ok());
    QCOMPARE(stored.error().code, Error::Code::TooLarge);
}

void TestImageDecoder::svgCapsAreEnforced()
{
    QByteArray svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">";
    for (int i = 0; i < 100; ++i)
        svg += "<rect width=\"1\" height=\"1\"/>";
    svg += "</svg>";

    DecodeOptions options;
    QVERIFY(ImageDecoder::decode(svg, options).ok());
    options.maxSvgElements = 100; // 101 with the root
    Result<DecodedImage> refused = ImageDecoder::decode(svg, options);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, Error::Code::TooLarge);

    options = {};
    options.maxSvgBytes = svg.size() - 1;
    refused = ImageDecoder::decode(svg, options);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, Error::Code::TooLarge);
}

void TestImageDecoder::svgIsRasterisedToFit_data()
{
    QTest::addColumn<int>("maxSide");
    QTest::addColumn<QSize>("imageSize");

    QTest::newRow("up") << 256 << QSize(256, 128);
    QTest::newRow("down") << 50 << QSize(50, 25);
}

void TestImageDecoder::svgIsRasterisedToFit()
{
    QFETCH(int, maxSide);
    QFETCH(QSize, imageSize);

    DecodeOptions options;
    options.maxSide = maxSide;
    const Result<DecodedImage> decoded = ImageDecoder::decode(kGoodSvg, options);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QCOMPARE(decoded->format, QStringLiteral("svg"));
    QCOMPARE(decoded->originalSize, QSize(200, 100));
    QCOMPARE(decoded->image.size(), imageSize);
    QCOMPARE(decoded->image.format(), QImage::Format_RGB888);
    // The <use>d square fills the left half; the rest is the background.
    const QImage &image = decoded->image;
    QCOMPARE(image.pixel(image.width() / 4, image.height() / 2), qRgb(255, 0, 0));
    QCOMPARE(image.pixel(image.width() * 3 / 4, image.height() / 2), qRgb(255, 255, 255));
}

// Runs under QGuiApplication (QTEST_MAIN with QtGui linked), which SVG text requires.
void TestImageDecoder::svgTextIsRendered()
{
    const Result<DecodedImage> decoded = ImageDecoder::decode(kTextSvg);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    const QImage &image = decoded->image;
    int dark = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            dark += qGray(image.pixel(x, y)) < 64;
    QVERIFY2(dark > 100, qPrintable(QString::number(dark)));
}

void TestImageDecoder::svgInternalEntitiesAreExpanded()
{
    const Result<DecodedImage> decoded = ImageDecoder::decode(kIllustratorSvg);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    const QImage &image = decoded->image;
    // fill="&red;" paints the left half: the entity was expanded, not dropped.
    QCOMPARE(image.pixel(image.width() / 4, image.height() / 2), qRgb(255, 0, 0));
    QCOMPARE(image.pixel(image.width() * 3 / 4, image.height() / 2), qRgb(255, 255, 255));

    // Counted in the raw bytes, references could hide in UTF-16: entities there are refused.
    QByteArray utf16;
    const QString text = QString::fromUtf8(kIllustratorSvg).replace(QStringLiteral("UTF-8"), QStringLiteral("UTF-16"));
    utf16.append("\xFF\xFE", 2);
    utf16.append(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
    const Result<DecodedImage> wide = media::rasteriseSvg(utf16, DecodeOptions{});
    QVERIFY(!wide.ok());
    QVERIFY2(wide.errorMessage().contains(QStringLiteral("UTF-16")), qPrintable(wide.errorMessage()));
    QVERIFY(!ImageDecoder::decode(utf16).ok()); // and the sniffer does not take UTF-16 for SVG anyway

    // Just under the caps: the longest value, used as often as the expansion cap allows.
    const QString entityUse = QString::fromLatin1(kEntityUseSvg);
    const QByteArray atCaps = entityUse.arg(QString(1024, u'x'), QStringLiteral("&e;").repeated(1024)).toUtf8();
    const Result<DecodedImage> fits = ImageDecoder::decode(atCaps);
    QVERIFY2(fits.ok(), qPrintable(fits.errorMessage()));
}

void TestImageDecoder::svgAllowsDataUris()
{
    const QImage blue = filled({10, 10}, QImage::Format_RGB32, qRgba64(0, 0, 0xFFFF, 0xFFFF));
    const QByteArray href = "xlink:href=\"data:image/png;base64," + encoded(blue, "png").toBase64() + '"';
    const QByteArray svg = QString::fromLatin1(kImageRefSvg).arg(QString::fromLatin1(href)).toUtf8();
    const Result<DecodedImage> decoded = ImageDecoder::decode(svg);
    QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
    QVERIFY(closeTo(decoded->image.pixel(128, 128), qRgb(0, 0, 255), 2));
}

void TestImageDecoder::specialFilesAreRefusedWithoutOpening_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");

    const QString fifo = path(QStringLiteral("pipe.jpg"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const QString fifoLink = path(QStringLiteral("pipe-link.jpg"));
    QVERIFY(QFile::link(fifo, fifoLink));

    const QString socketPath = path(QStringLiteral("socket.jpg"));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray native = QFile::encodeName(socketPath);
    QVERIFY(size_t(native.size()) < sizeof(address.sun_path));
    qstrcpy(address.sun_path, native.constData());
    QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)), 0);
    ::close(fd); // the socket file stays

    const QString directory = path(QStringLiteral("folder.jpg"));
    QVERIFY(QDir().mkdir(directory));

    // Opening a FIFO for reading would block until a writer comes: none ever does here.
    QTest::newRow("fifo") << fifo << "FIFO";
    QTest::newRow("symlink-to-fifo") << fifoLink << "FIFO";
    QTest::newRow("socket") << socketPath << "socket";
    QTest::newRow("directory") << directory << "directory";
    QTest::newRow("char-device") << "/dev/null" << "device";
}

void TestImageDecoder::specialFilesAreRefusedWithoutOpening()
{
    QFETCH(QString, file);
    QFETCH(QString, message);

    const Result<DecodedImage> decoded = ImageDecoder::decodeFile(file);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().code, Error::Code::Unsupported);
    QVERIFY2(decoded.errorMessage().contains(message), qPrintable(decoded.errorMessage()));
}

// Root (as in CI containers) reads chmod-000 files, so permission denial is only checked
// for other users; a symbolic-link loop gives an Io error for everyone.
void TestImageDecoder::unreadablePathsGiveSystemErrors()
{
    if (::geteuid() != 0) {
        const QString locked = path(QStringLiteral("locked.png"));
        QVERIFY(QFile::copy(path(QStringLiteral("one.png")), locked));
        QVERIFY(QFile::setPermissions(locked, {}));
        const Result<DecodedImage> denied = ImageDecoder::decodeFile(locked);
        QVERIFY(!denied.ok());
        QCOMPARE(denied.error().code, Error::Code::Io);
        QVERIFY2(denied.errorMessage().contains(qt_error_string(EACCES)), qPrintable(denied.errorMessage()));
    }

    const QString loopA = path(QStringLiteral("loop-a.jpg"));
    const QString loopB = path(QStringLiteral("loop-b.jpg"));
    QVERIFY(QFile::link(loopB, loopA));
    QVERIFY(QFile::link(loopA, loopB));
    const Result<DecodedImage> loop = ImageDecoder::decodeFile(loopA);
    QVERIFY(!loop.ok());
    QCOMPARE(loop.error().code, Error::Code::Io);
    QVERIFY2(loop.errorMessage().contains(qt_error_string(ELOOP)), qPrintable(loop.errorMessage()));

    const QString dangling = path(QStringLiteral("dangling.jpg"));
    QVERIFY(QFile::link(path(QStringLiteral("nothing-here.jpg")), dangling));
    for (const QString &missing : {dangling, path(QStringLiteral("no-such-folder/x.jpg"))}) {
        const Result<DecodedImage> decoded = ImageDecoder::decodeFile(missing);
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.error().code, Error::Code::NotFound);
    }

    const QString goodLink = path(QStringLiteral("link-to-photo.jpg"));
    QVERIFY(QFile::link(path(QStringLiteral("photo.png")), goodLink));
    QVERIFY(ImageDecoder::decodeFile(goodLink).ok());
}

void TestImageDecoder::oversizedFileIsRefused()
{
    DecodeOptions options;
    options.maxFileBytes = QFileInfo(path(QStringLiteral("photo.png"))).size() - 1;
    const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(QStringLiteral("photo.png")), options);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().code, Error::Code::TooLarge);
}

void TestImageDecoder::unusualFileNames()
{
    QFile photo(path(QStringLiteral("photo.png")));
    QVERIFY(photo.open(QIODevice::ReadOnly));
    const QByteArray jpeg = photo.readAll();

    const QString newline = QStringLiteral("line\nbreak.jpg");
    write(newline, jpeg);
    QVERIFY(ImageDecoder::decodeFile(path(newline)).ok());

    // Not valid UTF-8, written through POSIX so that Qt cannot mangle the name.
    const QByteArray raw = QFile::encodeName(m_dir.path()) + "/latin1-\xE9t\xE9\xFF.jpg";
    const int fd = ::open(raw.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    QVERIFY(fd >= 0);
    QCOMPARE(::write(fd, jpeg.constData(), size_t(jpeg.size())), ssize_t(jpeg.size()));
    ::close(fd);

    // QTemporaryDir, going through QString names, could not delete it.
    const auto unlink = qScopeGuard([&raw] { ::unlink(raw.constData()); });

    const Result<DecodedImage> native = ImageDecoder::decodeNativeFile(raw);
    QVERIFY2(native.ok(), qPrintable(native.errorMessage()));
    QCOMPARE(native->originalSize, QSize(320, 240));

    // Qt 6 decodes names as UTF-8 and replaces invalid bytes, so the QString path only
    // reaches the file if that ever round-trips; either way it fails cleanly.
    const QString decodedName = QFile::decodeName(raw);
    const Result<DecodedImage> viaQString = ImageDecoder::decodeFile(decodedName);
    if (QFile::encodeName(decodedName) == raw) {
        QVERIFY(viaQString.ok());
    } else {
        QVERIFY(!viaQString.ok());
        QCOMPARE(viaQString.error().code, Error::Code::NotFound);
    }
}

void TestImageDecoder::decodingIsThreadSafe()
{
    const QStringList files = {QStringLiteral("photo.png"), QStringLiteral("picture.jpg"), QStringLiteral("alpha.png"),
                               QStringLiteral("animated.gif"), QStringLiteral("plain.webp"), QStringLiteral("deep.tiff"),
                               QStringLiteral("vector.svg"), QStringLiteral("cmyk.jpg")};
    QList<QImage> expected;
    for (const QString &file : files) {
        const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(file));
        QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
        expected.append(decoded->image);
    }

    QList<int> jobs(files.size() * 8);
    std::iota(jobs.begin(), jobs.end(), 0);
    const QList<bool> same = QtConcurrent::blockingMapped(jobs, [&](int job) {
        const int index = job % int(files.size());
        const Result<DecodedImage> decoded = ImageDecoder::decodeFile(path(files[index]));
        return decoded.ok() && decoded->image == expected[index];
    });
    QVERIFY(std::all_of(same.begin(), same.end(), [](bool ok) { return ok; }));
}

void TestImageDecoder::thumbnailFitsWithoutUpscaling_data()
{
    QTest::addColumn<QSize>("source");
    QTest::addColumn<int>("maxSide");
    QTest::addColumn<QSize>("thumbnail");

    QTest::newRow("landscape") << QSize(1000, 500) << 256 << QSize(256, 128);
    QTest::newRow("portrait") << QSize(300, 900) << 256 << QSize(85, 256);
    QTest::newRow("small-kept") << QSize(100, 50) << 256 << QSize(100, 50);
    QTest::newRow("exact") << QSize(256, 256) << 256 << QSize(256, 256);
    QTest::newRow("sliver") << QSize(2000, 3) << 100 << QSize(100, 1);
}

void TestImageDecoder::thumbnailFitsWithoutUpscaling()
{
    QFETCH(QSize, source);
    QFETCH(int, maxSide);
    QFETCH(QSize, thumbnail);

    const QImage image = lookalike::test::makeSyntheticImage(source.width(), source.height(), 12);
    const QByteArray jpeg = ThumbnailEncoder::encode(image, maxSide);
    QCOMPARE(ImageDecoder::sniffFormat(jpeg), QStringLiteral("jpeg"));
    QCOMPARE(QImage::fromData(jpeg).size(), thumbnail);
}

void TestImageDecoder::thumbnailQualityControlsSize()
{
    const QImage image = lookalike::test::makeSyntheticImage(256, 256, 13);
    const QByteArray low = ThumbnailEncoder::encode(image, 256, 20);
    const QByteArray high = ThumbnailEncoder::encode(image, 256, 95);
    QVERIFY(!low.isEmpty());
    QVERIFY2(low.size() < high.size(), qPrintable(QStringLiteral("%1 vs %2").arg(low.size()).arg(high.size())));
}

void TestImageDecoder::thumbnailFlattensAlpha()
{
    const QImage decoded = QImage::fromData(ThumbnailEncoder::encode(alphaImage()));
    QVERIFY(closeTo(decoded.pixel(5, 10), qRgb(255, 255, 255), 8));
    QVERIFY(closeTo(decoded.pixel(55, 10), qRgb(255, 0, 0), 40));
}

void TestImageDecoder::thumbnailOfNothingIsEmpty()
{
    QVERIFY(ThumbnailEncoder::encode(QImage()).isEmpty());
    QVERIFY(ThumbnailEncoder::encode(lookalike::test::makeSyntheticImage(10, 10, 14), 0).isEmpty());
}

QTEST_MAIN(TestImageDecoder)
#include "tst_imagedecoder.moc"
