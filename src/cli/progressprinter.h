#pragma once

#include "ingest/ingestjob.h"

#include <QElapsedTimer>

namespace lookalike::cli {

// Ingest progress for a person: a redrawn bar when stdout is a terminal, otherwise a line
// every few seconds on stderr (so logs show that work goes on, and stdout stays parseable).
class ProgressPrinter final
{
public:
    explicit ProgressPrinter(bool quiet);
    void update(const IngestProgress &p);
    void finish();

private:
    bool m_tty = false;
    bool m_quiet = false;
    bool m_drawn = false;
    QElapsedTimer m_sinceLine;
};

} // namespace lookalike::cli
