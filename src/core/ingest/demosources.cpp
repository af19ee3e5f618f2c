#include "demosources.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace lookalike {

namespace {
const char *const kFolders[] = {"/usr/share/wallpapers", "/usr/share/backgrounds"};
const char *const kPreferredQuery = "/usr/share/wallpapers/FallenLeaf/contents/images/800x600.jpg";
} // namespace

QStringList DemoSources::folders()
{
    for (const char *f : kFolders) {
        if (QFileInfo(QString::fromLatin1(f)).isDir())
            return {QString::fromLatin1(f)};
    }
    return {};
}

QString DemoSources::queryImage(const QString &folder)
{
    const QString preferred = QString::fromLatin1(kPreferredQuery);
    if (preferred.startsWith(folder + QLatin1Char('/')) && QFileInfo::exists(preferred))
        return preferred;
    QDirIterator it(folder, {QStringLiteral("*.jpg"), QStringLiteral("*.png")}, QDir::Files, QDirIterator::Subdirectories);
    QStringList all;
    while (it.hasNext())
        all << it.next();
    all.sort();
    return all.value(0);
}

} // namespace lookalike
