#pragma once

#include <QByteArray>
#include <QImage>

namespace lookalike {

// Thumbnails are stored in the collection as JPEG (small, fast to decode in the grid).
class ThumbnailEncoder final
{
public:
    static constexpr int kDefaultMaxSide = 256;

    // Scales `image` to fit maxSide × maxSide (never up) and encodes it as JPEG.
    static QByteArray encode(const QImage &image, int maxSide = kDefaultMaxSide, int quality = 85);
};

} // namespace lookalike
