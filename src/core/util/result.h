#pragma once

#include <QString>

#include <cstring>
#include <utility>
#include <variant>

namespace lookalike {

// A system call's error number in words (strerror in the locale's encoding), for messages.
inline QString errnoText(int err) { return QString::fromLocal8Bit(std::strerror(err)); }

// What went wrong, in words a user can act on. `code` lets callers branch without
// parsing text; `detail` carries low-level context (an SQLite or FAISS message).
struct Error
{
    enum class Code {
        Generic,
        NotFound,
        InvalidArgument,
        Io,
        Corrupt,
        Unsupported,
        TooLarge,
        Busy,
        Cancelled,
    };

    Code code = Code::Generic;
    QString message;

    Error() = default;
    explicit Error(QString msg, Code c = Code::Generic) : code(c), message(std::move(msg)) {}
};

// A value or an Error: the error-as-value contract of every core API boundary.
// (std::expected is C++23; g++ 12 with C++20 does not have it.)
template <typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_v); }
    const T &value() const & { return std::get<0>(m_v); }
    T &&value() && { return std::get<0>(std::move(m_v)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_v); }
    QString errorMessage() const { return ok() ? QString() : error().message; }

private:
    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const { return m_error; }
    QString errorMessage() const { return m_ok ? QString() : m_error.message; }

private:
    Error m_error;
    bool m_ok = true;
};

inline Error makeError(Error::Code code, QString message)
{
    return Error(std::move(message), code);
}

} // namespace lookalike
