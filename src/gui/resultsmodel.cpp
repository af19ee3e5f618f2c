#include "resultsmodel.h"

#include "collection/collection.h"
#include "scoretext.h"
#include "thumbnailcache.h"

#include <QDataStream>
#include <QFileInfo>
#include <QMimeData>
#include <QSet>
#include <QUrl>

namespace lookalike {

ResultsModel::ResultsModel(ThumbnailCache *thumbnails, QObject *parent)
    : QAbstractListModel(parent)
    , m_thumbnails(thumbnails)
{
    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &ResultsModel::onThumbnailReady);
}

void ResultsModel::setCollection(std::shared_ptr<Collection> collection)
{
    m_collection = std::move(collection);
    browseAll();
}

void ResultsModel::browseAll()
{
    beginResetModel();
    m_mode = Mode::Browse;
    m_query = {};
    m_result = {};
    m_pages.clear();
    m_ids.clear();
    m_rowOfId.clear();
    m_lastError.clear();
    if (m_collection) {
        auto ids = m_collection->itemIds();
        if (ids)
            m_ids = std::move(*ids);
        else
            m_lastError = ids.errorMessage();
    }
    m_rowOfId.reserve(qsizetype(m_ids.size()));
    for (size_t i = 0; i < m_ids.size(); ++i)
        m_rowOfId.insert(m_ids[i], int(i));
    endResetModel();
}

void ResultsModel::setSearchResult(const SearchQuery &query, const SearchResult &result)
{
    beginResetModel();
    m_mode = Mode::Search;
    m_query = query;
    m_result = result;
    m_pages.clear();
    m_ids.clear();
    m_rowOfId.clear();
    for (int i = 0; i < m_result.hits.size(); ++i) {
        m_ids.push_back(m_result.hits[i].id);
        m_rowOfId.insert(m_result.hits[i].id, i);
    }
    endResetModel();
}

void ResultsModel::refreshItems()
{
    if (m_mode != Mode::Browse || !m_collection)
        return;
    // Ids only grow, so what an ingest added is the tail above the last id shown; reading just
    // that keeps a refresh per committed chunk cheap on a million items. If the count does not
    // add up, something was removed or replaced meanwhile (another process): start over.
    auto added = m_collection->itemIds(m_ids.empty() ? -1 : m_ids.back());
    auto count = m_collection->itemCount();
    if (!added || !count) {
        m_lastError = added ? count.errorMessage() : added.errorMessage();
        return;
    }
    if (*count != qint64(m_ids.size() + added->size())) {
        browseAll();
        return;
    }
    if (added->empty())
        return;
    const int first = int(m_ids.size());
    beginInsertRows({}, first, first + int(added->size()) - 1);
    for (qint64 id : *added) {
        m_rowOfId.insert(id, int(m_ids.size()));
        m_ids.push_back(id);
    }
    // The last page may have been read short.
    m_pages.remove_if([&](const Page &p) { return (p.index + 1) * kPageSize > first; });
    endInsertRows();
}

void ResultsModel::removeIds(const std::vector<qint64> &ids)
{
    const QSet<qint64> gone(ids.begin(), ids.end());
    // Row by row from the end keeps the view's selection and scroll position for the rest.
    for (int row = int(m_ids.size()) - 1; row >= 0; --row) {
        if (!gone.contains(m_ids[size_t(row)]))
            continue;
        beginRemoveRows({}, row, row);
        m_ids.erase(m_ids.begin() + row);
        if (m_mode == Mode::Search)
            m_result.hits.removeAt(row);
        endRemoveRows();
    }
    m_rowOfId.clear();
    for (size_t i = 0; i < m_ids.size(); ++i)
        m_rowOfId.insert(m_ids[i], int(i));
    m_pages.clear();
}

qint64 ResultsModel::idAt(int row) const
{
    return row >= 0 && size_t(row) < m_ids.size() ? m_ids[size_t(row)] : -1;
}

int ResultsModel::rowOf(qint64 id) const
{
    return m_rowOfId.value(id, -1);
}

const SearchHit *ResultsModel::hitAt(int row) const
{
    if (m_mode != Mode::Search || row < 0 || row >= m_result.hits.size())
        return nullptr;
    return &m_result.hits[row];
}

std::optional<ItemRecord> ResultsModel::itemAt(int row) const
{
    if (const SearchHit *hit = hitAt(row))
        return hit->item;
    if (const ItemRecord *r = browseRecord(row))
        return *r;
    return std::nullopt;
}

const ItemRecord *ResultsModel::browseRecord(int row) const
{
    if (m_mode != Mode::Browse || row < 0 || size_t(row) >= m_ids.size() || !m_collection)
        return nullptr;
    const int pageIndex = row / kPageSize;
    auto it = std::find_if(m_pages.begin(), m_pages.end(), [&](const Page &p) { return p.index == pageIndex; });
    if (it == m_pages.end()) {
        const size_t begin = size_t(pageIndex) * kPageSize;
        const size_t end = std::min(m_ids.size(), begin + kPageSize);
        auto records = m_collection->itemsByIds(std::span(m_ids).subspan(begin, end - begin));
        if (!records) {
            m_lastError = records.errorMessage();
            return nullptr;
        }
        Page page;
        page.index = pageIndex;
        page.records.resize(end - begin);
        for (size_t i = begin; i < end; ++i) {
            // An item removed by another process since the ids were read shows as id only.
            ItemRecord idOnly;
            idOnly.id = m_ids[i];
            page.records[i - begin] = records->value(m_ids[i], idOnly);
        }
        m_pages.push_front(std::move(page));
        if (m_pages.size() > kMaxCachedPages)
            m_pages.pop_back();
        it = m_pages.begin();
    } else if (it != m_pages.begin()) {
        m_pages.splice(m_pages.begin(), m_pages, it);
        it = m_pages.begin();
    }
    return &it->records[size_t(row - pageIndex * kPageSize)];
}

int ResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

QVariant ResultsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const int row = index.row();
    const SearchHit *hit = hitAt(row);
    if (role == IdRole)
        return idAt(row);
    if (role == HasScoreRole)
        return hit != nullptr;
    if (role == Qt::DecorationRole)
        return m_thumbnails->thumbnail(idAt(row));
    if (hit) {
        switch (role) {
        case ScoreRole: return hit->score;
        case ImageScoreRole: return hit->imageScore;
        case TextScoreRole: return hit->textScore;
        case MatchedTextRole: return hit->matchedText;
        case ReportRole: return hit->report;
        default: break;
        }
    }
    const ItemRecord *record = hit ? &hit->item : browseRecord(row);
    if (!record)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case FileNameRole:
        return record->filename.isEmpty() ? record->uri : record->filename;
    case UriRole:
        return record->uri;
    case Qt::ToolTipRole: {
        QString tip = record->uri.toHtmlEscaped();
        if (record->width > 0)
            tip += QStringLiteral("<br>") + tr("%1 × %2 px, %3").arg(record->width).arg(record->height).arg(record->format);
        if (hit) {
            tip += QStringLiteral("<br>") + tr("Score %1 (image %2, text %3)")
                                               .arg(hit->score, 0, 'f', 3)
                                               .arg(hit->imageScore, 0, 'f', 3)
                                               .arg(hit->textScore, 0, 'f', 3);
            if (const QString parts = ScoreText::textParts(*hit); !parts.isEmpty())
                tip += QStringLiteral("<br>") + tr("Text: %1").arg(parts.toHtmlEscaped());
            if (const QString rule = ScoreText::fusion(m_query, m_result); !rule.isEmpty())
                tip += QStringLiteral("<br><i>") + rule.toHtmlEscaped() + QStringLiteral("</i>");
        }
        return tip;
    }
    default:
        return {};
    }
}

Qt::ItemFlags ResultsModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractListModel::flags(index);
    if (index.isValid())
        f |= Qt::ItemIsDragEnabled;
    return f;
}

QStringList ResultsModel::mimeTypes() const
{
    return {QString::fromLatin1(kItemIdsMimeType), QStringLiteral("text/uri-list")};
}

QMimeData *ResultsModel::mimeData(const QModelIndexList &indexes) const
{
    auto *mime = new QMimeData;
    QByteArray encoded;
    QDataStream stream(&encoded, QIODevice::WriteOnly);
    QList<QUrl> urls;
    for (const QModelIndex &index : indexes) {
        stream << idAt(index.row());
        const QString uri = index.data(UriRole).toString();
        if (!uri.isEmpty())
            urls << (uri.contains(QLatin1String("://")) ? QUrl(uri) : QUrl::fromLocalFile(uri));
    }
    mime->setData(QString::fromLatin1(kItemIdsMimeType), encoded);
    // Other applications (a file manager, an editor) get the files.
    mime->setUrls(urls);
    return mime;
}

void ResultsModel::onThumbnailReady(qint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {Qt::DecorationRole});
}

} // namespace lookalike
