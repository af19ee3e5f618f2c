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
    // Decompression-bomb guard: images whose header claims more pixels are refused before
    // any pixel memory is allocated.
    qint64 maxPixels = 128LL * 1000 * 1000;
    // Files larger than this are refused without being read.
    qint64 maxFileBytes = 256LL * 1024 * 1024;
    // Transparent pixels are composited onto this colour.
    QColor background = Qt::white;
};

struct DecodedImage
{
    QImage image;       // QImage::Format_RGB888, oriented (EXIF applied), alpha flattened
    QSize originalSize; // full-resolution size after orientation
    QString format;     // sniffed from content: "jpeg", "png", "gif", "webp", "tiff", "bmp", "svg"
};

// Stateless and thread-safe; never touches the network or files other than the one named.
class ImageDecoder final
{
public:
    // The format of `head` (the first bytes of a file) judged from its content, or an empty
    // string when it is none of the supported formats. Extensions are never consulted.
    static QString sniffFormat(QByteArrayView head);

    static Result<DecodedImage> decode(const QByteArray &bytes, const DecodeOptions &options = {});

    // Reads the file (refusing directories, FIFOs, sockets, devices and oversized files
    // without blocking), then decode()s it.
    static Result<DecodedImage> decodeFile(const QString &path, const DecodeOptions &options = {});
};

} // namespace lookalike
