// AppSettings: defaults, round trips through the file, clamping of bad values.
#include "appsettings.h"
#include "embed/embedderfactory.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace lookalike;

class TestAppSettings final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString iniPath(const char *name) const { return m_tmp.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
    }

    void defaults()
    {
        AppSettings s(iniPath("defaults.ini"));
        QCOMPARE(s.libraryFolder(), QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                                        QStringLiteral("/collections"));
        QCOMPARE(s.defaultModel(), EmbedderFactory::defaultId());
        QCOMPARE(s.device(), QStringLiteral("auto"));
        QCOMPARE(s.threads(), 0);
        QCOMPARE(s.thumbnailSide(), 256);
        QCOMPARE(s.thumbnailCacheMiB(), 192);
        QCOMPARE(s.alpha(), 0.5);
        QCOMPARE(s.resultCount(), 50);
        QVERIFY(s.windowGeometry().isEmpty());
        QVERIFY(s.windowState().isEmpty());
        QVERIFY(s.splitterState(QStringLiteral("main")).isEmpty());
        QVERIFY(s.lastCollection().isEmpty());
    }

    void roundTrip()
    {
        const QString ini = iniPath("roundtrip.ini");
        {
            AppSettings s(ini);
            s.setLibraryFolder(QStringLiteral("/srv/lookalike"));
            s.setDefaultModel(QStringLiteral("siglip-so400m-patch14-384"));
            s.setDevice(QStringLiteral("cuda"));
            s.setThreads(6);
            s.setThumbnailSide(320);
            s.setThumbnailCacheMiB(512);
            s.setWindowGeometry(QByteArray("\x01\x02geometry", 10));
            s.setWindowState(QByteArrayLiteral("state"));
            s.setSplitterState(QStringLiteral("main"), QByteArrayLiteral("split-main"));
            s.setSplitterState(QStringLiteral("details"), QByteArrayLiteral("split-details"));
            s.setLastCollection(QStringLiteral("/home/me/Cases"));
            s.setAlpha(0.25);
            s.setResultCount(120);
            s.sync();
        }
        AppSettings s(ini);
        QCOMPARE(s.libraryFolder(), QStringLiteral("/srv/lookalike"));
        QCOMPARE(s.defaultModel(), QStringLiteral("siglip-so400m-patch14-384"));
        QCOMPARE(s.device(), QStringLiteral("cuda"));
        QCOMPARE(s.threads(), 6);
        QCOMPARE(s.thumbnailSide(), 320);
        QCOMPARE(s.thumbnailCacheMiB(), 512);
        QCOMPARE(s.windowGeometry(), QByteArray("\x01\x02geometry", 10));
        QCOMPARE(s.windowState(), QByteArrayLiteral("state"));
        QCOMPARE(s.splitterState(QStringLiteral("main")), QByteArrayLiteral("split-main"));
        QCOMPARE(s.splitterState(QStringLiteral("details")), QByteArrayLiteral("split-details"));
        QCOMPARE(s.lastCollection(), QStringLiteral("/home/me/Cases"));
        QCOMPARE(s.alpha(), 0.25);
        QCOMPARE(s.resultCount(), 120);
    }

    void clampsOnWrite_data()
    {
        QTest::addColumn<int>("side");
        QTest::addColumn<int>("expected");
        QTest::newRow("below") << 10 << 64;
        QTest::newRow("low edge") << 64 << 64;
        QTest::newRow("inside") << 200 << 200;
        QTest::newRow("high edge") << 512 << 512;
        QTest::newRow("above") << 4096 << 512;
        QTest::newRow("negative") << -5 << 64;
    }
    void clampsOnWrite()
    {
        QFETCH(int, side);
        QFETCH(int, expected);
        AppSettings s(iniPath("clamp.ini"));
        s.setThumbnailSide(side);
        QCOMPARE(s.thumbnailSide(), expected);
    }

    void clampsWhatAHandEditedFileSays()
    {
        const QString ini = iniPath("edited.ini");
        {
            AppSettings s(ini);
            s.setThumbnailSide(256); // creates the keys, so the raw writes below hit the same ones
            s.setAlpha(0.5);
            s.sync();
        }
        {
            // Someone edits the file by hand: find the keys AppSettings wrote and spoil them.
            QSettings raw(ini, QSettings::IniFormat);
            const QStringList keys = raw.allKeys();
            bool sawSide = false, sawAlpha = false;
            for (const QString &key : keys) {
                if (key.contains(QStringLiteral("side"), Qt::CaseInsensitive)) {
                    raw.setValue(key, 100000);
                    sawSide = true;
                } else if (key.contains(QStringLiteral("alpha"), Qt::CaseInsensitive)) {
                    raw.setValue(key, QStringLiteral("not a number"));
                    sawAlpha = true;
                }
            }
            QVERIFY(sawSide && sawAlpha);
            raw.setValue(QStringLiteral("embedding/device"), QStringLiteral("tpu"));
            raw.sync();
        }
        AppSettings s(ini);
        QCOMPARE(s.thumbnailSide(), 512);
        QCOMPARE(s.alpha(), 0.5);
        QCOMPARE(s.device(), QStringLiteral("auto"));
    }

    void otherClamps()
    {
        AppSettings s(iniPath("others.ini"));
        s.setThreads(-3);
        QCOMPARE(s.threads(), 0);
        s.setAlpha(1.7);
        QCOMPARE(s.alpha(), 1.0);
        s.setAlpha(-0.2);
        QCOMPARE(s.alpha(), 0.0);
        s.setResultCount(0);
        QCOMPARE(s.resultCount(), 1);
        s.setDevice(QStringLiteral(" CPU "));
        QCOMPARE(s.device(), QStringLiteral("cpu"));
        s.setDevice(QStringLiteral("quantum"));
        QCOMPARE(s.device(), QStringLiteral("auto"));
        s.setDefaultModel(QStringLiteral("   "));
        QCOMPARE(s.defaultModel(), EmbedderFactory::defaultId());
    }
};

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
