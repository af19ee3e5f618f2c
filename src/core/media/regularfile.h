#pragma once

#include "util/result.h"

#include <QByteArray>

namespace lookalike::media {

// The contents of the regular file at `nativePath` (symbolic links followed). Directories,
// FIFOs, sockets and devices are refused (Unsupported) without being opened, so the call
// never blocks; the type is checked again on the open descriptor in case the path was
// swapped in between. Files over maxBytes give TooLarge, empty ones Corrupt, a missing
// path NotFound, any other system error Io with the system's message.
Result<QByteArray> readRegularFile(const QByteArray &nativePath, qint64 maxBytes);

} // namespace lookalike::media
