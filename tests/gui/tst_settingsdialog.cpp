// SettingsDialog: shows the current settings, OK writes the edited values, an unusable
// library folder keeps the dialog open and writes nothing.
#include "appsettings.h"
#include "settingsdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace lookalike;

class TestSettingsDialog final : public QObject
{
    Q_OBJECT

private:
    template <typename T>
    static T *child(QObject *parent, const char *name)
    {
        auto *w = parent->findChild<T *>(QString::fromLatin1(name));
        if (!w)
            qFatal("no child %s", name);
        return w;
    }

private Q_SLOTS:
    void showsCurrentValues()
    {
        QTemporaryDir tmp;
        AppSettings settings(tmp.filePath(QStringLiteral("s.ini")));
        settings.setDevice(QStringLiteral("cpu"));
        settings.setThreads(3);
        settings.setThumbnailSide(384);
        settings.setDefaultModel(QStringLiteral("my-model"));
        SettingsDialog dialog(settings, {QStringLiteral("classic-v1"), QStringLiteral("clip-vit-b32")});
        QCOMPARE(child<QComboBox>(&dialog, "deviceCombo")->currentIndex(), 1);
        QCOMPARE(child<QSpinBox>(&dialog, "threadsSpin")->value(), 3);
        QCOMPARE(child<QSpinBox>(&dialog, "thumbnailSideSpin")->value(), 384);
        auto *models = child<QComboBox>(&dialog, "modelCombo");
        QCOMPARE(models->currentText(), QStringLiteral("my-model"));
        QVERIFY(models->findText(QStringLiteral("clip-vit-b32")) >= 0);
        auto *threads = child<QSpinBox>(&dialog, "threadsSpin");
        threads->setValue(0);
        QCOMPARE(threads->text(), QStringLiteral("Automatic"));
    }

    void acceptWritesValues()
    {
        QTemporaryDir tmp;
        const QString ini = tmp.filePath(QStringLiteral("s.ini"));
        AppSettings settings(ini);
        SettingsDialog dialog(settings, {QStringLiteral("classic-v1"), QStringLiteral("clip-vit-b32")});
        const QString library = tmp.filePath(QStringLiteral("new/library"));
        child<QLineEdit>(&dialog, "libraryFolderEdit")->setText(library);
        child<QComboBox>(&dialog, "modelCombo")->setCurrentText(QStringLiteral("clip-vit-b32"));
        child<QComboBox>(&dialog, "deviceCombo")->setCurrentIndex(2);
        child<QSpinBox>(&dialog, "threadsSpin")->setValue(5);
        child<QSpinBox>(&dialog, "thumbnailSideSpin")->setValue(128);
        child<QSpinBox>(&dialog, "cacheSpin")->setValue(320);
        child<QDialogButtonBox>(&dialog, "buttonBox")->button(QDialogButtonBox::Ok)->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        AppSettings reread(ini); // through the file, not the same object
        QCOMPARE(reread.libraryFolder(), library);
        QVERIFY(QFileInfo(library).isDir());
        QCOMPARE(reread.defaultModel(), QStringLiteral("clip-vit-b32"));
        QCOMPARE(reread.device(), QStringLiteral("cuda"));
        QCOMPARE(reread.threads(), 5);
        QCOMPARE(reread.thumbnailSide(), 128);
        QCOMPARE(reread.thumbnailCacheMiB(), 320);
    }

    void offersInstalledModelsWithTheirDescription()
    {
        QTemporaryDir tmp;
        AppSettings settings(tmp.filePath(QStringLiteral("s.ini")));
        ModelInfo classic;
        classic.id = QStringLiteral("classic-v1");
        classic.family = QStringLiteral("classic");
        classic.builtIn = true;
        classic.dimension = 300;
        ModelInfo clip;
        clip.id = QStringLiteral("clip:clip-vit-base-patch32");
        clip.family = QStringLiteral("clip");
        clip.name = QStringLiteral("clip-vit-base-patch32");
        clip.dimension = 512;
        SettingsDialog dialog(settings, QList<ModelInfo>{classic, clip});
        auto *models = child<QComboBox>(&dialog, "modelCombo");
        QCOMPARE(models->currentText(), QStringLiteral("classic-v1")); // the default model
        const int row = models->findText(clip.id);
        QVERIFY(row >= 0);
        const QString tip = models->itemData(row, Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("CLIP")) && tip.contains(QStringLiteral("512")), qPrintable(tip));
        models->setCurrentIndex(row);
        child<QLineEdit>(&dialog, "libraryFolderEdit")->setText(tmp.filePath(QStringLiteral("lib")));
        child<QDialogButtonBox>(&dialog, "buttonBox")->button(QDialogButtonBox::Ok)->click();
        QCOMPARE(settings.defaultModel(), clip.id);
    }

    void unusableFolderKeepsDialogOpen_data()
    {
        QTest::addColumn<QString>("folder"); // relative to the temporary dir, or as given
        QTest::newRow("a file") << QStringLiteral("@/plain-file");
        QTest::newRow("under a file") << QStringLiteral("@/plain-file/sub");
        QTest::newRow("relative") << QStringLiteral("relative/path");
        QTest::newRow("empty") << QString();
    }
    void unusableFolderKeepsDialogOpen()
    {
        QFETCH(QString, folder);
        QTemporaryDir tmp;
        QFile file(tmp.filePath(QStringLiteral("plain-file")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        folder.replace(QStringLiteral("@"), tmp.path());

        const QString ini = tmp.filePath(QStringLiteral("s.ini"));
        AppSettings settings(ini);
        const QString before = settings.libraryFolder();
        SettingsDialog dialog(settings, QStringList{});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        child<QLineEdit>(&dialog, "libraryFolderEdit")->setText(folder);
        child<QSpinBox>(&dialog, "threadsSpin")->setValue(7);
        child<QDialogButtonBox>(&dialog, "buttonBox")->button(QDialogButtonBox::Ok)->click();
        QVERIFY(dialog.isVisible());
        auto *error = child<QLabel>(&dialog, "errorLabel");
        QVERIFY(error->isVisible());
        QVERIFY(!error->text().isEmpty());
        QCOMPARE(settings.libraryFolder(), before);
        QCOMPARE(settings.threads(), 0);
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
