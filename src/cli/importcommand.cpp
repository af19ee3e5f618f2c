#include "cli.h"

namespace lookalike::cli {

int importCommand(const QStringList &args)
{
    Q_UNUSED(args);
    return usageError(QStringLiteral("import is not available yet"), false);
}

} // namespace lookalike::cli
