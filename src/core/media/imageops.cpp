#include "imageops.h"

#include <algorithm>

namespace lookalike::media {

QSize scaledToFit(QSize size, int maxSide)
{
    const qint64 w = size.width();
    const qint64 h = size.height();
    if (w <= 0 || h <= 0 || maxSide <= 0)
        return {};
    const qint64 longer = std::max(w, h);
    // Rounded integer arithmetic: the longer side lands exactly on maxSide.
    const auto scale = [&](qint64 side) { return int(std::max<qint64>(1, (side * maxSide + longer / 2) / longer)); };
    return {scale(w), scale(h)};
}

int decodeBox(QSize size, int maxSide, int minShortSide)
{
    const qint64 shorter = std::min(size.width(), size.height());
    const qint64 longer = std::max(size.width(), size.height());
    if (minShortSide <= 0 || shorter <= 0)
        return maxSide;
    const qint64 needed = (longer * minShortSide + shorter - 1) / shorter; // ceil
    return int(std::clamp<qint64>(needed, maxSide, qint64(maxSide) * 4));
}

QSize shrunkToFit(QSize size, int maxSide)
{
    return std::max(size.width(), size.height()) <= maxSide ? size : scaledToFit(size, maxSide);
}

QImage flattenToRgb888(const QImage &image, const QColor &background)
{
    if (!image.hasAlphaChannel())
        return image.convertToFormat(QImage::Format_RGB888);

    // Premultiplied source over an opaque background: out = src + bg * (255 - alpha) / 255.
    // Compositing straight (non-premultiplied) values would let the colour of fully
    // transparent pixels bleed into the result.
    const QImage src = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
    const int bg[3] = {background.red(), background.green(), background.blue()};
    QImage out(src.size(), QImage::Format_RGB888);
    if (out.isNull())
        return out;
    for (int y = 0; y < src.height(); ++y) {
        const auto *in = reinterpret_cast<const QRgb *>(src.constScanLine(y));
        uchar *dst = out.scanLine(y);
        for (int x = 0; x < src.width(); ++x) {
            const QRgb p = in[x];
            const int inverse = 255 - qAlpha(p);
            dst[0] = uchar(qRed(p) + (bg[0] * inverse + 127) / 255);
            dst[1] = uchar(qGreen(p) + (bg[1] * inverse + 127) / 255);
            dst[2] = uchar(qBlue(p) + (bg[2] * inverse + 127) / 255);
            dst += 3;
        }
    }
    return out;
}

} // namespace lookalike::media
