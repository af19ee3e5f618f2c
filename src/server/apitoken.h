#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace lookalike::server {

// The bearer token of the REST API. Made on the first start from 32 bytes of the system's
// random generator (base64url, 43 characters) and kept in a file only its owner can read
// (mode 0600 from the moment it exists: written to a mkstemp() file, then linked into place,
// so that two servers starting at once agree on one token and a crash leaves no half token).
class ApiToken final
{
public:
    struct Loaded;

    // $XDG_CONFIG_HOME/lookalike/api-token (~/.config/lookalike/api-token).
    static QString defaultPath();
    // Reads the token in `path`, or creates it (and its folder, mode 0700) when there is none.
    // Errors: Io (cannot create or read it), Corrupt (the file holds no usable token: fewer
    // than 16 characters, or characters that cannot travel in a header).
    static Result<Loaded> loadOrCreate(const QString &path);
    static ApiToken fromValue(QByteArray value) { return ApiToken(std::move(value)); }

    QByteArray value() const { return m_value; }
    // Whether `presented` is the token, in time that does not depend on where they differ (both
    // are hashed first, so neither does it reveal the token's length).
    bool matches(QByteArrayView presented) const;

private:
    explicit ApiToken(QByteArray value) : m_value(std::move(value)) {}
    QByteArray m_value;
};

struct ApiToken::Loaded
{
    ApiToken token;
    bool created = false;        // made by this call: the one time it should be shown
    bool othersCanRead = false;  // an existing file readable by group or others (warn about it)
};

} // namespace lookalike::server
