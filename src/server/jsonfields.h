#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>
#include <vector>

namespace lookalike::server {

// Reading request bodies field by field. Every error names the field and says what it wants
// ("k wants an integer from 1 to 1000"), as InvalidArgument (TooLarge for an image over the cap).
class JsonFields final
{
public:
    // The body as a JSON object; an error says where the JSON broke.
    static Result<QJsonObject> parseObject(const QByteArray &body);
    // Refuses members outside `known`: a misspelt "treshold" would otherwise be ignored.
    static Result<void> onlyKnown(const QJsonObject &object, const QStringList &known);

    // Absent (or null) members give nullopt; present ones of the wrong type or range an error.
    static Result<std::optional<QString>> string(const QJsonObject &object, const QString &key, qsizetype maxLength);
    static Result<std::optional<qint64>> integer(const QJsonObject &object, const QString &key, qint64 min, qint64 max);
    static Result<std::optional<double>> number(const QJsonObject &object, const QString &key, double min, double max);
    static Result<std::optional<bool>> boolean(const QJsonObject &object, const QString &key);
    // An array of at most `maxCount` elements (empty when absent); `wants` says what it should
    // hold, for the error ("an array of URL strings").
    static Result<QJsonArray> array(const QJsonObject &object, const QString &key, int maxCount, const QString &wants);
    // An array of item ids (integers ≥ 1), at most `maxCount`.
    static Result<std::vector<qint64>> ids(const QJsonObject &object, const QString &key, int maxCount);
    // A base64 (or base64url) string, optionally as a data: URL, decoded; at most `maxBytes`
    // decoded bytes. `field` names it in errors ("images[2].image").
    static Result<QByteArray> base64(const QJsonValue &value, const QString &field, qint64 maxBytes);
};

} // namespace lookalike::server
