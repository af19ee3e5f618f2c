// The window end to end on real collections: drop a folder, watch it ingest, search by item,
// by text and by a dropped image, flip a query chip, remove, export, paste pixels, and get the
// layout back after a restart. Modal prompts are answered through MainWindow::prompts.
#include "appsettings.h"
#include "collection/collection.h"
#include "collectionsession.h"
#include "collectionspanel.h"
#include "detailspanel.h"
#include "dropparser.h"
#include "ingest/demosources.h"
#include "ingeststatuswidget.h"
#include "mainwindow.h"
#include "querybar.h"
#include "resultsmodel.h"
#include "resultsview.h"
#include "search/outlierfinder.h"
#include "testsupport.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QProcess>
#include <QSignalSpy>
#include <QSplitter>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUrl>

using namespace lookalike;

namespace {
constexpr int kImages = 12;
constexpr int kIngestTimeoutMs = 60000;

void drop(QWidget *target, QMimeData *mime)
{
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QDropEvent event(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &event);
}
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_images;
    QString m_library;
    QString m_exportDir;
    QStringList m_errors;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;

    std::unique_ptr<MainWindow> makeWindow()
    {
        auto w = std::make_unique<MainWindow>(*m_settings);
        w->prompts.confirm = [](const QString &, const QString &) { return true; };
        w->prompts.newCollection = [](const QString &, const QString &defaultModel) {
            return std::optional(NewCollectionChoice{QStringLiteral("Dropped"), defaultModel});
        };
        w->prompts.directory = [this](const QString &, const QString &) { return m_exportDir; };
        w->prompts.error = [this](const QString &title, const QString &text) { m_errors << title + QStringLiteral(": ") + text; };
        return w;
    }

    ResultsModel *model() const { return m_window->resultsModel(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        const QDir root(m_tmp.path());
        m_images = root.filePath(QStringLiteral("images"));
        m_library = root.filePath(QStringLiteral("library"));
        m_exportDir = root.filePath(QStringLiteral("export"));
        QVERIFY(QDir().mkpath(m_images));
        for (int i = 0; i < kImages; ++i) {
            const QString path = QDir(m_images).filePath(QStringLiteral("img%1.jpg").arg(i, 2, 10, QLatin1Char('0')));
            QVERIFY(test::saveImage(test::makeSyntheticImage(320 + 16 * i, 240, quint32(100 + i)), path, "jpg"));
        }
        // Two reports as sidecar files, and one file that is not an image.
        QFile report(QDir(m_images).filePath(QStringLiteral("img03.txt")));
        QVERIFY(report.open(QIODevice::WriteOnly));
        report.write("Small left pleural effusion. No pneumothorax.");
        report.close();
        QFile broken(QDir(m_images).filePath(QStringLiteral("broken.jpg")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("\xFF\xD8\xFF\xE0 truncated");
        broken.close();

        m_settings = std::make_unique<AppSettings>(root.filePath(QStringLiteral("settings.ini")));
        m_settings->setLibraryFolder(m_library);
        m_window = makeWindow();
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void dropFolderOntoEmptyWindowCreatesACollectionAndIngests()
    {
        QVERIFY(!m_window->session()->isOpen());
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(m_images)});
        drop(m_window.get(), mime);
        QVERIFY2(m_window->session()->isOpen(), qPrintable(m_errors.join(QLatin1Char('\n'))));
        QCOMPARE(QFileInfo(m_window->session()->path()).absolutePath(), QFileInfo(m_library).absoluteFilePath());
        QCOMPARE(m_window->session()->embedderId(), m_settings->defaultModel()); // what the prompt offered
        // Items appear while and after the ingest runs; the broken file is a per-file error.
        QTRY_COMPARE_WITH_TIMEOUT(model()->rowCount(), kImages, kIngestTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->session()->isIngesting(), kIngestTimeoutMs);
        auto *errorsButton = m_window->ingestStatus()->findChild<QToolButton *>(QStringLiteral("ingestErrors"));
        QVERIFY(errorsButton);
        QVERIFY(!errorsButton->isHidden());
        QVERIFY2(m_window->ingestStatus()->text().contains(QStringLiteral("12")), qPrintable(m_window->ingestStatus()->text()));
        QCOMPARE(model()->mode(), ResultsModel::Mode::Browse);
        QTRY_VERIFY(m_window->collectionsPanel()->listedPaths().contains(m_window->session()->path()));
        delete mime;
    }

    void findSimilarRanksOthersByScore()
    {
        const qint64 first = model()->idAt(0);
        m_window->resultsView()->setCurrentIndex(model()->index(0));
        m_window->action(QStringLiteral("actionFindSimilar"))->trigger();
        QTRY_COMPARE(model()->mode(), ResultsModel::Mode::Search);
        QCOMPARE(model()->rowCount(), kImages - 1); // the example itself is left out
        QCOMPARE(model()->rowOf(first), -1);
        double previous = 2;
        for (int r = 0; r < model()->rowCount(); ++r) {
            const QModelIndex i = model()->index(r);
            QVERIFY(i.data(ResultsModel::HasScoreRole).toBool());
            const double score = i.data(ResultsModel::ScoreRole).toDouble();
            QVERIFY(score <= previous);
            previous = score;
        }
        // The query bar now holds exactly that example.
        QCOMPARE(m_window->queryBar()->examples().size(), 1);
        QCOMPARE(m_window->queryBar()->examples().first().itemId, first);
        // The details panel follows the current result.
        QTRY_COMPARE(m_window->detailsPanel()->currentId(), model()->idAt(0));
    }

    void outliersAreListedMostUnusualFirst()
    {
        QSignalSpy found(m_window->session(), &CollectionSession::outliersFound);
        m_window->action(QStringLiteral("actionOutliers"))->trigger();
        QVERIFY(found.wait(30000));
        QCOMPARE(model()->mode(), ResultsModel::Mode::Search);
        QCOMPARE(model()->rowCount(), kImages); // all of them: fewer than the 100 shown
        // In the core's order (lowest mean similarity first), with its scores.
        auto expected = OutlierFinder::find(*m_window->session()->collection(), OutlierParams{});
        QVERIFY(expected);
        QCOMPARE(int(expected->size()), kImages);
        double previous = -2;
        for (int r = 0; r < model()->rowCount(); ++r) {
            QCOMPARE(model()->idAt(r), (*expected)[size_t(r)].id);
            const double score = model()->index(r).data(ResultsModel::ScoreRole).toDouble();
            QCOMPARE(float(score), (*expected)[size_t(r)].meanScore);
            QVERIFY(score >= previous);
            previous = score;
        }
        auto *label = m_window->findChild<QLabel *>(QStringLiteral("resultLabel"));
        QVERIFY(label);
        QVERIFY2(label->text().contains(QStringLiteral("12 outlier")), qPrintable(label->text()));
        // Each tile says what its score means.
        const QString tip = model()->index(0).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("nearest neighbours")), qPrintable(tip));
        QTRY_COMPARE(m_window->detailsPanel()->currentId(), model()->idAt(0));
    }

    void chipsFlipToNegativeAndAreRemoved()
    {
        QueryBar *bar = m_window->queryBar();
        bar->clearAll();
        bar->addItem(model()->idAt(0), QStringLiteral("a"));
        bar->addItem(model()->idAt(1), QStringLiteral("b"));
        QCOMPARE(bar->query().itemIds.size(), size_t(2));
        // Chips are rebuilt and the old ones deleted later (one may be running the click).
        QTRY_COMPARE(bar->findChildren<QToolButton *>(QStringLiteral("chipSign")).size(), 2);
        const QList<QToolButton *> signs = bar->findChildren<QToolButton *>(QStringLiteral("chipSign"));
        signs.last()->click();
        QTRY_COMPARE(bar->query().negativeIds.size(), size_t(1));
        QCOMPARE(bar->query().negativeIds.front(), model()->idAt(1));
        QCOMPARE(bar->query().itemIds.size(), size_t(1));
        QTRY_COMPARE(bar->findChildren<QToolButton *>(QStringLiteral("chipRemove")).size(), 2);
        bar->findChildren<QToolButton *>(QStringLiteral("chipRemove")).first()->click();
        QTRY_COMPARE(bar->examples().size(), 1);
        QVERIFY(bar->examples().first().negative);
        bar->clearAll();
    }

    void textSearchFindsTheReport()
    {
        m_window->queryBar()->clearAll();
        m_window->queryBar()->setText(QStringLiteral("pleural \"effusion"));
        QSignalSpy done(m_window->session(), &CollectionSession::searchFinished);
        m_window->action(QStringLiteral("actionSearch"))->trigger();
        QTRY_COMPARE(done.size(), 1);
        QVERIFY(model()->rowCount() >= 1);
        const SearchHit *hit = model()->hitAt(0);
        QVERIFY(hit);
        QVERIFY(hit->item.uri.endsWith(QStringLiteral("img03.jpg")));
        QVERIFY(hit->matchedText);
        QVERIFY(hit->report.contains(QStringLiteral("effusion")));
        QTRY_COMPARE(m_window->detailsPanel()->currentId(), hit->id);
    }

    void imageDroppedOnTheQueryBarIsTheQuery()
    {
        m_window->queryBar()->clearAll();
        const QString example = QDir(m_images).filePath(QStringLiteral("img07.jpg"));
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(example)});
        QSignalSpy done(m_window->session(), &CollectionSession::searchFinished);
        drop(m_window->queryBar(), mime);
        delete mime;
        QTRY_VERIFY(!done.isEmpty());
        QVERIFY(model()->rowCount() > 0);
        // The same file is in the collection: it must come first, with a score of ~1.
        QCOMPARE(model()->hitAt(0)->item.uri, example);
        QVERIFY(model()->hitAt(0)->imageScore > 0.99f);
        QCOMPARE(m_window->queryBar()->examples().size(), 1);
        QCOMPARE(m_window->queryBar()->examples().first().file, example);
    }

    void exportSelectedWritesFilesAndCsv()
    {
        m_window->action(QStringLiteral("actionBrowseAll"))->trigger();
        QCOMPARE(model()->mode(), ResultsModel::Mode::Browse);
        ResultsView *view = m_window->resultsView();
        view->clearSelection();
        for (int r = 0; r < 3; ++r)
            view->selectionModel()->select(model()->index(r), QItemSelectionModel::Select);
        m_window->action(QStringLiteral("actionExportSelected"))->trigger();
        const QString csv = QDir(m_exportDir).filePath(QStringLiteral("results.csv"));
        QTRY_VERIFY(QFileInfo::exists(csv));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines.first().startsWith("rank,id,file,source"));
        QCOMPARE(QDir(m_exportDir).entryList({QStringLiteral("*.jpg")}, QDir::Files).size(), 3);
    }

    void removeAsksAndDeletesFromTheCollection()
    {
        const qint64 before = *m_window->session()->collection()->itemCount();
        const qint64 victim = model()->idAt(0);
        bool asked = false;
        m_window->prompts.confirm = [&](const QString &, const QString &) {
            asked = true;
            return false; // the user says no first
        };
        m_window->resultsView()->clearSelection();
        m_window->resultsView()->setCurrentIndex(model()->index(0));
        m_window->action(QStringLiteral("actionRemove"))->trigger();
        QVERIFY(asked);
        QCOMPARE(*m_window->session()->collection()->itemCount(), before);
        m_window->prompts.confirm = [](const QString &, const QString &) { return true; };
        m_window->action(QStringLiteral("actionRemove"))->trigger();
        QCOMPARE(*m_window->session()->collection()->itemCount(), before - 1);
        QCOMPARE(model()->rowOf(victim), -1);
        QCOMPARE(model()->rowCount(), int(before - 1));
    }

    void pastedPixelsAreStoredInTheCollection()
    {
        const int before = model()->rowCount();
        auto *mime = new QMimeData;
        mime->setImageData(test::makeSyntheticImage(200, 150, 4242));
        QSignalSpy finished(m_window->session(), &CollectionSession::ingestFinished);
        drop(m_window.get(), mime);
        delete mime;
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kIngestTimeoutMs);
        QCOMPARE(model()->mode(), ResultsModel::Mode::Browse);
        QCOMPARE(*m_window->session()->collection()->itemCount(), qint64(before + 1));
        QCOMPARE(model()->rowCount(), before + 1);
        const std::optional<ItemRecord> added = model()->itemAt(before);
        QVERIFY(added);
        QVERIFY2(added->uri.startsWith(m_window->session()->collection()->filesDir()), qPrintable(added->uri));
        QVERIFY(QFileInfo(added->uri).isFile());
    }

    void linksFromAddUrlsAreDownloadedIntoTheCollection()
    {
        // A real web server on loopback; the window gets the list through its "Add from URLs"
        // prompt, as a user pastes it.
        const QDir www(QDir(m_tmp.path()).filePath(QStringLiteral("www")));
        QVERIFY(QDir().mkpath(www.path()));
        QVERIFY(test::saveImage(test::makeSyntheticImage(240, 180, 777), www.filePath(QStringLiteral("web.png")), "png"));
        QProcess server;
        const QString base = test::startImageServer(server, www.path());
        QVERIFY2(!base.isEmpty(), "tests/data/image_server.py did not start");
        const QString good = base + QStringLiteral("/img/web.png");

        const int before = model()->rowCount();
        m_window->prompts.text = [&](const QString &, const QString &) {
            return QStringLiteral("# pasted\n%1\n%2/html\n").arg(good, base);
        };
        QSignalSpy finished(m_window->session(), &CollectionSession::ingestFinished);
        m_window->action(QStringLiteral("actionAddUrls"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kIngestTimeoutMs);
        server.kill();
        server.waitForFinished();
        const auto result = finished.first().first().value<IngestResult>();
        QCOMPARE(result.added, qint64(1));
        QCOMPARE(result.failed, qint64(1)); // the HTML page
        QCOMPARE(result.errors.first().uri, base + QStringLiteral("/html"));
        QCOMPARE(model()->rowCount(), before + 1);
        const std::optional<ItemRecord> added = model()->itemAt(before);
        QVERIFY(added);
        QCOMPARE(added->uri, good); // the URL is what the item is shown as
        const QString local = m_window->session()->collection()->localFile(*added);
        QVERIFY2(local.startsWith(m_window->session()->collection()->filesDir()) && QFileInfo(local).isFile(), qPrintable(local));
        // The details panel shows the URL, and the preview decodes from the copy (the server is gone).
        m_window->resultsView()->setCurrentIndex(model()->index(before));
        QTRY_COMPARE(m_window->detailsPanel()->currentId(), added->id);
    }

    void cancelKeepsWhatWasAddedAndSearchWorksMeanwhile()
    {
        const QString many = QDir(m_tmp.path()).filePath(QStringLiteral("many"));
        QVERIFY(QDir().mkpath(many));
        for (int i = 0; i < 400; ++i)
            QVERIFY(test::saveImage(test::makeSyntheticImage(200, 150, quint32(5000 + i)),
                                    QDir(many).filePath(QStringLiteral("m%1.png").arg(i, 3, 10, QLatin1Char('0'))), "png"));
        const qint64 before = *m_window->session()->collection()->itemCount();
        QSignalSpy progress(m_window->session(), &CollectionSession::ingestProgress);
        QSignalSpy finished(m_window->session(), &CollectionSession::ingestFinished);
        QVERIFY(m_window->addDropped(DropContents::ofPaths({many})));
        QVERIFY(m_window->session()->isIngesting());
        QTRY_VERIFY_WITH_TIMEOUT(*m_window->session()->collection()->itemCount() > before, kIngestTimeoutMs);
        QVERIFY(!progress.isEmpty());
        // The collection stays searchable while the ingest runs.
        QSignalSpy searched(m_window->session(), &CollectionSession::searchFinished);
        m_window->queryBar()->clearAll();
        m_window->queryBar()->addItem(model()->idAt(0), QString());
        m_window->runSearch();
        QTRY_VERIFY_WITH_TIMEOUT(!searched.isEmpty(), kIngestTimeoutMs);
        auto *cancel = m_window->ingestStatus()->findChild<QToolButton *>(QStringLiteral("cancelIngest"));
        QVERIFY(cancel && cancel->isVisible());
        cancel->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kIngestTimeoutMs);
        const auto result = finished.first().first().value<IngestResult>();
        const qint64 after = *m_window->session()->collection()->itemCount();
        if (result.cancelled) {
            QVERIFY(after > before);         // committed chunks stay
            QVERIFY(after < before + 400);   // and the rest was not added
        } else {
            QCOMPARE(after, before + 400); // it finished before the click landed: all there
        }
        QCOMPARE(after - before, result.added);
        m_window->browseAll();
        QCOMPARE(model()->rowCount(), int(after));
    }

    void unsupportedLinksAreReportedNotAdded()
    {
        auto *mime = new QMimeData;
        mime->setText(QStringLiteral("ftp://example.invalid/a.png\nmailto:someone@example.invalid"));
        QVERIFY(!m_window->addDropped(DropParser::parse(mime)));
        delete mime;
        QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("ftp://")),
                 qPrintable(m_window->statusBar()->currentMessage()));
    }

    void shortcutsAreBound()
    {
        QCOMPARE(m_window->action(QStringLiteral("actionFind"))->shortcut(), QKeySequence(QKeySequence::Find));
        QCOMPARE(m_window->action(QStringLiteral("actionOpenCollection"))->shortcut(), QKeySequence(QKeySequence::Open));
        QCOMPARE(m_window->action(QStringLiteral("actionImportFolder"))->shortcut(), QKeySequence(QStringLiteral("Ctrl+I")));
        QCOMPARE(m_window->action(QStringLiteral("actionRemove"))->shortcut(), QKeySequence(QKeySequence::Delete));
        QVERIFY(m_window->action(QStringLiteral("actionModels")));
        QVERIFY(m_window->action(QStringLiteral("actionSearch"))->shortcuts().contains(QKeySequence(QStringLiteral("Ctrl+Return"))));
        // No two actions share a key: Qt would fire neither ("ambiguous shortcut").
        QHash<QString, QString> owner;
        for (QAction *a : m_window->findChildren<QAction *>()) {
            for (const QKeySequence &k : a->shortcuts()) {
                const QString key = k.toString(QKeySequence::PortableText);
                QVERIFY2(!owner.contains(key) || owner.value(key) == a->objectName(),
                         qPrintable(key + QStringLiteral(": ") + owner.value(key) + QStringLiteral(" and ") + a->objectName()));
                owner.insert(key, a->objectName());
            }
        }
        // The grid's context menu offers the item actions.
        const QList<QAction *> menu = m_window->resultsView()->actions();
        for (const char *name : {"actionFindSimilar", "actionAddToQuery", "actionAddNegative", "actionOpenItem",
                                 "actionShowInFolder", "actionCopyPath", "actionRemove", "actionExportSelected"})
            QVERIFY2(menu.contains(m_window->action(QString::fromLatin1(name))), name);
    }

    void layoutAndCollectionComeBackAfterARestart()
    {
        auto *splitter = m_window->findChild<QSplitter *>(QStringLiteral("mainSplitter"));
        QVERIFY(splitter);
        splitter->setSizes({150, 700, 450});
        const QList<int> sizes = splitter->sizes();
        const QString path = m_window->session()->path();
        QVERIFY(m_window->close());
        m_window.reset();
        QCOMPARE(m_settings->lastCollection(), path);

        m_window = makeWindow();
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        auto *restored = m_window->findChild<QSplitter *>(QStringLiteral("mainSplitter"));
        QCOMPARE(restored->sizes(), sizes);
        QVERIFY(m_window->openCollection(m_settings->lastCollection()));
        QCOMPARE(model()->rowCount(), int(*m_window->session()->collection()->itemCount()));
    }

    void itemsAnotherProgramAddsAppear()
    {
        // lookalike-cli adds to the collection the window has open: the grid shows the new items
        // without being told, and Find Similar finds them (the index caught up with them).
        const int before = model()->rowCount();
        const QString more = QDir(m_tmp.path()).filePath(QStringLiteral("more"));
        QVERIFY(QDir().mkpath(more));
        for (int i = 0; i < 4; ++i)
            QVERIFY(test::saveImage(test::makeSyntheticImage(300, 200, quint32(900 + i)), QDir(more).filePath(QStringLiteral("more%1.png").arg(i)), "png"));
        // A re-encoded copy of more2: Find Similar on more2 must put it first.
        const QString copy = QDir(more).filePath(QStringLiteral("copy-of-more2.jpg"));
        QVERIFY(test::saveImage(test::makeSyntheticImage(300, 200, 902), copy, "jpg", 95));
        QProcess cli;
        cli.start(test::cliPath(), {QStringLiteral("add"), m_window->session()->path(), more});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        QTRY_COMPARE_WITH_TIMEOUT(model()->rowCount(), before + 5, 20000);

        auto added = m_window->session()->collection()->itemByUri(QDir(more).filePath(QStringLiteral("more2.png")));
        QVERIFY(added && *added);
        const int row = model()->rowOf((**added).id);
        QVERIFY(row >= 0);
        m_window->resultsView()->setCurrentIndex(model()->index(row));
        m_window->action(QStringLiteral("actionFindSimilar"))->trigger();
        QTRY_COMPARE(model()->mode(), ResultsModel::Mode::Search);
        QVERIFY(model()->rowCount() > 0);
        QCOMPARE(model()->hitAt(0)->item.uri, copy);
    }

    void demoBuildsItsCollectionAndQueriesByAPhoto()
    {
        // The README's first command: `lookalike --demo` (Debian's plasma-workspace-wallpapers,
        // installed by packaging/install-deps.sh).
        const QStringList sources = DemoSources::folders();
        QVERIFY2(!sources.isEmpty(), "plasma-workspace-wallpapers is not installed");
        const QString query = DemoSources::queryImage(sources.first());
        QVERIFY(QFileInfo(query).isFile());
        QSignalSpy searched(m_window->session(), &CollectionSession::searchFinished);
        QVERIFY(m_window->startDemo());
        QCOMPARE(m_window->session()->path(), QDir(m_library).filePath(QStringLiteral("Demo")));
        QTRY_VERIFY_WITH_TIMEOUT(!searched.isEmpty(), 5 * kIngestTimeoutMs);
        QVERIFY(model()->rowCount() > 10);
        // The photo and its copies at other resolutions (same folder) come first, at ~1.
        const QString photoFolder = QFileInfo(query).absolutePath();
        QCOMPARE(QFileInfo(model()->hitAt(0)->item.uri).absolutePath(), photoFolder);
        QVERIFY(model()->hitAt(0)->score > 0.97f);
        const int copies = int(QDir(photoFolder).entryList(QDir::Files).size());
        int ownRank = -1;
        for (int r = 0; r < std::min(copies, model()->rowCount()); ++r) {
            if (model()->hitAt(r)->item.uri == query)
                ownRank = r;
            if (r < 4)
                QCOMPARE(QFileInfo(model()->hitAt(r)->item.uri).absolutePath(), photoFolder);
        }
        QVERIFY2(ownRank >= 0, "the query photo itself is not among its copies at the top");
        QCOMPARE(m_window->queryBar()->examples().first().file, query);
        QVERIFY(m_window->collectionsPanel()->listedPaths().contains(m_window->session()->path())
                || (QTest::qWait(500), m_window->collectionsPanel()->listedPaths().contains(m_window->session()->path())));
    }

    void renameAndDeleteACollection()
    {
        const QString dropped = QDir(m_library).filePath(QStringLiteral("Dropped"));
        QVERIFY(m_window->openCollection(dropped));
        Q_EMIT m_window->collectionsPanel()->renameRequested(dropped, QStringLiteral("Chest films"));
        QCOMPARE(m_window->session()->collection()->name(), QStringLiteral("Chest films"));
        QVERIFY(m_window->windowTitle().contains(QStringLiteral("Chest films")));

        const int imagesBefore = int(QDir(m_images).entryList(QDir::Files).size());
        Q_EMIT m_window->collectionsPanel()->deleteRequested(dropped);
        QVERIFY(!m_window->session()->isOpen());
        QVERIFY(!Collection::isCollection(dropped));
        QCOMPARE(model()->rowCount(), 0);
        // The originals are never touched.
        QCOMPARE(int(QDir(m_images).entryList(QDir::Files).size()), imagesBefore);
        QTRY_VERIFY(!m_window->collectionsPanel()->listedPaths().contains(dropped));
    }

    void cleanupTestCase()
    {
        QVERIFY(m_errors.isEmpty() || (qWarning() << m_errors, true));
        m_window.reset();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
