#include "logging.h"

Q_LOGGING_CATEGORY(lcCollection, "lookalike.collection", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIndex, "lookalike.index", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIngest, "lookalike.ingest", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMedia, "lookalike.media", QtWarningMsg)
Q_LOGGING_CATEGORY(lcSearch, "lookalike.search", QtInfoMsg)
Q_LOGGING_CATEGORY(lcImport, "lookalike.import", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEmbed, "lookalike.embed", QtInfoMsg)
