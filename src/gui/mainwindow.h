#pragma once

#include "newcollectiondialog.h"
#include "search/query.h"

#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QLabel;
class QSplitter;

namespace lookalike {

class AppSettings;
class CollectionSession;
class CollectionsPanel;
class DetailsPanel;
class IngestStatusWidget;
class ModelsDialog;
class QueryBar;
class ResultsModel;
class ResultsView;
class ThumbnailCache;
struct DropContents;
struct IngestErrorRecord;
struct IngestResult;

// The window: collections on the left, the query bar over the results grid in the middle,
// the selected item's details on the right, ingest progress in the status bar. It wires the
// widgets to one CollectionSession and turns user actions into session calls; the work itself
// runs in the session's threads.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(AppSettings &settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens a collection folder; errors are shown to the user and returned.
    bool openCollection(const QString &path);
    // Ingests whatever a drop or paste carried into the current collection, offering to
    // create one when none is open. Returns false when nothing was started.
    bool addDropped(const DropContents &contents);
    void runSearch();
    // Opens (creating it the first time) the "Demo" collection in the library folder, adds the
    // photos of Debian's plasma-workspace-wallpapers, then queries by one of them.
    bool startDemo();
    void browseAll();

    // Nothing running: no model loading, no ingest, no search, no thumbnail loading
    // (screenshots wait for it).
    bool isIdle() const;
    // Opens the Models dialog (one at a time; not modal).
    ModelsDialog *showModels();

    CollectionSession *session() const { return m_session; }
    ResultsModel *resultsModel() const { return m_model; }
    ResultsView *resultsView() const { return m_view; }
    QueryBar *queryBar() const { return m_queryBar; }
    DetailsPanel *detailsPanel() const { return m_details; }
    CollectionsPanel *collectionsPanel() const { return m_collections; }
    IngestStatusWidget *ingestStatus() const { return m_ingestStatus; }
    QAction *action(const QString &objectName) const;
    // Where the window asks the user something; tests replace these to answer without modal
    // dialogs. An empty optional or string means the user cancelled.
    struct Prompts
    {
        std::function<bool(const QString &title, const QString &text)> confirm;
        std::function<QString(const QString &title, const QString &startDir)> directory;
        std::function<void(const QString &title, const QString &text)> error;
        // Multi-line text (a list of links); empty when cancelled.
        std::function<QString(const QString &title, const QString &label)> text;
        // A new collection's name and model (NewCollectionDialog); nullopt when cancelled.
        std::function<std::optional<NewCollectionChoice>(const QString &suggestedName, const QString &defaultModel)>
            newCollection;
    };
    Prompts prompts;

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createMenus();
    void applyTileSide();
    void restoreState();
    void saveState();
    void updateActions();
    void updateTitle();
    void showDetails(qint64 id);
    void onSearchFinished(const SearchQuery &query, const SearchResult &result);
    void onOutliersFound(const SearchResult &result, int neighbours);
    void showFirstResult();
    void onIngestFinished(const IngestResult &result);
    void findSimilar(const std::vector<qint64> &ids);
    void addSelectionToQuery(bool negative);
    void openItems(const std::vector<qint64> &ids);
    void showInFolder(const std::vector<qint64> &ids);
    void copyPaths(const std::vector<qint64> &ids);
    void removeItems(const std::vector<qint64> &ids);
    void exportHits(const QList<SearchHit> &hits);
    void exportIds(const std::vector<qint64> &ids);
    void createCollection(const QString &suggestedName = {});
    // `model` empty: the default model of the settings.
    bool createCollectionAt(const QString &dir, const QString &name, const QString &model = {});
    void deleteCollection(const QString &path);
    void renameCollection(const QString &path, const QString &name);
    void importFolder();
    void addFiles();
    void addUrls();
    void pasteImage();
    void showDuplicates();
    // The collection's most unusual images, shown in the grid like results.
    void findOutliers();
    void showSettings();
    void updateTextHint();
    void showErrors();
    void showMessage(const QString &text, int ms = 6000);
    void showError(const QString &title, const QString &text);
    std::vector<qint64> selectedOrCurrent() const;
    QString saveDroppedImage(const QImage &image);
    QList<SearchHit> hitsForIds(const std::vector<qint64> &ids);

    AppSettings &m_settings;
    CollectionSession *m_session;
    ThumbnailCache *m_thumbnails;
    ResultsModel *m_model;
    ResultsView *m_view;
    QueryBar *m_queryBar;
    DetailsPanel *m_details;
    CollectionsPanel *m_collections;
    IngestStatusWidget *m_ingestStatus;
    QLabel *m_resultLabel;
    QSplitter *m_splitter;
    QList<IngestErrorRecord> m_lastErrors;
    quint64 m_previewGeneration = 0;
    int m_tileSide = 160;
    QString m_demoQuery; // queried once the demo's ingest finishes
    QPointer<ModelsDialog> m_modelsDialog;
};

} // namespace lookalike
