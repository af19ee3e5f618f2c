#include "dropparser.h"

#include "resultsmodel.h"

#include <QDataStream>
#include <QFileInfo>
#include <QMimeData>
#include <QUrl>

namespace lookalike {

namespace {

void addUrl(DropContents &out, const QUrl &url)
{
    if (url.isLocalFile()) {
        const QString path = url.toLocalFile();
        if (!path.isEmpty() && !out.localPaths.contains(path))
            out.localPaths << path;
        return;
    }
    const QString scheme = url.scheme().toLower();
    if ((scheme == QLatin1String("http") || scheme == QLatin1String("https")) && !url.host().isEmpty()) {
        const QString s = url.toString(QUrl::FullyEncoded);
        if (!out.urls.contains(s))
            out.urls << s;
        return;
    }
    out.unsupported << url.toDisplayString();
}

} // namespace

bool DropParser::canUse(const QMimeData *mime)
{
    return mime
        && (mime->hasFormat(QString::fromLatin1(kItemIdsMimeType)) || mime->hasUrls() || mime->hasImage()
            || mime->hasText());
}

DropContents DropParser::parseText(const QString &text)
{
    DropContents out;
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (QString line : lines) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        if (line.startsWith(QLatin1Char('/'))) {
            if (QFileInfo::exists(line))
                out.localPaths << line;
            else
                out.unsupported << line;
            continue;
        }
        const QUrl url(line, QUrl::StrictMode);
        if (url.isValid() && !url.scheme().isEmpty())
            addUrl(out, url);
        else
            out.unsupported << line;
    }
    return out;
}

DropContents DropParser::parse(const QMimeData *mime)
{
    DropContents out;
    if (!mime)
        return out;
    const QString idsType = QString::fromLatin1(kItemIdsMimeType);
    if (mime->hasFormat(idsType)) {
        // Our own grid: the ids say it all; the file URLs it also carries are for other apps.
        QDataStream stream(mime->data(idsType));
        while (!stream.atEnd()) {
            qint64 id = -1;
            stream >> id;
            if (stream.status() != QDataStream::Ok)
                break;
            out.itemIds.push_back(id);
        }
        return out;
    }
    if (mime->hasUrls()) {
        const QList<QUrl> urls = mime->urls();
        for (const QUrl &u : urls)
            addUrl(out, u);
    } else if (mime->hasText()) {
        out = parseText(mime->text());
    }
    // Image data counts only when nothing better came: a browser dragging an image offers its
    // URL *and* its pixels, and the URL keeps the provenance.
    if (out.localPaths.isEmpty() && out.urls.isEmpty() && mime->hasImage()) {
        const QImage image = qvariant_cast<QImage>(mime->imageData());
        if (!image.isNull())
            out.images << image;
    }
    return out;
}

} // namespace lookalike
