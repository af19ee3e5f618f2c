#include "benchcorpus.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QSet>

namespace lookalike::bench {

QStringList wallpaperSources()
{
    QStringList sources;
    QDirIterator it(QStringLiteral("/usr/share/wallpapers"), {QStringLiteral("*.jpg"), QStringLiteral("*.png")},
                    QDir::Files, QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
    QSet<QString> seen;
    while (it.hasNext()) {
        const QString p = it.next();
        const QString real = QFileInfo(p).canonicalFilePath();
        if (!QFileInfo(p).fileName().startsWith(QLatin1String("screenshot")) && !seen.contains(real)) {
            seen.insert(real);
            sources << real;
        }
    }
    sources.sort();
    return sources;
}

} // namespace lookalike::bench
