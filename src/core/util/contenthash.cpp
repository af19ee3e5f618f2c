#include "contenthash.h"

#include <xxhash.h>

namespace lookalike {

QString contentHash(QByteArrayView bytes)
{
    const XXH128_hash_t h = XXH3_128bits(bytes.data(), size_t(bytes.size()));
    return QStringLiteral("%1%2").arg(h.high64, 16, 16, QLatin1Char('0')).arg(h.low64, 16, 16, QLatin1Char('0'));
}

} // namespace lookalike
