// The Models dialog against a models folder of its own ($LOOKALIKE_MODELS_DIR in a temporary
// folder): the built-in model listed, a model folder added (checked by loading, in the
// background), downloads from a fake hub on loopback (tests/data/fake_hub.py; nothing leaves the
// machine) by repository and by a list of URLs with SHA-256s, a download cancelled midway that
// leaves no model and resumes, removal after confirmation, and the default model.
#include "appsettings.h"
#include "modeldownloaddialog.h"
#include "modellistmodel.h"
#include "models/modelregistry.h"
#include "models/torchruntime.h"
#include "modelsdialog.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace lookalike;

namespace {
constexpr int kTimeoutMs = 60000;

QString clipTinyDir()
{
    return test::testDataDir() + QStringLiteral("/models/clip-tiny");
}

// What the dialog must show as the dimension: the projection the model's config states.
int clipTinyDimension()
{
    QFile f(clipTinyDir() + QStringLiteral("/config.json"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("projection_dim")).toInt(-1);
}

bool copyFolder(const QString &from, const QString &to)
{
    if (!QDir().mkpath(to))
        return false;
    for (const QFileInfo &f : QDir(from).entryInfoList(QDir::Files)) {
        if (!QFile::copy(f.filePath(), QDir(to).filePath(f.fileName())))
            return false;
    }
    return true;
}

QString cell(const ModelListModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}
} // namespace

class TestModelsDialog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_models;
    QString m_hubLog;
    QProcess m_hub;
    QString m_endpoint;
    std::unique_ptr<AppSettings> m_settings;
    QStringList m_errors;

    std::unique_ptr<ModelsDialog> makeDialog()
    {
        auto d = std::make_unique<ModelsDialog>(*m_settings);
        d->prompts.directory = [](const QString &, const QString &) { return clipTinyDir(); };
        d->prompts.file = [](const QString &, const QString &, const QString &) { return QString(); };
        d->prompts.confirm = [](const QString &, const QString &) { return true; };
        d->prompts.error = [this](const QString &title, const QString &text) { m_errors << title + QStringLiteral(": ") + text; };
        return d;
    }

    static QPushButton *button(QObject *parent, const char *name)
    {
        auto *b = parent->findChild<QPushButton *>(QString::fromLatin1(name));
        if (!b)
            qFatal("no button %s", name);
        return b;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(QFileInfo(clipTinyDir() + QStringLiteral("/config.json")).isFile(), qPrintable(clipTinyDir()));
        m_models = m_tmp.filePath(QStringLiteral("models"));
        qputenv("LOOKALIKE_MODELS_DIR", m_models.toUtf8());
        ModelRegistry::registerProviders();
        TorchRuntime::configure({QStringLiteral("cpu"), 2});
        m_settings = std::make_unique<AppSettings>(m_tmp.filePath(QStringLiteral("settings.ini")));

        // The hub serves the tiny model as three repositories (org/slow paces its weights so that
        // a download can be cancelled midway) and as plain files.
        const QDir hub(m_tmp.filePath(QStringLiteral("hub")));
        for (const char *repo : {"org/clip-tiny", "org/slow"})
            QVERIFY(copyFolder(clipTinyDir(), hub.filePath(QString::fromLatin1(repo))));
        QVERIFY(copyFolder(clipTinyDir(), hub.filePath(QStringLiteral("files"))));
        m_hubLog = m_tmp.filePath(QStringLiteral("hub.log"));
        m_hub.start(QStringLiteral("/usr/bin/python3"),
                    {QStringLiteral(LOOKALIKE_SOURCE_DIR "/tests/data/fake_hub.py"), hub.path(), m_hubLog});
        QVERIFY(m_hub.waitForStarted());
        QVERIFY(m_hub.waitForReadyRead(10000));
        const QByteArray line = m_hub.readLine().trimmed();
        QVERIFY2(line.startsWith("PORT "), line.constData());
        m_endpoint = QStringLiteral("http://127.0.0.1:%1").arg(QString::fromLatin1(line.mid(5)));
    }

    void tableModelPassesTheModelTester()
    {
        ModelListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setModels(ModelCatalog::installed());
        model.setDevice(QStringLiteral("cpu"));
        QCOMPARE(model.rowCount(), 1);
        ModelInfo clip;
        clip.id = QStringLiteral("clip:x");
        clip.family = QStringLiteral("clip");
        clip.name = QStringLiteral("x");
        clip.dimension = 512;
        clip.bytes = 3 << 20;
        clip.hasTextTower = true;
        model.setModels({ModelCatalog::installed().first(), clip});
        QCOMPARE(cell(&model, 1, ModelListModel::DeviceColumn), QStringLiteral("CPU"));
        model.setDevice({}); // "auto" not resolved yet
        QCOMPARE(cell(&model, 1, ModelListModel::DeviceColumn), QStringLiteral("automatic"));
        model.setDevice(QStringLiteral("cuda"));
        model.setDefaultModel(clip.id);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(ModelListModel::ColumnCount));
        QCOMPARE(cell(&model, 1, ModelListModel::DeviceColumn), QStringLiteral("CUDA"));
        QCOMPARE(cell(&model, 0, ModelListModel::DeviceColumn), QStringLiteral("CPU")); // the built-in runs on the CPU
        QVERIFY(model.index(1, 0).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!model.index(0, 0).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model.index(1, 3).data(ModelListModel::IdRole).toString(), clip.id);
        model.setModels({});
        QCOMPARE(model.rowCount(), 0);
    }

    void listsTheBuiltInModel()
    {
        auto dialog = makeDialog();
        const ModelListModel *model = dialog->model();
        QCOMPARE(model->rowCount(), 1);
        const ModelInfo *classic = model->modelAt(0);
        QVERIFY(classic && classic->builtIn);
        QCOMPARE(classic->id, QStringLiteral("classic-v1"));
        QCOMPARE(cell(model, 0, ModelListModel::FamilyColumn), QStringLiteral("Classic"));
        QVERIFY(cell(model, 0, ModelListModel::DimensionColumn).toInt() > 0);
        QCOMPARE(cell(model, 0, ModelListModel::TextTowerColumn), QStringLiteral("no"));
        // The built-in cannot be removed; it is the default already.
        QCOMPARE(dialog->selectedModelId(), QStringLiteral("classic-v1"));
        QVERIFY(!button(dialog.get(), "removeButton")->isEnabled());
        QVERIFY(!button(dialog.get(), "defaultButton")->isEnabled());
    }

    void addModelFolderChecksInTheBackgroundAndListsIt()
    {
        auto dialog = makeDialog();
        QSignalSpy added(dialog.get(), &ModelsDialog::addFinished);
        button(dialog.get(), "addFolderButton")->click();
        // The load and copy run on a worker thread: the call returned while they run.
        QVERIFY(dialog->isBusy());
        QVERIFY(!button(dialog.get(), "addFolderButton")->isEnabled());
        QVERIFY(!dialog->findChild<QProgressBar *>(QStringLiteral("busyBar"))->isHidden());
        QTRY_COMPARE_WITH_TIMEOUT(added.size(), 1, kTimeoutMs);
        QVERIFY2(added.first().first().toBool(), qPrintable(m_errors.join(QLatin1Char('\n'))));
        QVERIFY(!dialog->isBusy());

        const ModelListModel *model = dialog->model();
        QCOMPARE(model->rowCount(), 2);
        const int row = model->rowOf(QStringLiteral("clip:clip-tiny"));
        QCOMPARE(row, 1);
        QCOMPARE(model->modelAt(row)->family, QStringLiteral("clip"));
        QCOMPARE(cell(model, row, ModelListModel::NameColumn), QStringLiteral("clip-tiny"));
        QCOMPARE(cell(model, row, ModelListModel::FamilyColumn), QStringLiteral("CLIP"));
        QCOMPARE(cell(model, row, ModelListModel::DimensionColumn).toInt(), clipTinyDimension());
        QCOMPARE(cell(model, row, ModelListModel::TextTowerColumn), QStringLiteral("yes"));
        QCOMPARE(cell(model, row, ModelListModel::DeviceColumn), QStringLiteral("CPU"));
        QVERIFY(model->modelAt(row)->bytes > 6'000'000); // the weights were copied
        QVERIFY(QFileInfo(QDir(m_models).filePath(QStringLiteral("clip-tiny/model.safetensors"))).isFile());
        QCOMPARE(dialog->selectedModelId(), QStringLiteral("clip:clip-tiny"));

        // The same folder again is refused with a message that says why.
        button(dialog.get(), "addFolderButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(added.size(), 2, kTimeoutMs);
        QVERIFY(!added.last().first().toBool());
        QCOMPARE(m_errors.size(), 1);
        QVERIFY2(m_errors.first().contains(QStringLiteral("already installed")), qPrintable(m_errors.first()));
        m_errors.clear();
        QCOMPARE(dialog->model()->rowCount(), 2);
    }

    void automaticDeviceIsResolved()
    {
        TorchRuntime::configure({QStringLiteral("auto"), 2});
        auto dialog = makeDialog();
        const int row = dialog->model()->rowOf(QStringLiteral("clip:clip-tiny"));
        QVERIFY(row > 0);
        // "auto" asks libtorch whether CUDA is there, off the GUI thread when it is not loaded yet.
        QTRY_VERIFY_WITH_TIMEOUT(cell(dialog->model(), row, ModelListModel::DeviceColumn) != QLatin1String("automatic"), kTimeoutMs);
        const QString expected = TorchRuntime::cudaAvailable() ? QStringLiteral("CUDA") : QStringLiteral("CPU");
        QCOMPARE(cell(dialog->model(), row, ModelListModel::DeviceColumn), expected);
        TorchRuntime::configure({QStringLiteral("cpu"), 2});
    }

    void downloadFromARepository()
    {
        auto dialog = makeDialog();
        ModelDownloadDialog *download = dialog->showDownloadDialog();
        QVERIFY(download);
        QCOMPARE(dialog->showDownloadDialog(), download); // one at a time
        download->setRepository(m_endpoint, QStringLiteral("org/clip-tiny"), QStringLiteral("clip-hub"));
        QSignalSpy progress(download, &ModelDownloadDialog::progressChanged);
        QSignalSpy installed(download, &ModelDownloadDialog::modelInstalled);
        QSignalSpy failed(download, &ModelDownloadDialog::downloadFailed);
        QVERIFY(download->start());
        QVERIFY(download->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!installed.isEmpty() || !failed.isEmpty(), kTimeoutMs);
        QVERIFY2(failed.isEmpty(), qPrintable(download->statusText()));
        QVERIFY(!download->isRunning());

        // Progress came file by file, with the weights' size known.
        QVERIFY(!progress.isEmpty());
        bool sawWeights = false;
        for (const QList<QVariant> &args : std::as_const(progress)) {
            const auto p = args.first().value<ModelDownloadProgress>();
            if (p.file == QLatin1String("model.safetensors") && p.fileTotal > 6'000'000 && p.fileDone > 0)
                sawWeights = true;
        }
        QVERIFY(sawWeights);
        QCOMPARE(download->findChild<QProgressBar *>(QStringLiteral("fileProgress"))->value(), 1000);

        const auto model = installed.first().first().value<ModelInfo>();
        QCOMPARE(model.id, QStringLiteral("clip:clip-hub"));
        QCOMPARE(model.dimension, clipTinyDimension());
        const int row = dialog->model()->rowOf(QStringLiteral("clip:clip-hub"));
        QVERIFY(row > 0);
        QCOMPARE(cell(dialog->model(), row, ModelListModel::DimensionColumn).toInt(), clipTinyDimension());
        QCOMPARE(dialog->selectedModelId(), QStringLiteral("clip:clip-hub"));
        // No hidden partial folder is left behind.
        QVERIFY(QDir(m_models).entryList({QStringLiteral(".*.part")}, QDir::Dirs | QDir::Hidden).isEmpty());
    }

    void downloadAListOfUrlsChecksTheirSha256()
    {
        auto dialog = makeDialog();
        ModelDownloadDialog *download = dialog->showDownloadDialog();
        QStringList lines{QStringLiteral("# the tiny CLIP, file by file")};
        for (const char *name : {"config.json", "model.safetensors", "preprocessor_config.json", "tokenizer_config.json",
                                 "special_tokens_map.json", "vocab.json", "merges.txt"}) {
            QFile f(QDir(clipTinyDir()).filePath(QString::fromLatin1(name)));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString sha = QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
            lines << QStringLiteral("%1/files/%2  %3").arg(m_endpoint, QString::fromLatin1(name), sha);
        }
        // A wrong checksum first: refused, nothing listed.
        QStringList wrong = lines;
        wrong[2] = wrong[2].left(wrong[2].size() - 64) + QString(64, QLatin1Char('0'));
        download->setFileList(wrong.join(QLatin1Char('\n')), QStringLiteral("clip-list"));
        QSignalSpy installed(download, &ModelDownloadDialog::modelInstalled);
        QSignalSpy failed(download, &ModelDownloadDialog::downloadFailed);
        QVERIFY(download->start());
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kTimeoutMs);
        QVERIFY(installed.isEmpty());
        QVERIFY2(download->statusText().contains(QStringLiteral("SHA-256"), Qt::CaseInsensitive), qPrintable(download->statusText()));
        QCOMPARE(dialog->model()->rowOf(QStringLiteral("clip:clip-list")), -1);

        download->setFileList(lines.join(QLatin1Char('\n')), QStringLiteral("clip-list"));
        QVERIFY(download->start());
        QTRY_VERIFY_WITH_TIMEOUT(!installed.isEmpty() || failed.size() > 1, kTimeoutMs);
        QVERIFY2(!installed.isEmpty(), qPrintable(download->statusText()));
        // Without a translator the plural reads "file(s)".
        QVERIFY2(download->statusText().contains(QRegularExpression(QStringLiteral("\\b7 file.* matched their SHA-256"))),
                 qPrintable(download->statusText()));
        QVERIFY(dialog->model()->rowOf(QStringLiteral("clip:clip-list")) > 0);

        // A list that is not one is refused before anything starts.
        download->setFileList(QStringLiteral("not a url"), QStringLiteral("other"));
        QVERIFY(!download->start());
        QVERIFY(!download->isRunning());
        QVERIFY(download->statusText().contains(QStringLiteral("line 1")));
    }

    void cancelMidDownloadLeavesNoModelAndStartingAgainResumes()
    {
        auto dialog = makeDialog();
        ModelDownloadDialog *download = dialog->showDownloadDialog();
        download->setRepository(m_endpoint, QStringLiteral("org/slow"), QStringLiteral("clip-slow"));
        QSignalSpy installed(download, &ModelDownloadDialog::modelInstalled);
        QSignalSpy failed(download, &ModelDownloadDialog::downloadFailed);
        // Cancel as soon as the weights (sent in paced pieces) begin to arrive, as a user would
        // press Cancel while the bar moves.
        qint64 cancelledAt = -1;
        auto *cancelButton = download->findChild<QPushButton *>(QStringLiteral("cancelButton"));
        const auto connection = connect(download, &ModelDownloadDialog::progressChanged, this, [&](const ModelDownloadProgress &p) {
            if (cancelledAt < 0 && p.file == QLatin1String("model.safetensors") && p.fileDone > 0 && p.fileDone < p.fileTotal) {
                cancelledAt = p.fileDone;
                QVERIFY(cancelButton->isEnabled());
                cancelButton->click();
            }
        });
        QVERIFY(download->start());
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || !installed.isEmpty(), kTimeoutMs);
        disconnect(connection);
        QVERIFY(cancelledAt > 0);
        QVERIFY2(installed.isEmpty(), "the download finished before Cancel took effect");
        QVERIFY2(failed.first().at(1).toBool(), "a cancelled download must be resumable");
        QVERIFY2(download->statusText().startsWith(QStringLiteral("Cancelled")), qPrintable(download->statusText()));
        QCOMPARE(dialog->model()->rowOf(QStringLiteral("clip:clip-slow")), -1);
        dialog->refresh();
        QCOMPARE(dialog->model()->rowOf(QStringLiteral("clip:clip-slow")), -1);
        QVERIFY(!QFileInfo::exists(QDir(m_models).filePath(QStringLiteral("clip-slow"))));
        QVERIFY(QFileInfo(QDir(m_models).filePath(QStringLiteral(".clip-slow.part"))).isDir()); // kept to resume

        // The same download again continues where it stopped.
        QVERIFY(download->start());
        QTRY_VERIFY_WITH_TIMEOUT(!installed.isEmpty() || failed.size() > 1, kTimeoutMs);
        QVERIFY2(!installed.isEmpty(), qPrintable(download->statusText()));
        QVERIFY2(download->statusText().contains(QStringLiteral("Resumed")), qPrintable(download->statusText()));
        QVERIFY(dialog->model()->rowOf(QStringLiteral("clip:clip-slow")) > 0);
        QFile log(m_hubLog);
        QVERIFY(log.open(QIODevice::ReadOnly));
        bool ranged = false;
        for (const QByteArray &line : log.readAll().split('\n'))
            ranged |= line.contains("/org/slow/model.safetensors") && line.contains("\tbytes=");
        QVERIFY2(ranged, "no Range request for the weights: the download started afresh");
    }

    void removeAsksFirst()
    {
        auto dialog = makeDialog();
        bool asked = false;
        bool answer = false;
        dialog->prompts.confirm = [&](const QString &, const QString &text) {
            asked = true;
            return text.contains(QStringLiteral("clip-hub")) && answer;
        };
        const int before = dialog->model()->rowCount();
        dialog->selectModel(QStringLiteral("clip:clip-hub"));
        QVERIFY(button(dialog.get(), "removeButton")->isEnabled());
        button(dialog.get(), "removeButton")->click();
        QVERIFY(asked);
        QCOMPARE(dialog->model()->rowCount(), before); // the user said no
        QVERIFY(QFileInfo::exists(QDir(m_models).filePath(QStringLiteral("clip-hub"))));

        asked = false;
        answer = true;
        button(dialog.get(), "removeButton")->click();
        QVERIFY(asked);
        QCOMPARE(dialog->model()->rowCount(), before - 1);
        QCOMPARE(dialog->model()->rowOf(QStringLiteral("clip:clip-hub")), -1);
        QVERIFY(!QFileInfo::exists(QDir(m_models).filePath(QStringLiteral("clip-hub"))));
    }

    void setAsDefault()
    {
        auto dialog = makeDialog();
        QSignalSpy changed(dialog.get(), &ModelsDialog::modelsChanged);
        dialog->selectModel(QStringLiteral("clip:clip-tiny"));
        QVERIFY(button(dialog.get(), "defaultButton")->isEnabled());
        button(dialog.get(), "defaultButton")->click();
        QCOMPARE(m_settings->defaultModel(), QStringLiteral("clip:clip-tiny"));
        QCOMPARE(changed.size(), 1);
        const int row = dialog->model()->rowOf(QStringLiteral("clip:clip-tiny"));
        QVERIFY(dialog->model()->index(row, 0).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!button(dialog.get(), "defaultButton")->isEnabled());
        AppSettings reread(m_tmp.filePath(QStringLiteral("settings.ini")));
        QCOMPARE(reread.defaultModel(), QStringLiteral("clip:clip-tiny"));
    }

    void cleanupTestCase()
    {
        m_hub.kill();
        m_hub.waitForFinished();
        QVERIFY2(m_errors.isEmpty(), qPrintable(m_errors.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestModelsDialog)
#include "tst_modelsdialog.moc"
