#include "searchjson.h"

namespace lookalike::server {

QJsonObject SearchJson::hit(const SearchHit &hit, int rank, int reportLength)
{
    return {
        {QStringLiteral("rank"), rank},
        {QStringLiteral("id"), hit.id},
        {QStringLiteral("uri"), hit.item.uri},
        {QStringLiteral("filename"), hit.item.filename},
        {QStringLiteral("score"), double(hit.score)},
        {QStringLiteral("image_score"), double(hit.imageScore)},
        {QStringLiteral("text_score"), double(hit.textScore)},
        {QStringLiteral("word_score"), double(hit.wordScore)},
        {QStringLiteral("text_image_score"), hit.textImageScore ? QJsonValue(double(*hit.textImageScore)) : QJsonValue()},
        {QStringLiteral("text_report_score"), hit.textReportScore ? QJsonValue(double(*hit.textReportScore)) : QJsonValue()},
        {QStringLiteral("report"), reportLength < 0 ? hit.report : snippet(hit.report, reportLength)},
    };
}

QString SearchJson::snippet(const QString &text, int length)
{
    const QString s = text.simplified();
    return s.size() > length ? s.left(std::max(0, length - 1)) + QChar(0x2026) : s;
}

} // namespace lookalike::server
