#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QSize>
#include <QString>

namespace lookalike {

struct DecodeOptions
{
    // Longest side of the returned image. Decoders that can (JPEG DCT scaling) decode at a
    // reduced scale close to this; the result is then smoothly downscaled to fit. Never
    // upscaled, except SVG, which is rasterised to fit this box with its aspect kept.
    int maxSide = 256;
    // The shorter side the result should keep when the original has it: the box grows beyond
    // maxSide (up to 4×, aspect kept) until it does. Embedders that resize by the shortest edge
    // (Embedder::minimumShortSide()) set it; 0 = no growth.
    int minShortSide = 0;
    // Decompression-bomb guard for raster formats: images that would decode to more pixels
    // are refused before any pixel memory is allocated. JPEG counts at the reduced scale it is
    // decoded at (down to 1/8, so a 300-megapixel panorama is fine) and may claim up to 16×
    // this in its header; every other format counts at its stored size.
    qint64 maxPixels = 128LL * 1000 * 1000;
    // Files larger than this are refused without being read.
    qint64 maxFileBytes = 256LL * 1024 * 1024;
    // Transparent pixels are composited onto this colour; its own alpha is ignored.
    QColor background = Qt::white;
    // SVG documents are parsed twice (a safety scan, then Qt SVG), so they get tighter caps:
    // larger documents are refused with TooLarge before Qt SVG sees them.
    qint64 maxSvgBytes = 16LL * 1024 * 1024;
    int maxSvgElements = 200'000;
};

struct DecodedImage
{
    QImage image;       // QImage::Format_RGB888, oriented (EXIF applied), alpha flattened,
                        // sRGB (embedded ICC profiles converted) with no colour space set
    QSize originalSize; // full-resolution size after orientation (SVG: its default size)
    QString format;     // sniffed from content: "jpeg", "png", "gif", "webp", "tiff", "bmp", "svg"
};

// Stateless and thread-safe; never touches the network or files other than the one named.
// Animated GIF and WebP and multi-page TIFF give their first frame.
//
// Error codes: Unsupported (not a regular file, not a supported image, or an SVG refused
// for safety: entity declarations, external style sheets, href/xlink:href other than
// "#..." or "data:"), TooLarge (over a DecodeOptions cap), Corrupt (unreadable header,
// zero size, failed or truncated decode; a JPEG without an end-of-image marker after its
// scan data and a BMP shorter than its header says count as truncated, although Qt would
// return them partly grey), NotFound, Io (with the system's reason), InvalidArgument (a
// maxSide below 1). Messages do not repeat the file name: callers show it.
//
// SVG text needs fonts, hence a QGuiApplication (the GUI, the CLI and the tests create
// one); without it an SVG containing text is refused with Unsupported instead of aborting
// in Qt's font database. Compressed SVG (.svgz) is not supported.
class ImageDecoder final
{
public:
    // The format of `head` (the first bytes of a file) judged from its content, or an empty
    // string when it is none of the supported formats. Extensions are never consulted.
    // SVG is recognised when its root element (or DOCTYPE) is `svg` after an optional BOM,
    // XML declaration and comments, within `head` (decode() passes the first 4 KiB).
    static QString sniffFormat(QByteArrayView head);
    // sniffFormat() of the start of `bytes` (as much as decode() looks at).
    static QString sniffBytes(QByteArrayView bytes);
    // For bytes sniffFormat() rejects: what they look like instead, in words for a per-item
    // error ("not an image (looks like HTML)").
    static QString describeNonImage(QByteArrayView bytes);

    static Result<DecodedImage> decode(const QByteArray &bytes, const DecodeOptions &options = {});

    // Reads the file (refusing directories, FIFOs, sockets, devices and oversized files
    // without blocking), then decode()s it. Symbolic links to regular files are followed.
    static Result<DecodedImage> decodeFile(const QString &path, const DecodeOptions &options = {});

    // decodeFile() for a path in the file system's own bytes. Qt 6 decodes file names as
    // UTF-8, so a name that is not valid UTF-8 cannot be reached through a QString (its
    // QFile::decodeName() holds U+FFFD and gives NotFound); callers that list directories
    // with POSIX calls can pass such names here.
    static Result<DecodedImage> decodeNativeFile(const QByteArray &nativePath,
                                                 const DecodeOptions &options = {});
};

} // namespace lookalike
