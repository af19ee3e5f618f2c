#include "imagedecoder.h"

#include "media/imageops.h"
#include "media/regularfile.h"
#include "media/svgrasteriser.h"

#include <QBuffer>
#include <QColorSpace>
#include <QFile>
#include <QImageReader>

#include <algorithm>
#include <climits>
#include <limits>
#include <optional>

namespace lookalike {

namespace {

// Enough for every magic number and for an SVG prolog (XML declaration, comments).
constexpr qsizetype kSniffBytes = 4096;

bool startsWith(QByteArrayView bytes, QByteArrayView prefix, qsizetype offset = 0)
{
    return bytes.size() >= offset + prefix.size() && bytes.sliced(offset, prefix.size()) == prefix;
}

quint32 readLE32(QByteArrayView bytes, qsizetype offset)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.data()) + offset;
    return p[0] | (p[1] << 8) | (p[2] << 16) | (quint32(p[3]) << 24);
}

// "BM" alone is too weak a signature (it starts ordinary text); the DIB header that
// follows the 14-byte file header must have one of the sizes the format defines.
bool isBmp(QByteArrayView head)
{
    if (!startsWith(head, "BM") || head.size() < 18)
        return false;
    const quint32 dibHeaderSize = readLE32(head, 14);
    return dibHeaderSize == 12 || dibHeaderSize == 40 || dibHeaderSize == 52 || dibHeaderSize == 56
           || dibHeaderSize == 64 || dibHeaderSize == 108 || dibHeaderSize == 124;
}

QByteArrayView skipXmlSpace(QByteArrayView text)
{
    qsizetype i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        ++i;
    return text.sliced(i);
}

QByteArrayView withoutBom(QByteArrayView text)
{
    return startsWith(text, "\xEF\xBB\xBF") ? text.sliced(3) : text;
}

// After an optional BOM, XML declaration, comments and whitespace, the root element (or the
// DOCTYPE, which names it) must be `svg`.
bool isSvg(QByteArrayView head)
{
    QByteArrayView text = withoutBom(head);
    for (;;) {
        text = skipXmlSpace(text);
        QByteArrayView terminator;
        if (startsWith(text, "<?"))
            terminator = "?>";
        else if (startsWith(text, "<!--"))
            terminator = "-->";
        else
            break;
        const qsizetype end = text.indexOf(terminator);
        if (end < 0)
            return false;
        text = text.sliced(end + terminator.size());
    }
    if (startsWith(text, "<!DOCTYPE"))
        text = skipXmlSpace(text.sliced(9));
    else if (startsWith(text, "<"))
        text = text.sliced(1);
    else
        return false;
    if (!startsWith(text, "svg") || text.size() == 3)
        return false;
    const char next = text[3];
    return next == ' ' || next == '\t' || next == '\r' || next == '\n' || next == '>' || next == '/' || next == '[';
}

// Only used to make the "unsupported" message helpful.
QString describeUnsupported(QByteArrayView head)
{
    const QByteArrayView text = skipXmlSpace(withoutBom(head));
    const QByteArray start = text.first(std::min<qsizetype>(text.size(), 16)).toByteArray().toLower();
    if (start.startsWith("<!doctype html") || start.startsWith("<html"))
        return QStringLiteral("not an image (looks like HTML)");
    if (startsWith(head, "%PDF-"))
        return QStringLiteral("not an image (looks like PDF)");
    if (startsWith(head, "PK\x03\x04"))
        return QStringLiteral("not an image (looks like a ZIP archive)");
    if (startsWith(head, "ftyp", 4))
        return QStringLiteral("unsupported format (ISO media file: HEIC, AVIF or video)");
    return QStringLiteral("not a supported image format");
}

quint16 readBE16(QByteArrayView bytes, qsizetype offset)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.data()) + offset;
    return quint16((p[0] << 8) | p[1]);
}

// Offset of the first start-of-scan marker, found by walking the marker segments, or -1
// when the structure cannot be followed (libjpeg then reports the problem itself).
qsizetype firstScanOffset(QByteArrayView jpeg)
{
    qsizetype pos = 2; // after SOI
    while (pos + 4 <= jpeg.size()) {
        if (uchar(jpeg[pos]) != 0xFF)
            return -1;
        const uchar marker = uchar(jpeg[pos + 1]);
        if (marker == 0xDA)
            return pos;
        if (marker == 0xFF) // fill byte
            ++pos;
        else if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) // no length field
            pos += 2;
        else
            pos += 2 + readBE16(jpeg, pos + 2);
    }
    return -1;
}

// libjpeg pads a truncated scan with a fake end-of-image marker and Qt returns the image
// partly grey with only a log warning. Entropy-coded data cannot contain FF D9, so an EOI
// after the first scan is what a complete file has (an EXIF thumbnail's EOI comes before it).
bool isTruncatedJpeg(QByteArrayView jpeg)
{
    const qsizetype scan = firstScanOffset(jpeg);
    return scan >= 0 && jpeg.lastIndexOf("\xFF\xD9") < scan;
}

// Qt's BMP reader fills missing rows instead of failing; the file header states the size.
bool isTruncatedBmp(QByteArrayView bmp)
{
    return bmp.size() >= 6 && readLE32(bmp, 2) > quint64(bmp.size());
}

Error corrupt(const QString &message)
{
    return makeError(Error::Code::Corrupt, message);
}

// Qt's own limit (megabytes of decoded pixels) as a second guard behind checkPixels(), sized
// for 8-byte pixels (16-bit RGBA) so that images within maxPixels are never refused.
int allocationLimitMiB(qint64 maxPixels)
{
    return int(std::clamp<qint64>(maxPixels * 8 / (1024 * 1024) + 1, 1, INT_MAX));
}

Result<QSize> headerSize(QImageReader &reader, const QString &format)
{
    const QSize size = reader.size();
    if (reader.error() == QImageReader::UnsupportedFormatError)
        return makeError(Error::Code::Unsupported, QStringLiteral("no Qt image plugin for %1").arg(format));
    if (!size.isValid())
        return corrupt(QStringLiteral("unreadable %1 header").arg(format));
    if (size.isEmpty())
        return corrupt(QStringLiteral("%1 header gives an empty size (%2×%3)").arg(format).arg(size.width()).arg(size.height()));
    return size;
}

qint64 pixelCount(QSize size)
{
    return qint64(size.width()) * size.height();
}

QString megapixels(qint64 pixels)
{
    return QString::number(double(pixels) / 1e6, 'f', 1);
}

// JPEG decodes with DCT scaling, by 1/2, 1/4 or 1/8 where the target is that much smaller, so
// what it allocates is the stored size divided by the largest such factor that still covers
// the target. (An upper bound: a libjpeg that scales by n/8 decodes smaller still.)
int jpegReduction(QSize stored, QSize target)
{
    int d = 8;
    while (d > 1 && ((stored.width() + d - 1) / d < target.width() || (stored.height() + d - 1) / d < target.height()))
        d /= 2;
    return d;
}

// The decompression-bomb guard, on what the decoder will allocate: the stored size, or for
// JPEG the reduced decode, which lets a 300-megapixel panorama in at 1/8 scale. JPEG headers
// may claim at most 16 × maxPixels (a quarter of maxPixels at 1/8), which bounds the time
// spent entropy-decoding a file that only claims to be huge.
std::optional<Error> checkPixels(const QString &format, QSize stored, QSize storedTarget, const DecodeOptions &options)
{
    const qint64 pixels = pixelCount(stored);
    if (format != u"jpeg") {
        if (pixels <= options.maxPixels)
            return std::nullopt;
        return makeError(Error::Code::TooLarge, QStringLiteral("image is %1×%2 (%3 megapixels), above the %4-megapixel limit")
                                                    .arg(stored.width()).arg(stored.height())
                                                    .arg(megapixels(pixels), megapixels(options.maxPixels)));
    }
    const qint64 jpegCap = options.maxPixels > std::numeric_limits<qint64>::max() / 16 ? options.maxPixels : 16 * options.maxPixels;
    if (pixels > jpegCap)
        return makeError(Error::Code::TooLarge, QStringLiteral("JPEG is %1×%2 (%3 megapixels), above the %4-megapixel limit for JPEG")
                                                    .arg(stored.width()).arg(stored.height())
                                                    .arg(megapixels(pixels), megapixels(jpegCap)));
    const int d = jpegReduction(stored, storedTarget);
    const qint64 decoded = pixelCount({(stored.width() + d - 1) / d, (stored.height() + d - 1) / d});
    if (decoded <= options.maxPixels)
        return std::nullopt;
    return makeError(Error::Code::TooLarge, QStringLiteral("JPEG is %1×%2: decoded at 1/%3 scale it is still %4 megapixels, above the %5-megapixel limit")
                                                .arg(stored.width()).arg(stored.height()).arg(d)
                                                .arg(megapixels(decoded), megapixels(options.maxPixels)));
}

// Scaled, sRGB, flattened to RGB888: the decoded pixels as DecodedImage promises them.
QImage finish(QImage image, QSize target, const QColor &background)
{
    if (image.size() != target)
        image = image.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    if (image.colorSpace().isValid() && image.colorSpace() != QColorSpace::SRgb) {
        // Converting in a 32-bit format: Qt 6.4 does not transform every format in place.
        image.convertTo(image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
        image.convertToColorSpace(QColorSpace::SRgb);
    }
    QImage rgb = media::flattenToRgb888(image, background);
    rgb.setColorSpace(QColorSpace());
    return rgb;
}

Result<DecodedImage> decodeRaster(const QByteArray &bytes, const QString &format, const DecodeOptions &options)
{
    if (format == u"jpeg" && isTruncatedJpeg(bytes))
        return corrupt(QStringLiteral("truncated JPEG (no end-of-image marker after the image data)"));
    if (format == u"bmp" && isTruncatedBmp(bytes))
        return corrupt(QStringLiteral("truncated BMP (shorter than its header states)"));

    QBuffer buffer;
    buffer.setData(bytes); // shares, does not copy
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, format.toLatin1());
    reader.setAutoTransform(true);
    reader.setAllocationLimit(allocationLimitMiB(options.maxPixels));

    const Result<QSize> stored = headerSize(reader, format);
    if (!stored)
        return stored.error();
    // Sizes given to and returned by the handler are in stored orientation; the EXIF
    // (or TIFF) transformation is applied after decoding.
    const bool transposed = reader.transformation().testFlag(QImageIOHandler::TransformationRotate90);
    const QSize originalSize = transposed ? stored->transposed() : *stored;
    const QSize target = media::shrunkToFit(originalSize, media::decodeBox(originalSize, options.maxSide, options.minShortSide));
    if (auto tooLarge = checkPixels(format, *stored, transposed ? target.transposed() : target, options))
        return *tooLarge;
    // Qt's JPEG handler turns a scaled size into libjpeg DCT scaling (scale_num/8, the
    // smallest decode at least as large as the request) and then smooth-scales the rest.
    if (format == u"jpeg" && target != originalSize)
        reader.setScaledSize(transposed ? target.transposed() : target);

    QImage image;
    if (!reader.read(&image))
        return corrupt(QStringLiteral("cannot decode %1: %2").arg(format, reader.errorString()));
    return DecodedImage{finish(std::move(image), target, options.background), originalSize, format};
}

} // namespace

QString ImageDecoder::sniffFormat(QByteArrayView head)
{
    if (startsWith(head, "\xFF\xD8\xFF"))
        return QStringLiteral("jpeg");
    if (startsWith(head, "\x89PNG\r\n\x1A\n"))
        return QStringLiteral("png");
    if (startsWith(head, "GIF87a") || startsWith(head, "GIF89a"))
        return QStringLiteral("gif");
    if (startsWith(head, "RIFF") && startsWith(head, "WEBP", 8))
        return QStringLiteral("webp");
    if (startsWith(head, QByteArrayView("II*\0", 4)) || startsWith(head, QByteArrayView("MM\0*", 4)))
        return QStringLiteral("tiff");
    if (isBmp(head))
        return QStringLiteral("bmp");
    if (isSvg(head))
        return QStringLiteral("svg");
    return {};
}

QString ImageDecoder::sniffBytes(QByteArrayView bytes)
{
    return sniffFormat(bytes.first(std::min(bytes.size(), kSniffBytes)));
}

QString ImageDecoder::describeNonImage(QByteArrayView bytes)
{
    return describeUnsupported(bytes.first(std::min(bytes.size(), kSniffBytes)));
}

Result<DecodedImage> ImageDecoder::decode(const QByteArray &bytes, const DecodeOptions &options)
{
    if (options.maxSide < 1)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("maxSide must be positive"));
    if (bytes.isEmpty())
        return corrupt(QStringLiteral("empty file"));
    const QByteArrayView head = QByteArrayView(bytes).first(std::min(bytes.size(), kSniffBytes));
    const QString format = sniffFormat(head);
    if (format.isEmpty())
        return makeError(Error::Code::Unsupported, describeUnsupported(head));
    if (format == u"svg")
        return media::rasteriseSvg(bytes, options);
    return decodeRaster(bytes, format, options);
}

Result<DecodedImage> ImageDecoder::decodeFile(const QString &path, const DecodeOptions &options)
{
    return decodeNativeFile(QFile::encodeName(path), options);
}

Result<DecodedImage> ImageDecoder::decodeNativeFile(const QByteArray &nativePath, const DecodeOptions &options)
{
    const Result<QByteArray> bytes = media::readRegularFile(nativePath, options.maxFileBytes);
    if (!bytes)
        return bytes.error();
    return decode(*bytes, options);
}

} // namespace lookalike
