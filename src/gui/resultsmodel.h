#pragma once

#include "search/query.h"

#include <QAbstractListModel>
#include <QHash>

#include <list>
#include <memory>
#include <vector>

namespace lookalike {

class Collection;
class ThumbnailCache;

// What the grid shows: either every item of the collection (browsing, in id order, so items
// added by a running ingest appear at the end) or the hits of a search, best first.
// Browsing keeps only the ids in memory (8 bytes per item) and reads item rows a page at a
// time as the view asks for them, so a 100,000-item collection opens and scrolls at once.
class ResultsModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultsModel)

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        UriRole,
        FileNameRole,
        HasScoreRole,
        ScoreRole,
        ImageScoreRole,
        TextScoreRole,
        MatchedTextRole,
        ReportRole, // search hits only; browsing leaves it empty (read on demand)
    };
    enum class Mode { Browse, Search };

    ResultsModel(ThumbnailCache *thumbnails, QObject *parent = nullptr);

    void setCollection(std::shared_ptr<Collection> collection);
    // Browse mode over every item; re-reads the id list.
    void browseAll();
    void setSearchResult(const SearchQuery &query, const SearchResult &result);
    // After an ingest committed: browsing appends the new ids at the end; search results are
    // left as they are (the user re-runs the search).
    void refreshItems();
    void removeIds(const std::vector<qint64> &ids);

    Mode mode() const { return m_mode; }
    const SearchQuery &query() const { return m_query; }
    const SearchResult &searchResult() const { return m_result; }
    qint64 idAt(int row) const;
    int rowOf(qint64 id) const;
    // The hit at `row` in search mode (nullptr when browsing).
    const SearchHit *hitAt(int row) const;
    // The item at `row`; reads its page when browsing.
    std::optional<ItemRecord> itemAt(int row) const;
    QString lastError() const { return m_lastError; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;

    static constexpr int kPageSize = 256;
    static constexpr int kMaxCachedPages = 64;

private:
    const ItemRecord *browseRecord(int row) const;
    void onThumbnailReady(qint64 id);

    ThumbnailCache *m_thumbnails;
    std::shared_ptr<Collection> m_collection;
    Mode m_mode = Mode::Browse;

    // browse
    std::vector<qint64> m_ids;
    QHash<qint64, int> m_rowOfId;
    struct Page
    {
        int index = 0;
        std::vector<ItemRecord> records;
    };
    mutable std::list<Page> m_pages; // most recently used first
    // search
    SearchQuery m_query;
    SearchResult m_result;

    mutable QString m_lastError;
};

// Mime type carrying item ids between the grid, the query bar and the duplicates view.
inline constexpr char kItemIdsMimeType[] = "application/x-lookalike-item-ids";

} // namespace lookalike
