#pragma once

#include "collection/collection.h"

#include <QStringList>

#include <atomic>
#include <vector>

namespace lookalike {

struct DiscoveredFile
{
    QString path; // absolute, symlinks to files kept as given
    qint64 size = 0;
    qint64 mtimeMs = 0;
    QString sourceUrl; // for an image fetched by URL: the URL (the item's uri); `path` is its copy
    const QString &uri() const { return sourceUrl.isEmpty() ? path : sourceUrl; }
};

struct DiscoveryResult
{
    std::vector<DiscoveredFile> files;
    QList<IngestErrorRecord> errors; // unreadable folders, FIFOs, undecodable names, missing inputs
    QStringList folders;             // absolute folder inputs, each ending in '/'
    qint64 skippedNonImages = 0;     // files in folders whose content is not an image format
};

// Turns user inputs (files and folders) into the list of image files to ingest.
// Folders are walked recursively; hidden entries are skipped; symlinked folders are followed
// once (a loop is detected by device and inode, never followed twice). Inside folders, files
// are kept when their extension is a known image one or their first bytes are an image
// format's signature; files named explicitly are always kept (the decoder judges them).
class FileDiscovery final
{
public:
    static DiscoveryResult discover(const QStringList &inputs, const std::atomic<bool> *cancel = nullptr);
};

} // namespace lookalike
