#include "addrequest.h"

#include "jsonfields.h"
#include "net/urlfetcher.h"
#include "util/weburl.h"

#include <QJsonArray>
#include <QUrl>

namespace lookalike::server {

namespace {

constexpr qsizetype kMaxUrlLength = 8192;
constexpr qsizetype kMaxFilenameLength = 1024;

Error invalid(const QString &message)
{
    return Error(message, Error::Code::InvalidArgument);
}

Result<QString> readUrl(const QJsonValue &value, const QString &field)
{
    if (!value.isString())
        return invalid(QStringLiteral("%1 wants a URL string").arg(field));
    const QString text = value.toString().trimmed();
    if (text.size() > kMaxUrlLength)
        return invalid(QStringLiteral("%1 is longer than %2 characters").arg(field).arg(kMaxUrlLength));
    // Only web URLs: anything else would be taken for a path on the server's disk.
    if (!isWebUrl(text) || !UrlFetcher::isFetchable(QUrl(text, QUrl::StrictMode)))
        return invalid(QStringLiteral("%1 is not an http or https URL: \"%2\"").arg(field, text));
    return text;
}

Result<AddRequest::Upload> readUpload(const QJsonObject &object, const QString &prefix, const ApiLimits &limits)
{
    AddRequest::Upload upload;
    upload.field = prefix.isEmpty() ? QStringLiteral("image") : prefix;
    auto bytes = JsonFields::base64(object.value(u"image"_qs), prefix.isEmpty() ? u"image"_qs : prefix + u".image"_qs,
                                    limits.maxImageBytes);
    if (!bytes)
        return bytes.error();
    upload.bytes = std::move(*bytes);
    auto name = JsonFields::string(object, u"filename"_qs, kMaxFilenameLength);
    if (!name)
        return Error(prefix.isEmpty() ? name.errorMessage() : prefix + u"."_qs + name.errorMessage(), name.error().code);
    upload.filename = name->value_or(QString());
    return upload;
}

} // namespace

Result<AddRequest> AddRequest::parse(const QByteArray &body, const ApiLimits &limits)
{
    auto object = JsonFields::parseObject(body);
    if (!object)
        return object.error();
    const QJsonObject &o = *object;
    if (auto r = JsonFields::onlyKnown(o, {u"url"_qs, u"urls"_qs, u"image"_qs, u"filename"_qs, u"images"_qs}); !r)
        return r.error();

    AddRequest out;
    if (o.contains(u"url"_qs)) {
        auto url = readUrl(o.value(u"url"_qs), u"url"_qs);
        if (!url)
            return url.error();
        out.urls << *url;
    }
    auto urls = JsonFields::array(o, u"urls"_qs, limits.maxBatch, QStringLiteral("an array of URL strings"));
    if (!urls)
        return urls.error();
    for (qsizetype i = 0; i < urls->size(); ++i) {
        auto url = readUrl(urls->at(i), QStringLiteral("urls[%1]").arg(i));
        if (!url)
            return url.error();
        out.urls << *url;
    }
    if (o.contains(u"image"_qs)) {
        auto upload = readUpload(o, QString(), limits);
        if (!upload)
            return upload.error();
        out.uploads << std::move(*upload);
    } else if (o.contains(u"filename"_qs)) {
        return invalid(QStringLiteral("filename goes with image"));
    }
    auto images = JsonFields::array(o, u"images"_qs, limits.maxBatch,
                                    QStringLiteral("an array of {\"image\": <base64>, \"filename\": ...} objects"));
    if (!images)
        return images.error();
    for (qsizetype i = 0; i < images->size(); ++i) {
        const QString field = QStringLiteral("images[%1]").arg(i);
        if (!images->at(i).isObject())
            return invalid(QStringLiteral("%1 wants an object {\"image\": <base64>, \"filename\": ...}").arg(field));
        const QJsonObject entry = images->at(i).toObject();
        if (auto r = JsonFields::onlyKnown(entry, {u"image"_qs, u"filename"_qs}); !r)
            return invalid(field + u": "_qs + r.errorMessage());
        auto upload = readUpload(entry, field, limits);
        if (!upload)
            return upload.error();
        out.uploads << std::move(*upload);
    }
    if (out.count() == 0)
        return invalid(QStringLiteral("give url, urls, image or images"));
    if (out.count() > limits.maxBatch)
        return invalid(QStringLiteral("%1 images in one request; at most %2 are allowed").arg(out.count()).arg(limits.maxBatch));
    return out;
}

} // namespace lookalike::server
