#pragma once

#include "search/duplicatefinder.h"
#include "search/outlierfinder.h"

#include <QJsonObject>

namespace lookalike::InspectionJson {

// The JSON of the dataset checks, the same from `lookalike-cli --json` and from the REST API
// (keys documented in docs/cli.md and docs/api.md):
// {"outliers": [{"id", "uri", "mean_score", "nearest_id", "nearest_uri", "nearest_score"}],
//  "neighbours": k}
Result<QJsonObject> outliers(Collection &collection, const std::vector<Outlier> &found, int neighbours);
// {"groups": [{"ids", "uris", "max_score"[, "splits"]}], "threshold": t[, "across": key]}
Result<QJsonObject> duplicates(Collection &collection, const DuplicateResult &found, const DuplicateParams &params);

} // namespace lookalike::InspectionJson
