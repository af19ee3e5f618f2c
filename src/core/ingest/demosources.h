#pragma once

#include <QString>
#include <QStringList>

namespace lookalike {

// Real images that a Debian package installs, for the demo collection that `lookalike --demo`
// and `lookalike-cli demo` build: plasma-workspace-wallpapers ships ~100 photos and artworks,
// each at several resolutions (so near-duplicates show at once).
class DemoSources final
{
public:
    // The first of the known wallpaper folders that exists, or an empty list.
    static QStringList folders();
    // A good first query image under `folder`: a known photo if present, else the first image.
    static QString queryImage(const QString &folder);
};

} // namespace lookalike
