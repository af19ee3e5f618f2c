#pragma once

#include <QByteArrayView>
#include <QString>

namespace lookalike {

// Identity of a file's bytes: XXH3-128 as 32 lowercase hex digits. Used to recognise the same
// bytes under another path (re-link moved files, reuse work) and to name downloaded files.
// Non-cryptographic on purpose: it runs on every ingested file at several GB/s.
QString contentHash(QByteArrayView bytes);

} // namespace lookalike
