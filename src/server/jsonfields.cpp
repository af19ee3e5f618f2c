#include "jsonfields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace lookalike::server {

namespace {

Error invalid(const QString &message)
{
    return Error(message, Error::Code::InvalidArgument);
}

// The JSON type of a value, for "wants a string, not a number".
QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

bool isWhitespace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

} // namespace

Result<QJsonObject> JsonFields::parseObject(const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return invalid(QStringLiteral("the body is empty; it should be a JSON object"));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return invalid(QStringLiteral("the body is not valid JSON: %1 at byte %2").arg(error.errorString()).arg(error.offset));
    if (!doc.isObject())
        return invalid(QStringLiteral("the body should be a JSON object, not %1").arg(doc.isArray() ? QStringLiteral("an array")
                                                                                                    : QStringLiteral("a value")));
    return doc.object();
}

Result<void> JsonFields::onlyKnown(const QJsonObject &object, const QStringList &known)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return invalid(QStringLiteral("unknown field \"%1\" (known: %2)").arg(it.key(), known.join(QStringLiteral(", "))));
    }
    return {};
}

Result<std::optional<QString>> JsonFields::string(const QJsonObject &object, const QString &key, qsizetype maxLength)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return std::optional<QString>();
    if (!v.isString())
        return invalid(QStringLiteral("%1 wants a string, not %2").arg(key, typeName(v)));
    QString s = v.toString();
    if (s.size() > maxLength)
        return invalid(QStringLiteral("%1 is longer than %2 characters").arg(key).arg(maxLength));
    return std::optional<QString>(std::move(s));
}

Result<std::optional<qint64>> JsonFields::integer(const QJsonObject &object, const QString &key, qint64 min, qint64 max)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return std::optional<qint64>();
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || !std::isfinite(d) || d != std::trunc(d) || d < double(min) || d > double(max))
        return invalid(QStringLiteral("%1 wants an integer from %2 to %3").arg(key).arg(min).arg(max));
    return std::optional<qint64>(qint64(d));
}

Result<std::optional<double>> JsonFields::number(const QJsonObject &object, const QString &key, double min, double max)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return std::optional<double>();
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || !std::isfinite(d) || d < min || d > max)
        return invalid(QStringLiteral("%1 wants a number from %2 to %3").arg(key).arg(min).arg(max));
    return std::optional<double>(d);
}

Result<std::optional<bool>> JsonFields::boolean(const QJsonObject &object, const QString &key)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return std::optional<bool>();
    if (!v.isBool())
        return invalid(QStringLiteral("%1 wants true or false, not %2").arg(key, typeName(v)));
    return std::optional<bool>(v.toBool());
}

Result<QJsonArray> JsonFields::array(const QJsonObject &object, const QString &key, int maxCount, const QString &wants)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return QJsonArray();
    if (!v.isArray())
        return invalid(QStringLiteral("%1 wants %2, not %3").arg(key, wants, typeName(v)));
    QJsonArray array = v.toArray();
    if (array.size() > maxCount)
        return invalid(QStringLiteral("%1 has %2 entries; at most %3 are allowed").arg(key).arg(array.size()).arg(maxCount));
    return array;
}

Result<std::vector<qint64>> JsonFields::ids(const QJsonObject &object, const QString &key, int maxCount)
{
    auto array = JsonFields::array(object, key, maxCount, QStringLiteral("an array of item ids"));
    if (!array)
        return array.error();
    std::vector<qint64> out;
    for (qsizetype i = 0; i < array->size(); ++i) {
        const QJsonValue v = array->at(i);
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || !std::isfinite(d) || d != std::trunc(d) || d < 1 || d > 9.0e15)
            return invalid(QStringLiteral("%1[%2] is not an item id (an integer of at least 1)").arg(key).arg(i));
        out.push_back(qint64(d));
    }
    return out;
}

Result<QByteArray> JsonFields::base64(const QJsonValue &value, const QString &field, qint64 maxBytes)
{
    if (!value.isString())
        return invalid(QStringLiteral("%1 wants a base64 string, not %2").arg(field, typeName(value)));
    QString text = value.toString();
    if (text.startsWith(QLatin1String("data:"))) {
        const qsizetype comma = text.indexOf(QLatin1Char(','));
        if (comma < 0 || !text.left(comma).endsWith(QLatin1String(";base64")))
            return invalid(QStringLiteral("%1: a data: URL must be base64 (data:<type>;base64,...)").arg(field));
        text.remove(0, comma + 1);
    }
    // Four characters carry three bytes; line breaks (base64 without -w0) do not count.
    if (text.size() > (maxBytes + 2) / 3 * 4 + text.size() / 60 + 4)
        return Error(QStringLiteral("%1 is larger than the limit of %2 bytes").arg(field).arg(maxBytes), Error::Code::TooLarge);
    QByteArray encoded = text.toLatin1();
    encoded.removeIf(isWhitespace);
    const bool urlAlphabet = encoded.contains('-') || encoded.contains('_');
    auto decoded = QByteArray::fromBase64Encoding(
        encoded, (urlAlphabet ? QByteArray::Base64UrlEncoding : QByteArray::Base64Encoding) | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return invalid(QStringLiteral("%1 is not valid base64").arg(field));
    if (decoded.decoded.isEmpty())
        return invalid(QStringLiteral("%1 is empty").arg(field));
    if (decoded.decoded.size() > maxBytes)
        return Error(QStringLiteral("%1 is larger than the limit of %2 bytes").arg(field).arg(maxBytes), Error::Code::TooLarge);
    return std::move(decoded.decoded);
}

} // namespace lookalike::server
