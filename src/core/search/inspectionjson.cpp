#include "inspectionjson.h"

#include <QJsonArray>

namespace lookalike::InspectionJson {

Result<QJsonObject> outliers(Collection &collection, const std::vector<Outlier> &found, int neighbours)
{
    std::vector<qint64> ids;
    for (const Outlier &o : found) {
        ids.push_back(o.id);
        ids.push_back(o.nearestId);
    }
    auto items = collection.itemsByIds(ids);
    if (!items)
        return items.error();
    QJsonArray list;
    for (const Outlier &o : found)
        list.append(QJsonObject{{QStringLiteral("id"), o.id},
                                {QStringLiteral("uri"), items->value(o.id).uri},
                                {QStringLiteral("mean_score"), double(o.meanScore)},
                                {QStringLiteral("nearest_id"), o.nearestId},
                                {QStringLiteral("nearest_uri"), items->value(o.nearestId).uri},
                                {QStringLiteral("nearest_score"), double(o.nearestScore)}});
    return QJsonObject{{QStringLiteral("outliers"), list}, {QStringLiteral("neighbours"), neighbours}};
}

Result<QJsonObject> duplicates(Collection &collection, const DuplicateResult &found, const DuplicateParams &params)
{
    QJsonArray groups;
    for (const DuplicateGroup &g : found.groups) {
        auto items = collection.itemsByIds(g.ids);
        if (!items)
            return items.error();
        QJsonArray ids, uris;
        for (qint64 id : g.ids) {
            ids.append(id);
            uris.append(items->value(id).uri);
        }
        QJsonObject group{{QStringLiteral("ids"), ids}, {QStringLiteral("uris"), uris}, {QStringLiteral("max_score"), double(g.maxScore)}};
        if (params.splitBy != SplitBy::None)
            group[QStringLiteral("splits")] = QJsonArray::fromStringList(g.splits);
        groups.append(group);
    }
    QJsonObject out{{QStringLiteral("groups"), groups}, {QStringLiteral("threshold"), double(params.threshold)}};
    if (params.splitBy != SplitBy::None)
        out[QStringLiteral("across")] = params.splitBy == SplitBy::TopFolder ? QStringLiteral("folder") : params.splitKey;
    return out;
}

} // namespace lookalike::InspectionJson
