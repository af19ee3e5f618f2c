#pragma once

// What every fuzz target needs: a QGuiApplication on the offscreen platform (SVG text asks
// Qt's font database, which aborts without one), created once, and quiet logging so that
// millions of expected per-input errors do not flood the output.
#include <QByteArray>
#include <QGuiApplication>
#include <QLoggingCategory>

#include <cstdint>
#include <cstdlib>

namespace lookalike::fuzz {

inline void initialise()
{
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = {name, nullptr};
    if (QCoreApplication::instance())
        return;
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false\n*.info=false\n*.warning=false"));
    new QGuiApplication(argc, argv);
}

inline QByteArray bytesOf(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace lookalike::fuzz
