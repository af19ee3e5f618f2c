// The German and Chinese catalogues as the application gets them: compiled by lrelease into
// lookalike_gui's resources, found by locale the way main.cpp looks, and applied to a real
// MainWindow (menus, actions, plurals, shortcuts that must still parse after translation).
#include "appsettings.h"
#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QKeySequence>
#include <QLocale>
#include <QMenuBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

#include <memory>

using namespace lookalike;

namespace {
const QStringList kEnglishMenus = {QStringLiteral("&File"), QStringLiteral("&Search"), QStringLiteral("&Item"),
                                   QStringLiteral("&Collection"), QStringLiteral("&View"), QStringLiteral("&Help")};
// Action object name and its English text.
const QList<std::pair<QString, QString>> kActions = {
    {QStringLiteral("actionFindSimilar"), QStringLiteral("Find &Similar")},
    {QStringLiteral("actionNewCollection"), QStringLiteral("&New Collection…")},
    {QStringLiteral("actionSearch"), QStringLiteral("&Search")},
    {QStringLiteral("actionLargerTiles"), QStringLiteral("&Larger Thumbnails")},
    {QStringLiteral("actionAbout"), QStringLiteral("&About Lookalike")},
};

QStringList menuTitles(const MainWindow &window)
{
    QStringList titles;
    for (const QAction *a : window.menuBar()->actions())
        titles << a->text();
    return titles;
}
} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<AppSettings> m_settings;

    std::unique_ptr<MainWindow> makeWindow()
    {
        return std::make_unique<MainWindow>(*m_settings);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_settings = std::make_unique<AppSettings>(QDir(m_tmp.path()).filePath(QStringLiteral("settings.ini")));
        m_settings->setLibraryFolder(m_tmp.path());
    }

    // Without a translator the window is English; the checks below would mean little otherwise.
    void untranslatedWindowIsEnglish()
    {
        auto window = makeWindow();
        QCOMPARE(menuTitles(*window), kEnglishMenus);
        for (const auto &[name, english] : kActions)
            QCOMPARE(window->action(name)->text(), english);
    }

    void windowIsTranslated_data()
    {
        QTest::addColumn<QString>("qmFile");
        QTest::addColumn<QStringList>("menus");
        QTest::addColumn<QStringList>("actions"); // in the order of kActions
        QTest::addColumn<QString>("oneResult");
        QTest::addColumn<QString>("threeResults");

        QTest::newRow("de") << QStringLiteral(":/i18n/lookalike_de.qm")
                            << QStringList{QStringLiteral("&Datei"), QStringLiteral("&Suchen"), QStringLiteral("&Element"),
                                           QStringLiteral("Samm&lung"), QStringLiteral("&Ansicht"), QStringLiteral("&Hilfe")}
                            << QStringList{QStringLiteral("Ä&hnliche finden"), QStringLiteral("&Neue Sammlung…"),
                                           QStringLiteral("&Suchen"), QStringLiteral("&Größere Miniaturansichten"),
                                           QStringLiteral("&Über Lookalike")}
                            << QStringLiteral("1 Ergebnis") << QStringLiteral("3 Ergebnisse");
        QTest::newRow("zh_CN") << QStringLiteral(":/i18n/lookalike_zh_CN.qm")
                               << QStringList{QStringLiteral("文件(&F)"), QStringLiteral("搜索(&S)"), QStringLiteral("项目(&I)"),
                                              QStringLiteral("图像集(&C)"), QStringLiteral("视图(&V)"), QStringLiteral("帮助(&H)")}
                               << QStringList{QStringLiteral("查找相似(&S)"), QStringLiteral("新建图像集(&N)…"),
                                              QStringLiteral("搜索(&S)"), QStringLiteral("放大缩略图(&L)"),
                                              QStringLiteral("关于 Lookalike(&A)")}
                               << QStringLiteral("1 个结果") << QStringLiteral("3 个结果");
    }

    void windowIsTranslated()
    {
        QFETCH(QString, qmFile);
        QFETCH(QStringList, menus);
        QFETCH(QStringList, actions);
        QFETCH(QString, oneResult);
        QFETCH(QString, threeResults);

        QTranslator translator;
        QVERIFY2(translator.load(qmFile), qPrintable(qmFile));
        QVERIFY(!translator.isEmpty());
        QVERIFY(QCoreApplication::installTranslator(&translator));
        auto window = makeWindow();
        QCoreApplication::removeTranslator(&translator);

        const QStringList titles = menuTitles(*window);
        QCOMPARE(titles, menus);
        for (qsizetype i = 0; i < kEnglishMenus.size(); ++i)
            QVERIFY2(titles.at(i) != kEnglishMenus.at(i), qPrintable(titles.at(i)));
        QCOMPARE(actions.size(), kActions.size());
        for (qsizetype i = 0; i < kActions.size(); ++i) {
            const QString text = window->action(kActions.at(i).first)->text();
            QVERIFY2(text != kActions.at(i).second, qPrintable(text));
            QCOMPARE(text, actions.at(i));
        }

        // Shortcut texts go through tr() into QKeySequence; translated, they must still parse.
        const QList<QKeySequence> search = window->action(QStringLiteral("actionSearch"))->shortcuts();
        QVERIFY(search.contains(QKeySequence(Qt::CTRL | Qt::Key_Return)));
        QVERIFY(search.contains(QKeySequence(Qt::CTRL | Qt::Key_Enter)));
        QCOMPARE(window->action(QStringLiteral("actionFindSimilar"))->shortcut(),
                 QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
        QCOMPARE(window->action(QStringLiteral("actionImportFolder"))->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_I));

        // Plural forms come from the catalogue's numerus rules.
        QCOMPARE(translator.translate("lookalike::MainWindow", "%n result(s)", nullptr, 1).replace(QStringLiteral("%n"), QStringLiteral("1")),
                 oneResult);
        QCOMPARE(translator.translate("lookalike::MainWindow", "%n result(s)", nullptr, 3).replace(QStringLiteral("%n"), QStringLiteral("3")),
                 threeResults);
    }

    // main.cpp finds the catalogue from the system locale; this is that lookup.
    void loadsByLocale_data()
    {
        QTest::addColumn<QString>("locale");
        QTest::addColumn<bool>("found");
        QTest::addColumn<QString>("file");

        QTest::newRow("de_DE") << QStringLiteral("de_DE") << true << QStringLiteral("&Datei");
        QTest::newRow("de_AT") << QStringLiteral("de_AT") << true << QStringLiteral("&Datei");
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << true << QStringLiteral("文件(&F)");
        QTest::newRow("fr_FR") << QStringLiteral("fr_FR") << false << QString();
    }

    void loadsByLocale()
    {
        QFETCH(QString, locale);
        QFETCH(bool, found);
        QFETCH(QString, file);

        QTranslator translator;
        QCOMPARE(translator.load(QLocale(locale), QStringLiteral("lookalike"), QStringLiteral("_"), QStringLiteral(":/i18n")),
                 found);
        if (found)
            QCOMPARE(translator.translate("lookalike::MainWindow", "&File"), file);
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
