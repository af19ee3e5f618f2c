#pragma once

#include <QImage>
#include <QList>
#include <QStringList>

#include <vector>

class QMimeData;

namespace lookalike {

// What a drop or a paste carries, sorted by what Lookalike can do with it. Items dragged from
// our own grid come as ids; files and folders as local paths; links as http(s) URLs; pixels
// from other applications (a browser's "copy image") as images. Anything else is listed as
// unsupported so the user is told rather than silently ignored.
struct DropContents
{
    std::vector<qint64> itemIds;
    QStringList localPaths;
    QStringList urls;
    QList<QImage> images;
    QStringList unsupported; // e.g. "ftp://…", "mailto:…"

    static DropContents ofPaths(const QStringList &paths)
    {
        DropContents c;
        c.localPaths = paths;
        return c;
    }
    bool isEmpty() const
    {
        return itemIds.empty() && localPaths.isEmpty() && urls.isEmpty() && images.isEmpty();
    }
};

class DropParser final
{
public:
    static DropContents parse(const QMimeData *mime);
    // Plain text: one link or absolute path a line (a pasted list, a link dragged from a
    // terminal); blank lines and lines starting with '#' are skipped.
    static DropContents parseText(const QString &text);
    static bool canUse(const QMimeData *mime);
};

} // namespace lookalike
