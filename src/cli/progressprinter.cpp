#include "progressprinter.h"

#include <cstdio>
#include <unistd.h>

namespace lookalike::cli {

namespace {

QString formatEta(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("--:--");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

ProgressPrinter::ProgressPrinter(bool quiet) : m_tty(::isatty(STDOUT_FILENO)), m_quiet(quiet)
{
    m_sinceLine.start();
}

void ProgressPrinter::update(const IngestProgress &p)
{
    if (m_quiet)
        return;
    const double fraction = p.total > 0 ? double(p.done) / double(p.total) : 0.0;
    const bool downloading = p.urlsFetched < p.urlsToFetch;
    const QString stats = QStringLiteral("%1/%2  %3 img/s  ETA %4%5%6")
                              .arg(p.done)
                              .arg(p.total)
                              .arg(p.rate, 0, 'f', 1)
                              .arg(formatEta(p.etaSeconds))
                              .arg(downloading ? QStringLiteral("  downloaded %1/%2").arg(p.urlsFetched).arg(p.urlsToFetch) : QString())
                              .arg(p.failed ? QStringLiteral("  (%1 failed)").arg(p.failed) : QString());
    if (m_tty) {
        constexpr int kWidth = 30;
        const int filled = int(fraction * kWidth);
        const QString bar = QString(filled, QLatin1Char('#')) + QString(kWidth - filled, QLatin1Char('.'));
        std::fprintf(stdout, "\r[%s] %3d%%  %s\x1b[K", qPrintable(bar), int(fraction * 100), qPrintable(stats));
        std::fflush(stdout);
        m_drawn = true;
    } else if (m_sinceLine.elapsed() > 5000) {
        std::fprintf(stderr, "progress: %s\n", qPrintable(stats));
        m_sinceLine.restart();
    }
}

void ProgressPrinter::finish()
{
    if (m_drawn) {
        std::fprintf(stdout, "\n");
        std::fflush(stdout);
        m_drawn = false;
    }
}

} // namespace lookalike::cli
