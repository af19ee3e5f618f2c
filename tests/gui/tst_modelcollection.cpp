// The window with a vision-language model (the tiny CLIP of ../shared/testdata/models, copied
// into a models folder of the test's own): the new-collection dialog offers it, a collection
// created with it ingests a dropped folder with it, its model loads in the background (the
// window goes on while it loads), text queries use its text tower, and a collection whose model
// is missing stays usable by words.
#include "appsettings.h"
#include "collection/collection.h"
#include "collectionsession.h"
#include "detailspanel.h"
#include "dropparser.h"
#include "mainwindow.h"
#include "modellistmodel.h"
#include "models/modelcatalog.h"
#include "models/modelregistry.h"
#include "models/torchruntime.h"
#include "newcollectiondialog.h"
#include "querybar.h"
#include "resultsmodel.h"
#include "resultsview.h"
#include "testsupport.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace lookalike;

namespace {
constexpr int kImages = 6;
constexpr int kTimeoutMs = 60000;
const QString kClip = QStringLiteral("clip:clip-tiny");

QString clipTinyDir()
{
    return test::testDataDir() + QStringLiteral("/models/clip-tiny");
}
} // namespace

class TestModelCollection : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_images;
    QString m_library;
    QStringList m_errors;
    int m_dimension = 0;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;

    CollectionSession *session() const { return m_window->session(); }
    ResultsModel *model() const { return m_window->resultsModel(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        const QDir root(m_tmp.path());
        const QString models = root.filePath(QStringLiteral("models"));
        qputenv("LOOKALIKE_MODELS_DIR", models.toUtf8());
        ModelRegistry::registerProviders();
        TorchRuntime::configure({QStringLiteral("cpu"), 2});
        const QDir source(clipTinyDir());
        QVERIFY2(source.exists(QStringLiteral("config.json")), qPrintable(source.path()));
        QVERIFY(QDir().mkpath(QDir(models).filePath(QStringLiteral("clip-tiny"))));
        for (const QString &f : source.entryList(QDir::Files))
            QVERIFY(QFile::copy(source.filePath(f), QDir(models).filePath(QStringLiteral("clip-tiny/") + f)));
        QFile config(source.filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::ReadOnly));
        m_dimension = QJsonDocument::fromJson(config.readAll()).object().value(QStringLiteral("projection_dim")).toInt();
        QVERIFY(m_dimension > 0);

        m_images = root.filePath(QStringLiteral("images"));
        m_library = root.filePath(QStringLiteral("library"));
        QVERIFY(QDir().mkpath(m_images));
        for (int i = 0; i < kImages; ++i)
            QVERIFY(test::saveImage(test::makeSyntheticImage(160 + 8 * i, 120, quint32(300 + i)),
                                    QDir(m_images).filePath(QStringLiteral("photo%1.jpg").arg(i)), "jpg"));
        QFile report(QDir(m_images).filePath(QStringLiteral("photo2.txt")));
        QVERIFY(report.open(QIODevice::WriteOnly));
        report.write("A striped cat sleeping on a red sofa.");
        report.close();

        m_settings = std::make_unique<AppSettings>(root.filePath(QStringLiteral("settings.ini")));
        m_settings->setLibraryFolder(m_library);
        m_window = std::make_unique<MainWindow>(*m_settings);
        m_window->prompts.confirm = [](const QString &, const QString &) { return true; };
        m_window->prompts.directory = [](const QString &, const QString &) { return QString(); };
        m_window->prompts.error = [this](const QString &title, const QString &text) { m_errors << title + QStringLiteral(": ") + text; };
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void newCollectionDialogOffersTheInstalledModels()
    {
        const QList<ModelInfo> installed = ModelCatalog::installed();
        QCOMPARE(installed.size(), 2);
        NewCollectionDialog dialog(QStringLiteral("Cats"), installed, kClip);
        auto *combo = dialog.findChild<QComboBox *>(QStringLiteral("modelCombo"));
        QVERIFY(combo);
        QCOMPARE(combo->count(), 2);
        QCOMPARE(combo->currentData().toString(), kClip); // the default model, preselected
        QVERIFY2(combo->currentText().contains(QStringLiteral("clip-tiny")) && combo->currentText().contains(QStringLiteral("CLIP"))
                     && combo->currentText().contains(QString::number(m_dimension)),
                 qPrintable(combo->currentText()));
        QCOMPARE(dialog.choice().name, QStringLiteral("Cats"));
        QCOMPARE(dialog.choice().modelId, kClip);
        QVERIFY(dialog.selectModel(QStringLiteral("classic-v1")));
        QCOMPARE(dialog.choice().modelId, QStringLiteral("classic-v1"));
        QVERIFY(!dialog.selectModel(QStringLiteral("clip:not-installed")));
        // A blank name cannot be accepted.
        auto *ok = dialog.findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"))->button(QDialogButtonBox::Ok);
        QVERIFY(ok->isEnabled());
        dialog.findChild<QLineEdit *>(QStringLiteral("nameEdit"))->setText(QStringLiteral("  "));
        QVERIFY(!ok->isEnabled());
        // A default that is not installed falls back to the first (built-in) model.
        NewCollectionDialog fallback(QStringLiteral("x"), installed, QStringLiteral("clip:gone"));
        QCOMPARE(fallback.choice().modelId, QStringLiteral("classic-v1"));
    }

    void droppedFolderIsIngestedWithTheChosenModel()
    {
        QString offeredDefault;
        m_settings->setDefaultModel(QStringLiteral("classic-v1"));
        m_window->prompts.newCollection = [&](const QString &, const QString &defaultModel) -> std::optional<NewCollectionChoice> {
            offeredDefault = defaultModel;
            return NewCollectionChoice{QStringLiteral("Cats"), kClip};
        };
        QSignalSpy ready(session(), &CollectionSession::embedderReady);
        QSignalSpy finished(session(), &CollectionSession::ingestFinished);
        QVERIFY(m_window->addDropped(DropContents::ofPaths({m_images})));
        QCOMPARE(offeredDefault, QStringLiteral("classic-v1"));
        QVERIFY2(session()->isOpen(), qPrintable(m_errors.join(QLatin1Char('\n'))));
        QCOMPARE(session()->collection()->embedderId(), kClip);
        // create() returned before the model loaded: the load finishes on a worker thread and
        // reports through the event loop, which has not run since.
        QCOMPARE(session()->embedderState(), CollectionSession::EmbedderState::Loading);
        QVERIFY(ready.isEmpty());
        QVERIFY(session()->isIngesting()); // the images wait for the model
        QVERIFY(!m_window->isIdle());

        // Meanwhile a query by example image says why it cannot run yet.
        QSignalSpy failed(session(), &CollectionSession::searchFailed);
        SearchQuery byImage;
        byImage.imageFiles << QDir(m_images).filePath(QStringLiteral("photo1.jpg"));
        session()->search(byImage);
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("still loading")), qPrintable(failed.first().first().toString()));

        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, kTimeoutMs);
        QCOMPARE(ready.first().first().toString(), kClip);
        QCOMPARE(session()->embedderState(), CollectionSession::EmbedderState::Ready);
        QVERIFY(session()->embedderHasText());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
        const auto result = finished.first().first().value<IngestResult>();
        QCOMPARE(result.added, qint64(kImages));
        QCOMPARE(result.failed, qint64(0));
        QCOMPARE(*session()->collection()->itemCount(), qint64(kImages));
        auto space = session()->collection()->space(session()->collection()->imageSpaceName());
        QVERIFY(space && *space);
        QCOMPARE((*space)->dimension, m_dimension);
        QTRY_VERIFY(m_window->isIdle());
    }

    void textQueryUsesTheTextTower()
    {
        m_window->queryBar()->clearAll();
        m_window->queryBar()->setText(QStringLiteral("a cat on a sofa"));
        QSignalSpy done(session(), &CollectionSession::searchFinished);
        m_window->action(QStringLiteral("actionSearch"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, kTimeoutMs);
        const auto result = done.first().at(1).value<SearchResult>();
        QVERIFY(!result.hits.isEmpty());
        for (const SearchHit &h : result.hits)
            QVERIFY2(h.textImageScore.has_value(), qPrintable(h.item.uri)); // every image compared with the text
        QCOMPARE(model()->rowCount(), int(result.hits.size()));
        // The item with a report also matches by its words and by the report's embedding (the
        // ingest embedded the report with the same model), and the details say what the score
        // is made of.
        int withReport = -1;
        for (int r = 0; r < model()->rowCount(); ++r) {
            if (model()->hitAt(r)->item.uri.endsWith(QStringLiteral("photo2.jpg")))
                withReport = r;
        }
        QVERIFY(withReport >= 0);
        const SearchHit *hit = model()->hitAt(withReport);
        QVERIFY(hit->matchedText);
        QVERIFY(hit->wordScore > 0);
        QVERIFY(hit->textReportScore.has_value());
        m_window->resultsView()->setCurrentIndex(model()->index(withReport));
        QTRY_COMPARE(m_window->detailsPanel()->currentId(), hit->id);
        const QString scores = m_window->detailsPanel()->findChild<QLabel *>(QStringLiteral("scoreLabel"))->text();
        const QString tip = model()->index(withReport).data(Qt::ToolTipRole).toString();
        for (const QString &part : QStringList{QStringLiteral("text↔image cosine"), QStringLiteral("text↔report cosine"),
                                               QStringLiteral("report words"),
                                               QStringLiteral("mean of text↔image, text↔report, report words")}) {
            QVERIFY2(scores.contains(part), qPrintable(scores));
            QVERIFY2(tip.contains(part), qPrintable(tip));
        }
    }

    void exampleImageQueryRunsOnceLoaded()
    {
        const QString example = QDir(m_images).filePath(QStringLiteral("photo4.jpg"));
        m_window->queryBar()->clearAll();
        m_window->queryBar()->addImageFile(example);
        QSignalSpy done(session(), &CollectionSession::searchFinished);
        m_window->runSearch();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, kTimeoutMs);
        QVERIFY(model()->rowCount() > 0);
        QCOMPARE(model()->hitAt(0)->item.uri, example); // the same file, embedded by the same model
        QVERIFY(model()->hitAt(0)->imageScore > 0.99f);
    }

    void reopeningLoadsTheModelInTheBackground()
    {
        const QString path = session()->path();
        m_window->close(); // saves and closes the session
        QVERIFY(!session()->isOpen());
        QSignalSpy ready(session(), &CollectionSession::embedderReady);
        QVERIFY(m_window->openCollection(path));
        QCOMPARE(session()->embedderState(), CollectionSession::EmbedderState::Loading);
        QVERIFY(!session()->embedderHasText()); // words only until it is there
        QCOMPARE(model()->rowCount(), kImages); // browsing does not wait for the model
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, kTimeoutMs);
        QVERIFY(session()->embedderHasText());
        m_window->show();
    }

    void collectionWithAMissingModelIsSearchedByWords()
    {
        const QString dir = QDir(m_library).filePath(QStringLiteral("Orphan"));
        CollectionOptions options;
        options.name = QStringLiteral("Orphan");
        options.embedderId = QStringLiteral("clip:not-installed");
        options.dimension = m_dimension;
        QVERIFY(Collection::create(dir, options));
        QSignalSpy failedLoad(session(), &CollectionSession::embedderFailed);
        QVERIFY(m_window->openCollection(dir));
        QTRY_COMPARE_WITH_TIMEOUT(failedLoad.size(), 1, kTimeoutMs);
        QCOMPARE(session()->embedderState(), CollectionSession::EmbedderState::Failed);
        QVERIFY(!session()->embedderError().isEmpty());

        QSignalSpy failed(session(), &CollectionSession::searchFailed);
        QSignalSpy done(session(), &CollectionSession::searchFinished);
        SearchQuery byImage;
        byImage.imageFiles << QDir(m_images).filePath(QStringLiteral("photo1.jpg"));
        session()->search(byImage);
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("not available")), qPrintable(failed.first().first().toString()));
        SearchQuery byWords;
        byWords.text = QStringLiteral("cat");
        session()->search(byWords);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, kTimeoutMs);
        QCOMPARE(failed.size(), 1);

        // Adding images needs the model: refused with the reason, nothing waits forever.
        QSignalSpy ingestFailed(session(), &CollectionSession::ingestFailed);
        session()->ingest({m_images});
        QCOMPARE(ingestFailed.size(), 1);
        QVERIFY(!session()->isIngesting());
    }

    void cleanupTestCase()
    {
        m_window.reset();
        QVERIFY2(m_errors.isEmpty(), qPrintable(m_errors.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestModelCollection)
#include "tst_modelcollection.moc"
