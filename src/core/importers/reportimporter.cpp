#include "reportimporter.h"

#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "util/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QStringDecoder>
#include <QUrl>

#include <tuple>

namespace lookalike {

namespace {

constexpr qsizetype kWriteBatch = 1000;
constexpr int kMaxCandidatesNamed = 5;

bool isUnder(const QString &path, const QString &dir)
{
    if (dir.isEmpty())
        return false;
    if (dir == u"/")
        return path.startsWith(u'/') && path.size() > 1;
    return path.size() > dir.size() + 1 && path.startsWith(dir) && path.at(dir.size()) == u'/';
}

QString normaliseNewlines(QString text)
{
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    return text;
}

struct ResolvedPath
{
    enum class Kind { None, Local, Url };
    Kind kind = Kind::None;
    QString absolute;  // cleaned absolute path (Local)
    QString canonical; // symlinks resolved; empty when the file does not exist (Local)
    QString url;       // (Url)
    QString error;     // the row is rejected
};

// Resolves image_path cells against the CSV's folder and applies the escape policy.
class PathResolver
{
public:
    PathResolver(const QString &csvPath, bool allowOutside) : m_allowOutside(allowOutside)
    {
        const QFileInfo fi(csvPath);
        m_dirAbs = QDir::cleanPath(fi.absolutePath());
        m_dirCanon = QFileInfo(m_dirAbs).canonicalFilePath();
        if (m_dirCanon.isEmpty())
            m_dirCanon = m_dirAbs;
    }

    QString folder() const { return m_dirAbs; }

    ResolvedPath resolve(const QString &cell) const
    {
        ResolvedPath r;
        QString p = cell.trimmed();
        if (p.isEmpty())
            return r;
        static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*://"));
        if (scheme.match(p).hasMatch()) {
            const QUrl url(p);
            if (!url.isLocalFile()) {
                r.kind = ResolvedPath::Kind::Url;
                r.url = p;
                return r;
            }
            p = url.toLocalFile();
        }
        // Exports made on Windows write "images\x.png".
        if (p.contains(u'\\') && !p.contains(u'/'))
            p.replace(u'\\', u'/');
        r.kind = ResolvedPath::Kind::Local;
        r.absolute = QDir::cleanPath(QDir::isAbsolutePath(p) ? p : m_dirAbs + u'/' + p);
        if (!m_allowOutside && !isUnder(r.absolute, m_dirAbs) && !isUnder(r.absolute, m_dirCanon)) {
            r.error = QStringLiteral("image_path \"%1\" points outside the CSV's folder %2 (allowed only with the "
                                     "allow-outside option)")
                          .arg(cell, m_dirAbs);
            return r;
        }
        r.canonical = QFileInfo(r.absolute).canonicalFilePath();
        if (!m_allowOutside && !r.canonical.isEmpty() && !isUnder(r.canonical, m_dirCanon)) {
            r.error = QStringLiteral("image_path \"%1\" leads outside the CSV's folder %2 through a symbolic link "
                                     "(to %3; allowed only with the allow-outside option)")
                          .arg(cell, m_dirAbs, r.canonical);
        }
        return r;
    }

private:
    bool m_allowOutside = false;
    QString m_dirAbs;
    QString m_dirCanon;
};

QString lineError(qint64 line, const QString &message)
{
    return QStringLiteral("line %1: %2").arg(line).arg(message);
}

// Reads a sidecar: size-capped, UTF-8 checked, BOM and surrounding whitespace dropped.
Result<QString> readSidecar(const QString &path, qint64 maxBytes)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("%1: cannot read: %2").arg(path, f.errorString()));
    const QByteArray bytes = f.read(maxBytes + 1);
    if (bytes.size() > maxBytes)
        return makeError(Error::Code::TooLarge, QStringLiteral("%1: larger than %2 bytes, not imported").arg(path).arg(maxBytes));
    // Stateless: a sequence cut off at the end is an error, not state kept for more input.
    QStringDecoder decoder(QStringDecoder::Utf8, QStringConverter::Flag::Stateless); // skips a leading BOM
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return makeError(Error::Code::Corrupt, QStringLiteral("%1: not valid UTF-8, not imported").arg(path));
    return normaliseNewlines(std::move(text)).trimmed();
}

} // namespace

ReportImporter::ReportImporter(Collection &collection) : m_collection(collection) {}

Result<CsvRowMatches> ReportImporter::matchRows(const QString &csvPath, const ReportImportOptions &options)
{
    auto opened = CsvReader::open(csvPath, options.csv);
    if (!opened)
        return opened.error();
    CsvReader &csv = **opened;
    const int cPath = csv.column(u"image_path");
    const int cFile = csv.column(u"filename");
    if (cPath < 0 && cFile < 0) {
        return makeError(Error::Code::InvalidArgument,
                         QStringLiteral("%1: neither an image_path nor a filename column (columns: %2)")
                             .arg(csvPath, csv.header().join(QStringLiteral(", "))));
    }
    const PathResolver resolver(csvPath, options.allowOutside);

    CsvRowMatches m;
    m.header = csv.header();
    QHash<qint64, qint64> firstLineOfItem;
    for (;;) {
        auto next = csv.next();
        if (!next)
            return makeError(next.error().code, QStringLiteral("%1: %2").arg(csvPath, next.errorMessage()));
        if (!next->has_value())
            break;
        const CsvRow &row = **next;
        m.itemIds.push_back(-1);
        m.lines.push_back(row.line);
        if (!row.ok()) {
            m.errors.append({row.line, row.error});
            continue;
        }

        const QString pathCell = row.value(cPath).trimmed();
        const ResolvedPath path = resolver.resolve(pathCell);
        if (!path.error.isEmpty()) {
            m.errors.append({row.line, lineError(row.line, path.error)});
            continue;
        }

        std::optional<ItemRecord> item;
        bool byPath = false;
        const QStringList uris = path.kind == ResolvedPath::Kind::Url ? QStringList{path.url}
                               : path.kind == ResolvedPath::Kind::Local
                                   ? (path.canonical.isEmpty() || path.canonical == path.absolute
                                          ? QStringList{path.absolute}
                                          : QStringList{path.canonical, path.absolute})
                                   : QStringList{};
        for (const QString &uri : uris) {
            auto found = m_collection.itemByUri(uri);
            if (!found)
                return found.error();
            if (*found) {
                item = *found;
                byPath = true;
                break;
            }
        }

        if (!item) {
            QString name = row.value(cFile).trimmed();
            if (name.isEmpty() && path.kind == ResolvedPath::Kind::Local)
                name = QFileInfo(path.absolute).fileName();
            name = name.section(u'/', -1);
            if (!name.isEmpty()) {
                auto candidates = m_collection.itemsByFilename(name);
                if (!candidates)
                    return candidates.error();
                if (candidates->size() == 1) {
                    item = candidates->first();
                } else if (candidates->size() > 1) {
                    QStringList named;
                    for (const ItemRecord &c : std::as_const(*candidates).first(std::min<qsizetype>(candidates->size(), kMaxCandidatesNamed)))
                        named.append(c.uri);
                    if (candidates->size() > kMaxCandidatesNamed)
                        named.append(QStringLiteral("… %1 more").arg(candidates->size() - kMaxCandidatesNamed));
                    m.errors.append({row.line, lineError(row.line, QStringLiteral("%1 items are named \"%2\" and image_path "
                                                                                   "does not say which: %3")
                                                                        .arg(candidates->size())
                                                                        .arg(name, named.join(QStringLiteral(", "))))});
                    continue;
                }
            }
        }

        if (!item) {
            m.unmatchedLines.append(row.line);
            continue;
        }
        if (const auto it = firstLineOfItem.constFind(item->id); it != firstLineOfItem.cend()) {
            m.errors.append({row.line, lineError(row.line, QStringLiteral("names the same item as line %1 (%2); ignored")
                                                               .arg(*it)
                                                               .arg(item->uri))});
            continue;
        }
        firstLineOfItem.insert(item->id, row.line);
        m.itemIds.back() = item->id;
        ++(byPath ? m.matchedByPath : m.matchedByFilename);
    }
    return m;
}

Result<ReportImportResult> ReportImporter::importCsv(const QString &csvPath, const ReportImportOptions &options)
{
    // Pass 1: parse everything and match; a malformed file stops here with nothing written.
    auto matches = matchRows(csvPath, options);
    if (!matches)
        return matches.error();

    ReportImportResult result;
    result.rowsRead = qint64(matches->itemIds.size());
    result.matchedByPath = matches->matchedByPath;
    result.matchedByFilename = matches->matchedByFilename;
    result.matched = result.matchedByPath + result.matchedByFilename;
    result.errors = matches->errors;
    result.unmatchedLines = matches->unmatchedLines;
    if (result.matched == 0) {
        qCInfo(lcImport) << csvPath << ": no row matched an item of the collection";
        return result;
    }

    // Pass 2: read the rows again and write what the matched ones carry, in batches.
    auto opened = CsvReader::open(csvPath, options.csv);
    if (!opened)
        return opened.error();
    CsvReader &csv = **opened;
    if (csv.header() != matches->header)
        return makeError(Error::Code::Io, QStringLiteral("%1 changed while it was being imported").arg(csvPath));
    const int cReport = csv.column(u"report_text");
    const int cPath = csv.column(u"image_path");
    const int cFile = csv.column(u"filename");
    QList<std::pair<int, QString>> metaColumns; // column → key
    for (int c = 0; c < csv.header().size(); ++c) {
        const QString &name = csv.header().at(c);
        if (c == cReport || c == cPath || c == cFile || name.isEmpty())
            continue;
        const QString lower = name.toLower();
        metaColumns.append({c, lower == u"image_id" || lower == u"uid" ? lower : name});
    }

    auto writer = m_collection.openWriter();
    if (!writer)
        return writer.error();
    std::vector<std::pair<qint64, QString>> reports;
    std::vector<std::tuple<qint64, QString, QString>> metadata;
    auto flush = [&]() -> Result<void> {
        if (!reports.empty()) {
            if (auto r = (*writer)->setReports(reports, options.source); !r)
                return r;
            result.reportsSet += qint64(reports.size());
            reports.clear();
        }
        if (!metadata.empty()) {
            if (auto r = (*writer)->setMetadata(metadata); !r)
                return r;
            result.metadataEntries += qint64(metadata.size());
            metadata.clear();
        }
        return {};
    };

    for (;;) {
        auto next = csv.next();
        if (!next)
            return makeError(next.error().code, QStringLiteral("%1: %2").arg(csvPath, next.errorMessage()));
        if (!next->has_value())
            break;
        const CsvRow &row = **next;
        if (size_t(row.index) >= matches->itemIds.size() || matches->lines[size_t(row.index)] != row.line)
            return makeError(Error::Code::Io, QStringLiteral("%1 changed while it was being imported").arg(csvPath));
        const qint64 id = matches->itemIds[size_t(row.index)];
        if (id < 0)
            continue;
        if (cReport >= 0) {
            QString text = normaliseNewlines(row.value(cReport));
            if (!text.trimmed().isEmpty())
                reports.emplace_back(id, std::move(text));
        }
        for (const auto &[column, key] : std::as_const(metaColumns)) {
            const QString value = row.value(column).trimmed();
            if (!value.isEmpty())
                metadata.emplace_back(id, key, value);
        }
        if (qsizetype(reports.size()) >= kWriteBatch || qsizetype(metadata.size()) >= kWriteBatch * 4) {
            if (auto r = flush(); !r)
                return r.error();
        }
    }
    if (auto r = flush(); !r)
        return r.error();

    qCInfo(lcImport).noquote() << QStringLiteral("%1: %2 rows, %3 matched (%4 by path, %5 by file name), %6 reports, "
                                                 "%7 metadata entries, %8 row errors, %9 unmatched")
                                      .arg(csvPath)
                                      .arg(result.rowsRead)
                                      .arg(result.matched)
                                      .arg(result.matchedByPath)
                                      .arg(result.matchedByFilename)
                                      .arg(result.reportsSet)
                                      .arg(result.metadataEntries)
                                      .arg(result.errors.size())
                                      .arg(result.unmatchedLines.size());
    return result;
}

Result<QStringList> ReportImporter::imagePaths(const QString &csvPath, const ReportImportOptions &options,
                                               QList<ImportRowError> *errors)
{
    auto opened = CsvReader::open(csvPath, options.csv);
    if (!opened)
        return opened.error();
    CsvReader &csv = **opened;
    const int cPath = csv.column(u"image_path");
    if (cPath < 0)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("%1: no image_path column").arg(csvPath));
    const PathResolver resolver(csvPath, options.allowOutside);

    QStringList paths;
    QSet<QString> seen;
    auto report = [&](qint64 line, const QString &message) {
        if (errors)
            errors->append({line, lineError(line, message)});
    };
    for (;;) {
        auto next = csv.next();
        if (!next)
            return makeError(next.error().code, QStringLiteral("%1: %2").arg(csvPath, next.errorMessage()));
        if (!next->has_value())
            break;
        const CsvRow &row = **next;
        if (!row.ok()) {
            if (errors)
                errors->append({row.line, row.error});
            continue;
        }
        const ResolvedPath path = resolver.resolve(row.value(cPath));
        switch (path.kind) {
        case ResolvedPath::Kind::None:
            report(row.line, QStringLiteral("no image_path"));
            continue;
        case ResolvedPath::Kind::Url:
            // Nothing is fetched because a CSV names it: URLs are added explicitly.
            report(row.line, QStringLiteral("image_path \"%1\" is a URL; it is not fetched").arg(path.url));
            continue;
        case ResolvedPath::Kind::Local:
            break;
        }
        if (!path.error.isEmpty()) {
            report(row.line, path.error);
            continue;
        }
        if (path.canonical.isEmpty() || !QFileInfo(path.canonical).isFile()) {
            report(row.line, QStringLiteral("image file %1 not found").arg(path.absolute));
            continue;
        }
        if (!seen.contains(path.absolute)) {
            seen.insert(path.absolute);
            paths.append(path.absolute);
        }
    }
    return paths;
}

Result<SidecarImportResult> ReportImporter::importSidecars(std::span<const qint64> ids, const SidecarOptions &options)
{
    SidecarImportResult result;
    auto writer = m_collection.openWriter();
    if (!writer)
        return writer.error();

    auto processPage = [&](const QList<ItemRecord> &page) -> Result<void> {
        std::vector<qint64> pageIds;
        pageIds.reserve(size_t(page.size()));
        for (const ItemRecord &item : page)
            pageIds.push_back(item.id);
        QHash<qint64, QString> existing;
        if (!options.overwrite) {
            auto r = m_collection.reports(pageIds);
            if (!r)
                return r.error();
            existing = std::move(*r);
        }
        std::vector<std::pair<qint64, QString>> reports;
        for (const ItemRecord &item : page) {
            ++result.itemsScanned;
            if (!QDir::isAbsolutePath(item.uri))
                continue; // a URL: its bytes live under files/, with no neighbours
            const QFileInfo image(item.uri);
            QStringList candidates{item.uri + QStringLiteral(".txt")};
            if (!image.suffix().isEmpty())
                candidates.append(image.path() + u'/' + image.completeBaseName() + QStringLiteral(".txt"));
            QString sidecar;
            for (const QString &c : std::as_const(candidates)) {
                // isFile(): never open a FIFO or a device that happens to carry the name.
                if (QFileInfo(c).isFile()) {
                    sidecar = c;
                    break;
                }
            }
            if (sidecar.isEmpty())
                continue;
            ++result.found;
            if (existing.contains(item.id)) {
                ++result.skippedExisting;
                continue;
            }
            auto text = readSidecar(sidecar, options.maxBytes);
            if (!text) {
                result.errors.append({0, text.errorMessage()});
                continue;
            }
            if (text->isEmpty())
                continue;
            reports.emplace_back(item.id, std::move(*text));
        }
        if (!reports.empty()) {
            if (auto r = (*writer)->setReports(reports, options.source); !r)
                return r;
            result.reportsSet += qint64(reports.size());
        }
        return {};
    };

    if (!ids.empty()) {
        for (size_t at = 0; at < ids.size(); at += size_t(kWriteBatch)) {
            const auto chunk = ids.subspan(at, std::min(ids.size() - at, size_t(kWriteBatch)));
            auto items = m_collection.itemsByIds(chunk);
            if (!items)
                return items.error();
            QList<ItemRecord> page;
            for (qint64 id : chunk) {
                if (const auto it = items->constFind(id); it != items->cend())
                    page.append(*it);
            }
            if (auto r = processPage(page); !r)
                return r.error();
        }
    } else {
        // items() pages in id order: items added meanwhile come last and are seen or not, never twice.
        for (qint64 offset = 0;; offset += kWriteBatch) {
            auto page = m_collection.items(offset, kWriteBatch);
            if (!page)
                return page.error();
            if (page->isEmpty())
                break;
            if (auto r = processPage(*page); !r)
                return r.error();
            if (page->size() < kWriteBatch)
                break;
        }
    }
    qCInfo(lcImport) << "sidecars:" << result.itemsScanned << "items," << result.found << "with a .txt,"
                     << result.reportsSet << "reports set," << result.skippedExisting << "kept existing,"
                     << result.errors.size() << "errors";
    return result;
}

} // namespace lookalike
