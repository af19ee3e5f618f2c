#pragma once

#include "collection/collection.h"
#include "search/query.h"

#include <QMap>
#include <QStringList>
#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableWidget;
class QTabWidget;
class QTextBrowser;
class QToolButton;

namespace lookalike {

class ImageViewer;

// Everything the panel shows about one item.
struct ItemDetails
{
    ItemRecord item;
    QString report;
    QMap<QString, QString> metadata;
    std::optional<SearchHit> hit; // scores, when the item came from a search
    QString fusion;               // how the scores were fused (SearchResult::fusion), if known
    QStringList highlightTerms;   // query words or phrases to mark in the report
};

// The selected item: a zoomable preview above its file facts, scores, report and metadata,
// with the actions that apply to one item. It only emits requests; the window acts on them
// (and asks for confirmation before removing).
class DetailsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailsPanel)

public:
    explicit DetailsPanel(QWidget *parent = nullptr);
    ~DetailsPanel() override;

    // Shows the item's facts. The preview is cleared when the item changes; the caller loads
    // the image off the GUI thread and hands it to setPreview().
    void showItem(const ItemDetails &details);
    void setPreview(const QImage &image);
    void clear();

    qint64 currentId() const { return m_id; }
    ImageViewer *viewer() const { return m_viewer; }
    QSplitter *splitter() const { return m_splitter; }

    // `text` HTML-escaped, newlines kept, with every word that starts with one of `terms`
    // (case-insensitive; a term may be a phrase) wrapped in a highlight.
    static QString highlightedHtml(const QString &text, const QStringList &terms);

Q_SIGNALS:
    void findSimilarRequested(qint64 id);
    void addToQueryRequested(qint64 id, bool negative);
    void openRequested(qint64 id);
    void showInFolderRequested(qint64 id);
    void removeRequested(qint64 id);

private:
    void updateZoomLabel(double factor);
    void setActionsEnabled(bool enabled);

    qint64 m_id = -1;
    QSplitter *m_splitter;
    ImageViewer *m_viewer;
    QLabel *m_zoomLabel;
    QLabel *m_nameLabel;
    QLineEdit *m_pathEdit;
    QLabel *m_factsLabel;
    QLabel *m_scoreLabel;
    QTabWidget *m_tabs;
    QTextBrowser *m_report;
    QTableWidget *m_metadata;
    QList<QPushButton *> m_actions;
};

} // namespace lookalike
