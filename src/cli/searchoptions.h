#pragma once

#include "cli.h"
#include "search/query.h"

namespace lookalike::cli {

// The query options shared by `search` and `export`.
class SearchOptions final
{
public:
    explicit SearchOptions(Command &command);
    // Builds the query; false with a message when an option's value is malformed.
    Result<SearchQuery> query() const;
    bool isEmpty() const;

    // server::SearchJson::hit(), the shape the REST API shares.
    static QJsonObject hitToJson(const SearchHit &hit, int rank);

private:
    Command &m_command;
    QCommandLineOption m_image{QStringLiteral("image"), QStringLiteral("Example image file (repeatable)."), QStringLiteral("file")};
    QCommandLineOption m_item{QStringLiteral("item"), QStringLiteral("Example item id (repeatable)."), QStringLiteral("id")};
    QCommandLineOption m_negative{QStringLiteral("negative"), QStringLiteral("Item id the results should not resemble (repeatable)."), QStringLiteral("id")};
    QCommandLineOption m_negativeImage{QStringLiteral("negative-image"), QStringLiteral("Image file the results should not resemble (repeatable)."), QStringLiteral("file")};
    QCommandLineOption m_text{QStringLiteral("text"), QStringLiteral("Text to match against reports."), QStringLiteral("text")};
    QCommandLineOption m_alpha{QStringLiteral("alpha"), QStringLiteral("Weight of the image score when image and text are given (0..1, default 0.5)."), QStringLiteral("a"), QStringLiteral("0.5")};
    QCommandLineOption m_k{{QStringLiteral("k"), QStringLiteral("limit")}, QStringLiteral("Number of results (default 10)."), QStringLiteral("k"), QStringLiteral("10")};
    QCommandLineOption m_offset{QStringLiteral("offset"), QStringLiteral("Skip this many results (paging)."), QStringLiteral("n"), QStringLiteral("0")};
    QCommandLineOption m_threshold{QStringLiteral("threshold"), QStringLiteral("Minimum final score."), QStringLiteral("t")};
    QCommandLineOption m_where{QStringLiteral("where"), QStringLiteral("Metadata filter key=value (repeatable; all must hold)."), QStringLiteral("key=value")};
    QCommandLineOption m_space{QStringLiteral("space"), QStringLiteral("Embedding space to search (default: the collection's image space)."), QStringLiteral("name")};
    QCommandLineOption m_includeQuery{QStringLiteral("include-query"), QStringLiteral("Keep example items in their own results.")};
};

} // namespace lookalike::cli
