#pragma once

#include <QStringView>

namespace lookalike {

// Whether a uri or an input is a web URL (http:// or https://, any case) as opposed to a path:
// an item's uri for one added by URL, an input to fetch.
inline bool isWebUrl(QStringView text)
{
    return text.startsWith(u"http://", Qt::CaseInsensitive) || text.startsWith(u"https://", Qt::CaseInsensitive);
}

} // namespace lookalike
