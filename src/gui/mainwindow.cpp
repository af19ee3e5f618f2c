#include "mainwindow.h"

#include "appsettings.h"
#include "collection/collection.h"
#include "collectionsession.h"
#include "collectionspanel.h"
#include "util/weburl.h"
#include "detailspanel.h"
#include "dropparser.h"
#include "duplicatesdialog.h"
#include "embed/embedderfactory.h"
#include "ingest/demosources.h"
#include "errorsdialog.h"
#include "imageviewer.h"
#include "ingeststatuswidget.h"
#include "media/imagedecoder.h"
#include "models/modelcatalog.h"
#include "models/torchruntime.h"
#include "modelsdialog.h"
#include "querybar.h"
#include "resultsmodel.h"
#include "resultsview.h"
#include "scoretext.h"
#include "search/ftsquery.h"
#include "search/resultexporter.h"
#include "settingsdialog.h"
#include "thumbnailcache.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QInputDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QRegularExpression>
#include <QSplitter>
#include <QStatusBar>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace lookalike {

namespace {
constexpr int kPreviewSide = 2048; // enough for a sharp preview on a 4K screen's panel
constexpr int kOutliersShown = 100; // a screenful or two: what a person looks through

QString imageFileFilter()
{
    return MainWindow::tr("Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp *.svg);;All files (*)");
}
} // namespace

MainWindow::MainWindow(AppSettings &settings, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_session(new CollectionSession(this))
    , m_thumbnails(new ThumbnailCache(this, qint64(settings.thumbnailCacheMiB()) << 20))
    , m_model(new ResultsModel(m_thumbnails, this))
    , m_view(new ResultsView(this))
    , m_queryBar(new QueryBar(m_thumbnails, this))
    , m_details(new DetailsPanel(this))
    , m_collections(new CollectionsPanel(this))
    , m_ingestStatus(new IngestStatusWidget(this))
    , m_resultLabel(new QLabel(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/lookalike.svg")));
    setAcceptDrops(true);
    prompts.confirm = [this](const QString &title, const QString &text) {
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    prompts.directory = [this](const QString &title, const QString &start) {
        return QFileDialog::getExistingDirectory(this, title, start);
    };
    prompts.error = [this](const QString &title, const QString &text) {
        QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
        box.setTextInteractionFlags(Qt::TextSelectableByMouse); // the message can be copied
        box.exec();
    };
    prompts.text = [this](const QString &title, const QString &label) {
        return QInputDialog::getMultiLineText(this, title, label);
    };
    prompts.newCollection = [this](const QString &suggested, const QString &defaultModel) -> std::optional<NewCollectionChoice> {
        // Reads config.json files only; the list is short.
        NewCollectionDialog dialog(suggested, ModelCatalog::installed(), defaultModel, this);
        if (dialog.exec() != QDialog::Accepted)
            return std::nullopt;
        return dialog.choice();
    };

    m_view->setModel(m_model);
    applyTileSide();
    auto *centre = new QWidget(this);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(2);
    centreLayout->addWidget(m_queryBar);
    centreLayout->addWidget(m_view, 1);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_collections);
    m_splitter->addWidget(centre);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setSizes({220, 800, 380});
    setCentralWidget(m_splitter);
    m_resultLabel->setObjectName(QStringLiteral("resultLabel"));
    statusBar()->addWidget(m_resultLabel, 1);
    statusBar()->addPermanentWidget(m_ingestStatus);

    createActions();
    createMenus();

    // session → views
    connect(m_session, &CollectionSession::searchFinished, this, &MainWindow::onSearchFinished);
    connect(m_session, &CollectionSession::outliersFound, this, &MainWindow::onOutliersFound);
    connect(m_session, &CollectionSession::searchFailed, this, [this](const QString &message) {
        m_resultLabel->clear();
        showMessage(tr("Search failed: %1").arg(message), 10000);
    });
    // The built-in embedder is ready in a moment: only real models are worth a message.
    connect(m_session, &CollectionSession::embedderLoading, this, [this](const QString &model) {
        if (!EmbedderFactory::builtInIds().contains(model))
            showMessage(tr("Loading the model %1…").arg(model), 0);
    });
    connect(m_session, &CollectionSession::embedderReady, this, [this](const QString &model) {
        updateTextHint();
        if (!EmbedderFactory::builtInIds().contains(model))
            showMessage(tr("The model %1 is ready.").arg(model));
    });
    connect(m_session, &CollectionSession::embedderFailed, this, [this](const QString &model, const QString &message) {
        updateTextHint();
        showMessage(tr("The model %1 is not available (%2). The collection can still be browsed and searched by its "
                       "items and by words.")
                        .arg(model, message),
                    20000);
    });
    connect(m_session, &CollectionSession::ingestStarted, m_ingestStatus, &IngestStatusWidget::start);
    connect(m_session, &CollectionSession::ingestProgress, m_ingestStatus, &IngestStatusWidget::setProgress);
    connect(m_session, &CollectionSession::itemsChanged, m_model, &ResultsModel::refreshItems);
    connect(m_session, &CollectionSession::ingestFinished, this, &MainWindow::onIngestFinished);
    connect(m_session, &CollectionSession::ingestFailed, this, [this](const QString &message) {
        m_ingestStatus->fail(message);
        updateActions();
    });
    connect(m_session, &CollectionSession::itemsRemoved, this, [this](const std::vector<qint64> &ids) {
        m_model->removeIds(ids);
        for (qint64 id : ids)
            m_thumbnails->invalidate(id);
        m_collections->refresh();
    });
    connect(m_ingestStatus, &IngestStatusWidget::cancelRequested, m_session, &CollectionSession::cancelIngest);
    connect(m_ingestStatus, &IngestStatusWidget::errorsRequested, this, &MainWindow::showErrors);

    // query bar
    connect(m_queryBar, &QueryBar::searchRequested, this, &MainWindow::runSearch);
    connect(m_queryBar, &QueryBar::browseImageRequested, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(this, tr("Choose example images"), QString(), imageFileFilter());
        for (const QString &f : files)
            m_queryBar->addImageFile(f);
        if (!files.isEmpty())
            runSearch();
    });
    connect(m_queryBar, &QueryBar::exampleFailed, this, [this](const QString &file, const QString &message) {
        showMessage(tr("%1 cannot be used as an example: %2").arg(QFileInfo(file).fileName(), message), 10000);
    });

    // grid and details
    connect(m_view, &ResultsView::currentItemChanged, this, &MainWindow::showDetails);
    connect(m_view, &ResultsView::itemActivated, this, [this](qint64 id) { openItems({id}); });
    connect(m_view, &ResultsView::previewRequested, this, [this](qint64 id) {
        showDetails(id);
        m_details->show();
        m_details->viewer()->setFocus();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    connect(m_details, &DetailsPanel::findSimilarRequested, this, [this](qint64 id) { findSimilar({id}); });
    connect(m_details, &DetailsPanel::addToQueryRequested, this, [this](qint64 id, bool negative) {
        const int row = m_model->rowOf(id);
        m_queryBar->addItem(id, row >= 0 ? m_model->data(m_model->index(row), Qt::DisplayRole).toString() : QString(), negative);
    });
    connect(m_details, &DetailsPanel::openRequested, this, [this](qint64 id) { openItems({id}); });
    connect(m_details, &DetailsPanel::showInFolderRequested, this, [this](qint64 id) { showInFolder({id}); });
    connect(m_details, &DetailsPanel::removeRequested, this, [this](qint64 id) { removeItems({id}); });

    // collections
    connect(m_collections, &CollectionsPanel::openRequested, this, &MainWindow::openCollection);
    connect(m_collections, &CollectionsPanel::createRequested, this, [this] { createCollection(); });
    connect(m_collections, &CollectionsPanel::openFolderRequested, this, [this] { action(QStringLiteral("actionOpenCollection"))->trigger(); });
    connect(m_collections, &CollectionsPanel::renameRequested, this, &MainWindow::renameCollection);
    connect(m_collections, &CollectionsPanel::deleteRequested, this, &MainWindow::deleteCollection);

    m_session->setIngestThreads(m_settings.threads());
    m_session->setThumbnailSide(m_settings.thumbnailSide());
    m_queryBar->setAlpha(m_settings.alpha());
    m_queryBar->setK(m_settings.resultCount());
    m_collections->setLibraryFolder(m_settings.libraryFolder());
    restoreState();
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow() = default;

bool MainWindow::isIdle() const
{
    return m_session->embedderState() != CollectionSession::EmbedderState::Loading && !m_session->isIngesting()
        && !m_session->isSearching() && m_thumbnails->pendingCount() == 0 && m_demoQuery.isEmpty();
}

QAction *MainWindow::action(const QString &objectName) const
{
    return findChild<QAction *>(objectName);
}

void MainWindow::createActions()
{
    auto make = [this](const char *name, const QString &icon, const QString &text, const QKeySequence &shortcut,
                       auto slot) {
        auto *a = new QAction(QIcon(icon), text, this);
        a->setObjectName(QString::fromLatin1(name));
        if (!shortcut.isEmpty())
            a->setShortcut(shortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a); // shortcuts work wherever the focus is in the window
        return a;
    };
    make("actionNewCollection", QStringLiteral(":/icons/new-collection.svg"), tr("&New Collection…"), QKeySequence::New,
         [this] { createCollection(); });
    make("actionOpenCollection", QStringLiteral(":/icons/collection.svg"), tr("&Open Collection Folder…"), QKeySequence::Open, [this] {
        const QString dir = prompts.directory(tr("Open a collection folder"), m_settings.libraryFolder());
        if (!dir.isEmpty() && openCollection(dir))
            m_collections->addExtraCollection(dir);
    });
    make("actionImportFolder", QStringLiteral(":/icons/add-folder.svg"), tr("&Import Folder…"), QKeySequence(tr("Ctrl+I")),
         [this] { importFolder(); });
    make("actionAddFiles", QStringLiteral(":/icons/add-files.svg"), tr("Add &Files…"), QKeySequence(), [this] { addFiles(); });
    make("actionAddUrls", QString(), tr("Add from &URLs…"), QKeySequence(), [this] { addUrls(); });
    make("actionSettings", QStringLiteral(":/icons/settings.svg"), tr("&Settings…"), QKeySequence::Preferences,
         [this] { showSettings(); });
    make("actionModels", QStringLiteral(":/icons/models.svg"), tr("&Models…"), QKeySequence(), [this] { showModels(); });
    make("actionQuit", QString(), tr("&Quit"), QKeySequence::Quit, [this] { close(); });

    make("actionFind", QStringLiteral(":/icons/search.svg"), tr("&Find"), QKeySequence::Find, [this] { m_queryBar->focusText(); });
    auto *search = make("actionSearch", QStringLiteral(":/icons/search.svg"), tr("&Search"), QKeySequence(tr("Ctrl+Return")),
                        [this] { runSearch(); });
    search->setShortcuts({QKeySequence(tr("Ctrl+Return")), QKeySequence(tr("Ctrl+Enter"))});
    make("actionBrowseAll", QString(), tr("&Browse All Items"), QKeySequence(tr("Ctrl+Shift+A")), [this] {
        m_queryBar->clearAll();
        browseAll();
    });
    make("actionPasteImage", QStringLiteral(":/icons/image-query.svg"), tr("&Paste Image as Query"), QKeySequence(tr("Ctrl+Shift+V")),
         [this] { pasteImage(); });

    make("actionFindSimilar", QStringLiteral(":/icons/find-similar.svg"), tr("Find &Similar"), QKeySequence(tr("Ctrl+Shift+F")),
         [this] { findSimilar(selectedOrCurrent()); });
    make("actionAddToQuery", QStringLiteral(":/icons/add-to-query.svg"), tr("&Add to Query"), QKeySequence(tr("Ctrl+K")),
         [this] { addSelectionToQuery(false); });
    make("actionAddNegative", QStringLiteral(":/icons/add-negative.svg"), tr("Add as &Negative"), QKeySequence(tr("Ctrl+Shift+K")),
         [this] { addSelectionToQuery(true); });
    make("actionOpenItem", QStringLiteral(":/icons/open.svg"), tr("&Open"), QKeySequence(tr("Ctrl+Shift+O")),
         [this] { openItems(selectedOrCurrent()); });
    make("actionShowInFolder", QStringLiteral(":/icons/show-in-folder.svg"), tr("Show in &Folder"), QKeySequence(),
         [this] { showInFolder(selectedOrCurrent()); });
    make("actionCopyPath", QStringLiteral(":/icons/copy.svg"), tr("&Copy Path"), QKeySequence::Copy,
         [this] { copyPaths(selectedOrCurrent()); });
    make("actionRemove", QStringLiteral(":/icons/remove.svg"), tr("&Remove from Collection…"), QKeySequence::Delete,
         [this] { removeItems(selectedOrCurrent()); });
    make("actionExportSelected", QStringLiteral(":/icons/export.svg"), tr("&Export Selected…"), QKeySequence(),
         [this] { exportIds(selectedOrCurrent()); });
    make("actionExportAll", QStringLiteral(":/icons/export.svg"), tr("Export All &Results…"), QKeySequence(tr("Ctrl+E")),
         [this] {
             if (m_model->mode() == ResultsModel::Mode::Search) {
                 exportHits(m_model->searchResult().hits);
             } else {
                 std::vector<qint64> ids;
                 for (int r = 0; r < m_model->rowCount(); ++r)
                     ids.push_back(m_model->idAt(r));
                 exportIds(ids);
             }
         });
    make("actionDuplicates", QStringLiteral(":/icons/duplicates.svg"), tr("Find &Duplicates…"), QKeySequence(tr("Ctrl+D")),
         [this] { showDuplicates(); });
    make("actionOutliers", QString(), tr("Find &Outliers"), QKeySequence(), [this] { findOutliers(); });
    make("actionErrors", QStringLiteral(":/icons/errors.svg"), tr("Ingest &Errors…"), QKeySequence(), [this] { showErrors(); });
    make("actionLargerTiles", QStringLiteral(":/icons/zoom-in.svg"), tr("&Larger Thumbnails"), QKeySequence::ZoomIn, [this] {
        m_tileSide = std::min(512, m_tileSide + 32);
        applyTileSide();
    });
    make("actionSmallerTiles", QStringLiteral(":/icons/zoom-out.svg"), tr("S&maller Thumbnails"), QKeySequence::ZoomOut, [this] {
        m_tileSide = std::max(64, m_tileSide - 32);
        applyTileSide();
    });
    make("actionAbout", QStringLiteral(":/icons/lookalike.svg"), tr("&About Lookalike"), QKeySequence(), [this] {
        QMessageBox::about(this, tr("About Lookalike"),
                           tr("<p><b>Lookalike %1</b></p><p>Find similar images in local collections.</p>"
                              "<p>Everything stays on this computer: images, reports and searches are "
                              "never sent anywhere unless you add images from a web address.</p>")
                               .arg(QStringLiteral(LOOKALIKE_VERSION)));
    });

    // The grid's context menu is these actions.
    const char *itemActions[] = {"actionFindSimilar", "actionAddToQuery", "actionAddNegative", nullptr,
                                 "actionOpenItem", "actionShowInFolder", "actionCopyPath", nullptr,
                                 "actionExportSelected", "actionExportAll", nullptr, "actionRemove"};
    for (const char *name : itemActions) {
        if (!name) {
            auto *sep = new QAction(m_view);
            sep->setSeparator(true);
            m_view->addAction(sep);
        } else {
            m_view->addAction(action(QString::fromLatin1(name)));
        }
    }
    for (QAction *a : m_view->actions())
        a->setShortcutContext(Qt::WindowShortcut);
}

void MainWindow::applyTileSide()
{
    m_view->setTileSide(m_tileSide);
    m_thumbnails->setDisplaySide(int(std::ceil(m_tileSide * devicePixelRatioF())));
}

void MainWindow::createMenus()
{
    auto add = [this](QMenu *menu, std::initializer_list<const char *> names) {
        for (const char *n : names) {
            if (n)
                menu->addAction(action(QString::fromLatin1(n)));
            else
                menu->addSeparator();
        }
    };
    add(menuBar()->addMenu(tr("&File")), {"actionNewCollection", "actionOpenCollection", nullptr, "actionImportFolder",
                                          "actionAddFiles", "actionAddUrls", nullptr, "actionSettings", "actionModels", nullptr, "actionQuit"});
    add(menuBar()->addMenu(tr("&Search")), {"actionFind", "actionSearch", "actionPasteImage", nullptr, "actionBrowseAll"});
    add(menuBar()->addMenu(tr("&Item")), {"actionFindSimilar", "actionAddToQuery", "actionAddNegative", nullptr,
                                          "actionOpenItem", "actionShowInFolder", "actionCopyPath", nullptr,
                                          "actionExportSelected", "actionExportAll", nullptr, "actionRemove"});
    add(menuBar()->addMenu(tr("&Collection")), {"actionDuplicates", "actionOutliers", "actionErrors"});
    add(menuBar()->addMenu(tr("&View")), {"actionLargerTiles", "actionSmallerTiles"});
    add(menuBar()->addMenu(tr("&Help")), {"actionAbout"});
}

void MainWindow::restoreState()
{
    if (const QByteArray g = m_settings.windowGeometry(); !g.isEmpty())
        restoreGeometry(g);
    else
        resize(1400, 860);
    if (const QByteArray s = m_settings.windowState(); !s.isEmpty())
        QMainWindow::restoreState(s);
    if (const QByteArray s = m_settings.splitterState(m_splitter->objectName()); !s.isEmpty())
        m_splitter->restoreState(s);
    if (const QByteArray s = m_settings.splitterState(QStringLiteral("details")); !s.isEmpty() && m_details->splitter())
        m_details->splitter()->restoreState(s);
}

void MainWindow::saveState()
{
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(QMainWindow::saveState());
    m_settings.setSplitterState(m_splitter->objectName(), m_splitter->saveState());
    if (m_details->splitter())
        m_settings.setSplitterState(QStringLiteral("details"), m_details->splitter()->saveState());
    m_settings.setAlpha(m_queryBar->alpha());
    m_settings.setResultCount(m_queryBar->k());
    m_settings.setLastCollection(m_session->path());
    m_settings.sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_session->isIngesting()
        && !prompts.confirm(tr("Quit Lookalike"), tr("Images are still being added. Stop and quit? What was added so far is kept."))) {
        event->ignore();
        return;
    }
    saveState();
    m_session->close();
    event->accept();
}

bool MainWindow::openCollection(const QString &path)
{
    if (QFileInfo(path).absoluteFilePath() == m_session->path())
        return true;
    if (m_session->isIngesting()
        && !prompts.confirm(tr("Open collection"), tr("Images are still being added to this collection. Stop adding and switch?")))
        return false;
    m_thumbnails->setCollection(nullptr);
    if (auto opened = m_session->open(path); !opened) {
        showError(tr("Cannot open collection"), opened.errorMessage());
        m_model->setCollection(nullptr);
        updateTitle();
        updateActions();
        return false;
    }
    m_thumbnails->setCollection(m_session->collection());
    m_model->setCollection(m_session->collection());
    m_details->clear();
    m_queryBar->clearExamples();
    updateTextHint();
    m_collections->setCurrentPath(m_session->path());
    m_settings.setLastCollection(m_session->path());
    m_lastErrors.clear();
    m_resultLabel->setText(tr("%n item(s)", nullptr, m_model->rowCount()));
    updateTitle();
    updateActions();
    return true;
}

void MainWindow::updateTextHint()
{
    // Words in the reports work at once; descriptions need the model's text tower, loaded.
    m_queryBar->setTextHint(m_session->embedderHasText() ? tr("Describe what you are looking for, or words in the reports")
                                                         : tr("Words to find in the reports"));
}

void MainWindow::updateTitle()
{
    if (m_session->isOpen())
        setWindowTitle(tr("%1 — Lookalike").arg(m_session->collection()->name()));
    else
        setWindowTitle(tr("Lookalike"));
}

void MainWindow::updateActions()
{
    const bool open = m_session->isOpen();
    const bool any = open && !selectedOrCurrent().empty();
    for (const char *n : {"actionImportFolder", "actionAddFiles", "actionAddUrls", "actionSearch", "actionBrowseAll", "actionPasteImage",
                          "actionDuplicates", "actionOutliers", "actionErrors", "actionExportAll"})
        action(QString::fromLatin1(n))->setEnabled(open);
    for (const char *n : {"actionFindSimilar", "actionAddToQuery", "actionAddNegative", "actionOpenItem",
                          "actionShowInFolder", "actionCopyPath", "actionRemove", "actionExportSelected"})
        action(QString::fromLatin1(n))->setEnabled(any);
    m_queryBar->setEnabled(open);
}

std::vector<qint64> MainWindow::selectedOrCurrent() const
{
    std::vector<qint64> ids = m_view->selectedIds();
    if (ids.empty() && m_view->currentId() >= 0)
        ids.push_back(m_view->currentId());
    return ids;
}

void MainWindow::browseAll()
{
    m_model->browseAll();
    m_resultLabel->setText(tr("%n item(s)", nullptr, m_model->rowCount()));
}

void MainWindow::runSearch()
{
    if (!m_session->isOpen())
        return;
    if (const QString error = m_queryBar->filterError(); !error.isEmpty()) {
        showMessage(error, 10000);
        return;
    }
    SearchQuery query = m_queryBar->query();
    if (!query.hasImagePart() && !query.hasTextPart()) {
        if (!query.filters.isEmpty()) {
            showMessage(tr("Filters narrow a search: add words or example images."), 8000);
            return;
        }
        browseAll();
        return;
    }
    m_resultLabel->setText(tr("Searching…"));
    m_session->search(query);
}

void MainWindow::onSearchFinished(const SearchQuery &query, const SearchResult &result)
{
    m_model->setSearchResult(query, result);
    QString text = tr("%n result(s)", nullptr, int(result.hits.size()));
    if (result.totalMatches > result.hits.size())
        text += QStringLiteral(" ") + tr("of %1 matches").arg(QLocale().toString(result.totalMatches));
    if (!result.exact)
        text += QStringLiteral(" · ") + tr("approximate index");
    if (result.anyWordFallback)
        text += QStringLiteral(" · ") + tr("no report contains all the words; showing reports that contain any of them");
    m_resultLabel->setText(text);
    showFirstResult();
}

void MainWindow::findOutliers()
{
    if (!m_session->isOpen())
        return;
    m_resultLabel->setText(tr("Finding outliers…"));
    OutlierParams params;
    params.limit = kOutliersShown;
    m_session->findOutliers(params);
}

void MainWindow::onOutliersFound(const SearchResult &result, int neighbours)
{
    m_model->setSearchResult(SearchQuery{}, result);
    QString text = tr("%n outlier(s): the images least like their %1 nearest neighbours, most unusual first", nullptr,
                      int(result.hits.size()))
                       .arg(neighbours);
    if (!result.exact)
        text += QStringLiteral(" · ") + tr("approximate index");
    m_resultLabel->setText(text);
    showFirstResult();
}

void MainWindow::showFirstResult()
{
    if (m_model->rowCount() > 0) {
        m_view->setCurrentIndex(m_model->index(0));
        m_view->scrollToTop();
    } else {
        m_details->clear();
    }
    updateActions();
}

void MainWindow::showDetails(qint64 id)
{
    updateActions();
    if (id < 0 || !m_session->isOpen()) {
        m_details->clear();
        return;
    }
    const int row = m_model->rowOf(id);
    std::shared_ptr<Collection> collection = m_session->collection();
    ItemDetails d;
    if (const SearchHit *hit = m_model->hitAt(row)) {
        d.item = hit->item;
        d.hit = *hit;
        d.fusion = ScoreText::fusion(m_model->query(), m_model->searchResult());
        d.highlightTerms = FtsQuery::terms(m_model->query().text);
    } else if (auto item = collection->item(id); item && *item) {
        d.item = **item;
    } else {
        m_details->clear();
        return;
    }
    if (auto report = collection->report(id))
        d.report = *report;
    if (auto meta = collection->metadata(id))
        d.metadata = *meta;
    m_details->showItem(d);
    // Show the thumbnail at once, then the original decoded off the GUI thread.
    const QPixmap thumb = m_thumbnails->thumbnail(id);
    if (!thumb.isNull())
        m_details->setPreview(thumb.toImage());
    const quint64 generation = ++m_previewGeneration;
    const QString uri = collection->localFile(d.item);
    auto *watcher = new QFutureWatcher<QImage>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, id] {
        watcher->deleteLater();
        if (generation == m_previewGeneration && m_details->currentId() == id && !watcher->result().isNull())
            m_details->setPreview(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([uri] {
        DecodeOptions options;
        options.maxSide = kPreviewSide;
        auto decoded = ImageDecoder::decodeFile(uri, options);
        return decoded ? decoded->image : QImage();
    }));
}

void MainWindow::findSimilar(const std::vector<qint64> &ids)
{
    if (ids.empty())
        return;
    m_queryBar->clearAll();
    for (qint64 id : ids) {
        const int row = m_model->rowOf(id);
        m_queryBar->addItem(id, row >= 0 ? m_model->data(m_model->index(row), Qt::DisplayRole).toString() : QString());
    }
    runSearch();
}

void MainWindow::addSelectionToQuery(bool negative)
{
    for (qint64 id : selectedOrCurrent()) {
        const int row = m_model->rowOf(id);
        m_queryBar->addItem(id, row >= 0 ? m_model->data(m_model->index(row), Qt::DisplayRole).toString() : QString(), negative);
    }
}

QList<SearchHit> MainWindow::hitsForIds(const std::vector<qint64> &ids)
{
    QList<SearchHit> hits;
    if (!m_session->isOpen())
        return hits;
    auto items = m_session->collection()->itemsByIds(ids);
    auto reports = m_session->collection()->reports(ids);
    for (qint64 id : ids) {
        const int row = m_model->rowOf(id);
        if (const SearchHit *hit = m_model->hitAt(row)) {
            hits << *hit;
            continue;
        }
        if (!items || !items->contains(id))
            continue;
        SearchHit h;
        h.id = id;
        h.item = items->value(id);
        h.report = reports ? reports->value(id) : QString();
        hits << h;
    }
    return hits;
}

void MainWindow::openItems(const std::vector<qint64> &ids)
{
    // An image added by URL opens from its copy in the collection: no network, and it works offline.
    const std::shared_ptr<Collection> collection = m_session->collection();
    for (const SearchHit &h : hitsForIds(ids)) {
        const QString local = collection ? collection->localFile(h.item) : h.item.uri;
        const bool fromWeb = isWebUrl(h.item.uri) && !QFileInfo::exists(local);
        QDesktopServices::openUrl(fromWeb ? QUrl(h.item.uri) : QUrl::fromLocalFile(local));
    }
}

void MainWindow::showInFolder(const std::vector<qint64> &ids)
{
    QSet<QString> folders;
    for (const SearchHit &h : hitsForIds(ids)) {
        if (!h.item.uri.contains(QLatin1String("://")))
            folders.insert(QFileInfo(h.item.uri).absolutePath());
    }
    for (const QString &f : std::as_const(folders))
        QDesktopServices::openUrl(QUrl::fromLocalFile(f));
}

void MainWindow::copyPaths(const std::vector<qint64> &ids)
{
    QStringList paths;
    for (const SearchHit &h : hitsForIds(ids))
        paths << h.item.uri;
    if (paths.isEmpty())
        return;
    QApplication::clipboard()->setText(paths.join(QLatin1Char('\n')));
    showMessage(tr("Copied %n path(s)", nullptr, int(paths.size())));
}

void MainWindow::removeItems(const std::vector<qint64> &ids)
{
    if (ids.empty() || !m_session->isOpen())
        return;
    if (!prompts.confirm(tr("Remove from collection"),
                 tr("Remove %n item(s) from the collection? The files on disk are not touched.", nullptr, int(ids.size()))))
        return;
    if (auto removed = m_session->removeItems(ids); !removed)
        showError(tr("Cannot remove items"), removed.errorMessage());
    else
        showMessage(tr("Removed %n item(s)", nullptr, int(ids.size())));
}

void MainWindow::exportIds(const std::vector<qint64> &ids)
{
    exportHits(hitsForIds(ids));
}

void MainWindow::exportHits(const QList<SearchHit> &hits)
{
    if (hits.isEmpty())
        return;
    const QString folder = prompts.directory(tr("Export %n image(s) to", nullptr, int(hits.size())), QString());
    if (folder.isEmpty())
        return;
    const int firstRank = m_model->mode() == ResultsModel::Mode::Search ? m_model->query().offset + 1 : 1;
    auto *watcher = new QFutureWatcher<Result<ExportSummary>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        const Result<ExportSummary> r = watcher->result();
        if (!r) {
            showError(tr("Export failed"), r.errorMessage());
            return;
        }
        showMessage(tr("Exported %n file(s) and results.csv to %1", nullptr, r->copied).arg(QDir::toNativeSeparators(r->folder)), 10000);
        if (!r->failures.isEmpty()) {
            auto *dialog = new ErrorsDialog(r->failures, this);
            dialog->setWindowTitle(tr("Files that could not be exported"));
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->show();
        }
    });
    showMessage(tr("Exporting…"));
    watcher->setFuture(QtConcurrent::run([collection = m_session->collection(), hits, folder, firstRank] {
        return ResultExporter::exportHits(*collection, hits, folder, firstRank);
    }));
}

void MainWindow::createCollection(const QString &suggestedName)
{
    const std::optional<NewCollectionChoice> answer =
        prompts.newCollection(suggestedName.isEmpty() ? tr("My images") : suggestedName, m_settings.defaultModel());
    if (!answer)
        return;
    const QString name = answer->name.trimmed();
    if (name.isEmpty())
        return;
    // The folder name is the display name made safe for every file system.
    QString folderName = name;
    folderName.replace(QRegularExpression(QStringLiteral("[/\\\\:*?\"<>|\\x00-\\x1f]")), QStringLiteral("_"));
    if (folderName.startsWith(QLatin1Char('.')))
        folderName.prepend(QLatin1Char('_'));
    const QDir library(m_settings.libraryFolder());
    QString dir = library.filePath(folderName);
    for (int i = 2; QFileInfo::exists(dir); ++i)
        dir = library.filePath(QStringLiteral("%1 %2").arg(folderName).arg(i));
    createCollectionAt(dir, name, answer->modelId);
}

bool MainWindow::createCollectionAt(const QString &dir, const QString &name, const QString &chosenModel)
{
    QString model = chosenModel.isEmpty() ? m_settings.defaultModel() : chosenModel;
    // Its description only (config.json): loading it here would block the window for seconds.
    if (auto usable = ModelCatalog::describe(model); !usable) {
        // A model chosen earlier may be gone (uninstalled, renamed): fall back to the built-in one.
        showMessage(tr("Model %1 is not available (%2); using %3.").arg(model, usable.errorMessage(), EmbedderFactory::defaultId()),
                    15000);
        model = EmbedderFactory::defaultId();
    }
    if (auto created = m_session->create(dir, name, model); !created) {
        showError(tr("Cannot create collection"), created.errorMessage());
        return false;
    }
    m_thumbnails->setCollection(m_session->collection());
    m_model->setCollection(m_session->collection());
    m_details->clear();
    m_queryBar->clearExamples();
    updateTextHint();
    m_collections->refresh();
    m_collections->setCurrentPath(m_session->path());
    m_settings.setLastCollection(m_session->path());
    updateTitle();
    updateActions();
    return true;
}

bool MainWindow::startDemo()
{
    const QStringList sources = DemoSources::folders();
    if (sources.isEmpty()) {
        showError(tr("No demo images"), tr("The demo indexes the photos of the plasma-workspace-wallpapers package, "
                                           "which is not installed. Drop a folder of your own images onto the window "
                                           "instead."));
        return false;
    }
    const QString dir = QDir(m_settings.libraryFolder()).filePath(QStringLiteral("Demo"));
    const bool ready = Collection::isCollection(dir) ? openCollection(dir) : createCollectionAt(dir, tr("Demo"));
    if (!ready)
        return false;
    // Incremental: a second run only checks the files. Then a query by one of the photos.
    m_demoQuery = DemoSources::queryImage(sources.first());
    m_session->ingest(sources);
    updateActions();
    return true;
}

void MainWindow::deleteCollection(const QString &path)
{
    if (!prompts.confirm(tr("Delete collection"),
                 tr("Delete the collection in %1? Its index, thumbnails and reports are deleted; the original "
                    "image files are not touched.")
                     .arg(QDir::toNativeSeparators(path))))
        return;
    if (QFileInfo(path).absoluteFilePath() == m_session->path()) {
        m_thumbnails->setCollection(nullptr);
        m_model->setCollection(nullptr);
        m_details->clear();
        m_session->close();
        updateTitle();
        updateActions();
    }
    m_session->waitForBackgroundWork(); // its index is written back before the folder goes
    if (auto removed = Collection::remove(path); !removed)
        showError(tr("Cannot delete collection"), removed.errorMessage());
    m_collections->refresh();
}

void MainWindow::renameCollection(const QString &path, const QString &name)
{
    Result<void> renamed;
    if (QFileInfo(path).absoluteFilePath() == m_session->path()) {
        renamed = m_session->collection()->setName(name);
    } else {
        auto c = Collection::open(path);
        renamed = c ? (*c)->setName(name) : Result<void>(c.error());
    }
    if (!renamed)
        showError(tr("Cannot rename collection"), renamed.errorMessage());
    m_collections->refresh();
    updateTitle();
}

void MainWindow::importFolder()
{
    const QString dir = prompts.directory(tr("Import a folder of images"), QString());
    if (!dir.isEmpty())
        addDropped(DropContents::ofPaths({dir}));
}

void MainWindow::addUrls()
{
    const QString text = prompts.text(tr("Add from URLs"),
                                      tr("Links to images, one a line (http or https). Each image is downloaded into the "
                                         "collection, so it stays available offline."));
    if (!text.trimmed().isEmpty())
        addDropped(DropParser::parseText(text));
}

void MainWindow::addFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add images"), QString(), imageFileFilter());
    if (!files.isEmpty())
        addDropped(DropContents::ofPaths(files));
}

QString MainWindow::saveDroppedImage(const QImage &image)
{
    // Pixels from another application have no file: keep them in the collection's files/,
    // named by content so the same image dropped twice is one item.
    QByteArray png;
    {
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        if (!image.save(&buffer, "PNG"))
            return {};
    }
    auto stored = m_session->collection()->storeFile(png, QStringLiteral("png"));
    return stored ? *stored : QString();
}

bool MainWindow::addDropped(const DropContents &contents)
{
    if (!contents.unsupported.isEmpty())
        showMessage(tr("Not added (only files, folders and http/https links can be added): %1")
                        .arg(contents.unsupported.join(QStringLiteral(", "))),
                    10000);
    if (contents.localPaths.isEmpty() && contents.urls.isEmpty() && contents.images.isEmpty())
        return false;
    if (!m_session->isOpen()) {
        QString suggested;
        if (!contents.localPaths.isEmpty())
            suggested = QFileInfo(contents.localPaths.first()).fileName();
        if (!prompts.confirm(tr("No collection open"), tr("Create a new collection for these images?")))
            return false;
        createCollection(suggested);
        if (!m_session->isOpen())
            return false;
    }
    QStringList inputs = contents.localPaths + contents.urls;
    for (const QImage &image : contents.images) {
        const QString saved = saveDroppedImage(image);
        if (saved.isEmpty())
            showMessage(tr("The dropped image could not be saved into the collection."), 10000);
        else
            inputs << saved;
    }
    if (inputs.isEmpty())
        return false;
    m_session->ingest(inputs);
    if (m_session->embedderState() == CollectionSession::EmbedderState::Loading && m_session->isIngesting())
        showMessage(tr("The images are added once the model %1 has loaded.").arg(m_session->embedderId()), 0);
    updateActions();
    return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    // Our own items dragged back onto the window are not new images.
    if (DropParser::canUse(event->mimeData())
        && !event->mimeData()->hasFormat(QString::fromLatin1(kItemIdsMimeType)))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const DropContents contents = DropParser::parse(event->mimeData());
    if (addDropped(contents))
        event->acceptProposedAction();
}

void MainWindow::pasteImage()
{
    const QMimeData *mime = QApplication::clipboard()->mimeData();
    const DropContents contents = DropParser::parse(mime);
    if (contents.images.isEmpty() && contents.localPaths.isEmpty() && contents.itemIds.empty()) {
        showMessage(tr("The clipboard holds no image."));
        return;
    }
    for (qint64 id : contents.itemIds)
        m_queryBar->addItem(id, QString());
    for (const QString &p : contents.localPaths)
        if (QFileInfo(p).isFile())
            m_queryBar->addImageFile(p);
    for (const QImage &image : contents.images)
        m_queryBar->addExample(QueryExample::ofImage(image, tr("Pasted image")));
    runSearch();
}

void MainWindow::onIngestFinished(const IngestResult &result)
{
    m_ingestStatus->finish(result);
    m_lastErrors = result.errors;
    if (result.updated > 0)
        m_thumbnails->clear(); // changed files got new thumbnails under the same ids
    m_collections->refresh();
    updateActions();
    if (!m_demoQuery.isEmpty() && !result.cancelled) {
        m_queryBar->clearAll();
        m_queryBar->addImageFile(std::exchange(m_demoQuery, QString()));
        runSearch();
    }
}

void MainWindow::showErrors()
{
    QList<IngestErrorRecord> errors = m_lastErrors;
    if (errors.isEmpty() && m_session->isOpen()) {
        if (auto stored = m_session->collection()->ingestErrors())
            errors = *stored;
    }
    auto *dialog = new ErrorsDialog(errors, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showDuplicates()
{
    if (!m_session->isOpen())
        return;
    auto *dialog = new DuplicatesDialog(m_session->collection(), m_thumbnails, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DuplicatesDialog::removeRequested, this, [this, dialog](const std::vector<qint64> &ids) {
        // The dialog asked already.
        if (auto removed = m_session->removeItems(ids); !removed)
            showError(tr("Cannot remove items"), removed.errorMessage());
        dialog->refresh();
    });
    connect(dialog, &DuplicatesDialog::exportRequested, this, [this](const std::vector<qint64> &ids) { exportIds(ids); });
    connect(dialog, &DuplicatesDialog::itemActivated, this, [this](qint64 id) {
        if (m_model->mode() != ResultsModel::Mode::Browse)
            browseAll();
        const int row = m_model->rowOf(id);
        if (row >= 0) {
            m_view->setCurrentIndex(m_model->index(row));
            m_view->scrollTo(m_model->index(row));
        }
    });
    dialog->show();
}

ModelsDialog *MainWindow::showModels()
{
    if (!m_modelsDialog) {
        m_modelsDialog = new ModelsDialog(m_settings, this);
        m_modelsDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_modelsDialog->show();
    m_modelsDialog->raise();
    m_modelsDialog->activateWindow();
    return m_modelsDialog;
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(m_settings, ModelCatalog::installed(), this);
    const QString deviceBefore = m_settings.device();
    if (dialog.exec() != QDialog::Accepted)
        return;
    // libtorch's threads change at once; the device applies to models loaded from now on (a model
    // already in memory stays where it was loaded until its collection is opened again).
    TorchRuntime::configure(m_settings.torchSettings());
    if (m_settings.device() != deviceBefore && m_session->embedderState() == CollectionSession::EmbedderState::Ready
        && !EmbedderFactory::builtInIds().contains(m_session->embedderId()))
        showMessage(tr("The new device applies to models loaded from now on; open the collection again to move its model."),
                    15000);
    m_session->setIngestThreads(m_settings.threads());
    m_session->setThumbnailSide(m_settings.thumbnailSide());
    if (m_collections->libraryFolder() != m_settings.libraryFolder())
        m_collections->setLibraryFolder(m_settings.libraryFolder());
}

void MainWindow::showMessage(const QString &text, int ms)
{
    statusBar()->showMessage(text, ms);
}

void MainWindow::showError(const QString &title, const QString &text)
{
    showMessage(title + QStringLiteral(": ") + text, 20000);
    prompts.error(title, text);
}

} // namespace lookalike
