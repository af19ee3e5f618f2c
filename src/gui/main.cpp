// lookalike: the desktop application.
#include "appsettings.h"
#include "collection/collection.h"
#include "dropparser.h"
#include "mainwindow.h"
#include "models/modelregistry.h"
#include "models/torchruntime.h"
#include "resultsmodel.h"
#include "resultsview.h"

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

#include <cstdio>

using namespace lookalike;

namespace {
// LOOKALIKE_REPORT_READY=1, for bench/bench_gui_targets.cpp (no effect otherwise): prints
// "ready <ms>" to stderr once the grid has painted a frame with items and the event loop is back,
// then "idle <ms>" once MainWindow::isIdle() (visible thumbnails loaded, model loaded), and quits.
// Milliseconds since main() started.
class ReadyReporter final : public QObject
{
public:
    ReadyReporter(MainWindow &window, const QElapsedTimer &clock)
        : QObject(&window)
        , m_window(window)
        , m_clock(clock)
    {
        window.resultsView()->viewport()->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Paint || m_window.resultsModel()->rowCount() == 0)
            return false;
        watched->removeEventFilter(this);
        QTimer::singleShot(0, this, [this] { // after this paint
            std::fprintf(stderr, "ready %lld\n", m_clock.elapsed());
            auto *poll = new QTimer(this);
            connect(poll, &QTimer::timeout, this, [this] {
                if (!m_window.isIdle())
                    return;
                std::fprintf(stderr, "idle %lld\n", m_clock.elapsed());
                QApplication::exit(0);
            });
            poll->start(5);
        });
        return false;
    }

private:
    MainWindow &m_window;
    const QElapsedTimer &m_clock;
};
} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();
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
    if (qEnvironmentVariableIntValue("LOOKALIKE_REPORT_READY") == 1)
        new ReadyReporter(window, sinceStart);
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
