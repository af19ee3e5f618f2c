#pragma once

#include <QStringList>

namespace lookalike::bench {

// The real photos bench_ingest and bench_models build their corpora from: every JPEG and PNG
// under /usr/share/wallpapers (Debian's plasma-workspace-wallpapers), each picture once (the
// package links one picture under many resolution names), screenshots left out, sorted.
QStringList wallpaperSources();

} // namespace lookalike::bench
