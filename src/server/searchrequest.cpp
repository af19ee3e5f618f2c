#include "searchrequest.h"

#include "jsonfields.h"

#include <QJsonArray>

namespace lookalike::server {

Result<SearchRequest> SearchRequest::parse(const QByteArray &body, const ApiLimits &limits)
{
    auto object = JsonFields::parseObject(body);
    if (!object)
        return object.error();
    const QJsonObject &o = *object;
    static const QStringList kFields = {u"text"_qs,      u"image"_qs, u"item_ids"_qs,  u"negative_ids"_qs, u"alpha"_qs,
                                        u"k"_qs,         u"limit"_qs, u"offset"_qs,    u"threshold"_qs,    u"filters"_qs,
                                        u"include_query"_qs, u"space"_qs};
    if (auto r = JsonFields::onlyKnown(o, kFields); !r)
        return r.error();

    SearchRequest out;
    SearchQuery &q = out.query;
    auto text = JsonFields::string(o, u"text"_qs, limits.maxTextLength);
    if (!text)
        return text.error();
    q.text = text->value_or(QString());
    if (o.contains(u"image"_qs) && !o.value(u"image"_qs).isNull()) {
        auto image = JsonFields::base64(o.value(u"image"_qs), u"image"_qs, limits.maxImageBytes);
        if (!image)
            return image.error();
        out.image = std::move(*image);
    }
    auto items = JsonFields::ids(o, u"item_ids"_qs, limits.maxBatch);
    if (!items)
        return items.error();
    q.itemIds = std::move(*items);
    auto negatives = JsonFields::ids(o, u"negative_ids"_qs, limits.maxBatch);
    if (!negatives)
        return negatives.error();
    q.negativeIds = std::move(*negatives);
    if (q.itemIds.empty() && out.image.isEmpty() && !q.hasTextPart())
        return Error(QStringLiteral("give text, image or item_ids (or several of them)"), Error::Code::InvalidArgument);

    auto alpha = JsonFields::number(o, u"alpha"_qs, 0, 1);
    if (!alpha)
        return alpha.error();
    q.alpha = alpha->value_or(q.alpha);
    auto k = JsonFields::integer(o, u"k"_qs, 1, limits.maxPage);
    if (!k)
        return k.error();
    auto limit = JsonFields::integer(o, u"limit"_qs, 1, limits.maxPage);
    if (!limit)
        return limit.error();
    if (*k && *limit && **k != **limit)
        return Error(QStringLiteral("k and limit are the same setting; give one (or equal values)"), Error::Code::InvalidArgument);
    q.k = int(k->value_or(limit->value_or(10)));
    auto offset = JsonFields::integer(o, u"offset"_qs, 0, limits.maxOffset);
    if (!offset)
        return offset.error();
    q.offset = int(offset->value_or(0));
    auto threshold = JsonFields::number(o, u"threshold"_qs, -1e9, 1e9);
    if (!threshold)
        return threshold.error();
    q.threshold = *threshold;

    const QJsonValue filters = o.value(u"filters"_qs);
    if (!filters.isUndefined() && !filters.isNull()) {
        if (!filters.isObject())
            return Error(QStringLiteral("filters wants an object of metadata key: value"), Error::Code::InvalidArgument);
        const QJsonObject f = filters.toObject();
        if (f.size() > limits.maxFilters)
            return Error(QStringLiteral("filters has %1 keys; at most %2 are allowed").arg(f.size()).arg(limits.maxFilters),
                         Error::Code::InvalidArgument);
        for (auto it = f.begin(); it != f.end(); ++it) {
            // Metadata values are text; a number in JSON means the same digits.
            QString value;
            if (it.value().isString())
                value = it.value().toString();
            else if (it.value().isDouble())
                value = QString::number(it.value().toDouble(), 'g', 17);
            else
                return Error(QStringLiteral("filters.%1 wants a string").arg(it.key()), Error::Code::InvalidArgument);
            q.filters.push_back({it.key(), value});
        }
    }
    auto include = JsonFields::boolean(o, u"include_query"_qs);
    if (!include)
        return include.error();
    q.includeQueryItems = include->value_or(false);
    auto space = JsonFields::string(o, u"space"_qs, 1000);
    if (!space)
        return space.error();
    q.space = space->value_or(QString());
    return out;
}

} // namespace lookalike::server
