#include "thumbnailencoder.h"

#include "media/imageops.h"
#include "util/logging.h"

#include <QBuffer>
#include <QImageWriter>

#include <algorithm>

namespace lookalike {

QByteArray ThumbnailEncoder::encode(const QImage &image, int maxSide, int quality)
{
    if (image.isNull() || maxSide < 1)
        return {};
    const QSize target = media::shrunkToFit(image.size(), maxSide);
    QImage thumbnail = target == image.size() ? image : image.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    // Qt's JPEG writer would drop alpha and expose whatever colour transparent pixels hold.
    if (thumbnail.hasAlphaChannel())
        thumbnail = media::flattenToRgb888(thumbnail, Qt::white);

    QByteArray jpeg;
    QBuffer buffer(&jpeg);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "jpeg");
    writer.setQuality(std::clamp(quality, 0, 100));
    if (!writer.write(thumbnail)) {
        qCWarning(lcMedia) << "JPEG thumbnail encoding failed:" << writer.errorString();
        return {};
    }
    return jpeg;
}

} // namespace lookalike
