// lookalike: the desktop application.
#include "appsettings.h"
#include "collection/collection.h"
#include "dropparser.h"
#include "mainwindow.h"
#include "models/modelregistry.h"
#include "models/torchruntime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>
#include <QUrl>

using namespace lookalike;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Lookalike"));
    QApplication::setApplicationName(QStringLiteral("Lookalike"));
    QApplication::setApplicationDisplayName(QStringLiteral("Lookalike"));
    QApplication::setApplicationVersion(QStringLiteral(LOOKALIKE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.lookalike.Lookalike"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/lookalike.svg")));

    // The UI follows the system locale: Qt's own strings, then ours (embedded at :/i18n).
    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("lookalike"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Find similar images in local collections."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("paths"),
                                 QApplication::translate("main", "A collection folder to open, or images and folders to add "
                                                                 "to the collection opened last."),
                                 QStringLiteral("[paths...]"));
    QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QApplication::translate("main", "Save a picture of the window to FILE once it has settled, then quit."),
        QStringLiteral("FILE"));
    parser.addOption(screenshotOption);
    QCommandLineOption demoOption(
        QStringLiteral("demo"),
        QApplication::translate("main", "Open the demo collection, built from the photos of Debian's "
                                        "plasma-workspace-wallpapers package, and search by one of them."));
    parser.addOption(demoOption);
    parser.process(app);

    AppSettings settings;
    // Before any collection opens: model ids ("clip:…", "siglip:…", "torchscript:…") reach the
    // factory only through these providers, and libtorch takes its device and threads from here.
    // MainWindow applies them again when the Settings dialog is accepted.
    ModelRegistry::registerProviders();
    TorchRuntime::configure(settings.torchSettings());
    MainWindow window(settings);
    window.show();

    QStringList toAdd;
    QString toOpen = settings.lastCollection();
    const QStringList args = parser.positionalArguments();
    for (const QString &a : args) {
        const QString path = a.startsWith(QLatin1String("file://")) ? QUrl(a).toLocalFile() : a;
        if (Collection::isCollection(path))
            toOpen = path;
        else
            toAdd << path;
    }
    if (parser.isSet(demoOption))
        window.startDemo();
    else if (!toOpen.isEmpty() && Collection::isCollection(toOpen))
        window.openCollection(toOpen);
    if (!toAdd.isEmpty())
        window.addDropped(DropContents::ofPaths(toAdd));

    if (parser.isSet(screenshotOption)) {
        // Grab the real window once everything settled (ingest, search, thumbnails), or after
        // two minutes whatever state it is in.
        const QString file = parser.value(screenshotOption);
        auto *poll = new QTimer(&window);
        auto *clock = new QElapsedTimer;
        clock->start();
        QObject::connect(poll, &QTimer::timeout, &window, [&window, file, clock, poll] {
            static int quietTicks = 0;
            quietTicks = window.isIdle() ? quietTicks + 1 : 0;
            if (quietTicks < 3 && clock->elapsed() < 120000)
                return;
            poll->stop();
            delete clock;
            const bool ok = window.grab().save(file);
            QApplication::exit(ok ? 0 : 1);
        });
        poll->start(250);
    }
    return app.exec();
}
