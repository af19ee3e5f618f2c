#include "searchoptions.h"

#include "searchjson.h"

namespace lookalike::cli {

namespace {

Result<std::vector<qint64>> parseIds(const QStringList &values, const QString &option)
{
    std::vector<qint64> ids;
    for (const QString &v : values) {
        for (const QString &part : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const qint64 id = part.trimmed().toLongLong(&ok);
            if (!ok || id <= 0)
                return Error(QStringLiteral("--%1 wants item ids, not \"%2\"").arg(option, part), Error::Code::InvalidArgument);
            ids.push_back(id);
        }
    }
    return ids;
}

} // namespace

SearchOptions::SearchOptions(Command &command) : m_command(command)
{
    for (const QCommandLineOption *o : {&m_image, &m_item, &m_negative, &m_negativeImage, &m_text, &m_alpha, &m_k,
                                        &m_offset, &m_threshold, &m_where, &m_space, &m_includeQuery})
        command.parser.addOption(*o);
}

bool SearchOptions::isEmpty() const
{
    const QCommandLineParser &p = m_command.parser;
    return !p.isSet(m_image) && !p.isSet(m_item) && !p.isSet(m_text);
}

Result<SearchQuery> SearchOptions::query() const
{
    const QCommandLineParser &p = m_command.parser;
    SearchQuery q;
    q.imageFiles = p.values(m_image);
    q.negativeImageFiles = p.values(m_negativeImage);
    auto items = parseIds(p.values(m_item), m_item.names().first());
    if (!items)
        return items.error();
    q.itemIds = *items;
    auto negatives = parseIds(p.values(m_negative), m_negative.names().first());
    if (!negatives)
        return negatives.error();
    q.negativeIds = *negatives;
    q.text = p.value(m_text);
    bool ok = false;
    q.alpha = p.value(m_alpha).toDouble(&ok);
    if (!ok || q.alpha < 0 || q.alpha > 1)
        return Error(QStringLiteral("--alpha wants a number between 0 and 1"), Error::Code::InvalidArgument);
    q.k = p.value(m_k).toInt(&ok);
    if (!ok || q.k <= 0 || q.k > 100000)
        return Error(QStringLiteral("-k wants a number between 1 and 100000"), Error::Code::InvalidArgument);
    q.offset = p.value(m_offset).toInt(&ok);
    if (!ok || q.offset < 0)
        return Error(QStringLiteral("--offset wants a number of at least 0"), Error::Code::InvalidArgument);
    if (p.isSet(m_threshold)) {
        const double t = p.value(m_threshold).toDouble(&ok);
        if (!ok)
            return Error(QStringLiteral("--threshold wants a number"), Error::Code::InvalidArgument);
        q.threshold = t;
    }
    for (const QString &w : p.values(m_where)) {
        const qsizetype eq = w.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return Error(QStringLiteral("--where wants key=value, not \"%1\"").arg(w), Error::Code::InvalidArgument);
        q.filters.push_back({w.left(eq).trimmed(), w.mid(eq + 1).trimmed()});
    }
    q.space = p.value(m_space);
    q.includeQueryItems = p.isSet(m_includeQuery);
    return q;
}

QJsonObject SearchOptions::hitToJson(const SearchHit &hit, int rank)
{
    return server::SearchJson::hit(hit, rank);
}

} // namespace lookalike::cli
