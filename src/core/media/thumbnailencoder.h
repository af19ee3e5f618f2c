#pragma once

#include <QByteArray>
#include <QImage>

namespace lookalike {

// Thumbnails are stored in the collection as JPEG (small, fast to decode in the grid).
class ThumbnailEncoder final
{
public:
    static constexpr int kDefaultMaxSide = 256;

    // Scales `image` to fit maxSide × maxSide (never up, smooth) and encodes it as baseline
    // JPEG at `quality` (0-100). Alpha is flattened onto white, as JPEG has none. Returns an
    // empty array for a null image, a non-positive maxSide, or an encoder failure (logged).
    // Thread-safe.
    static QByteArray encode(const QImage &image, int maxSide = kDefaultMaxSide, int quality = 85);
};

} // namespace lookalike
