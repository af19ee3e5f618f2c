#include "regularfile.h"

#include <QString>

#include <cerrno>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lookalike::media {

namespace {

Error systemError(const char *what, int errnum)
{
    const auto code = (errnum == ENOENT || errnum == ENOTDIR) ? Error::Code::NotFound : Error::Code::Io;
    return makeError(code, QStringLiteral("%1: %2").arg(QLatin1StringView(what), qt_error_string(errnum)));
}

const char *specialFileKind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "a special file";
}

std::optional<Error> checkRegularFile(const struct stat &st, qint64 maxBytes)
{
    if (!S_ISREG(st.st_mode))
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("not an image file: it is %1").arg(QLatin1StringView(specialFileKind(st.st_mode))));
    if (st.st_size > maxBytes)
        return makeError(Error::Code::TooLarge,
                         QStringLiteral("file is %1 bytes, above the %2-byte limit").arg(st.st_size).arg(maxBytes));
    if (st.st_size == 0)
        return makeError(Error::Code::Corrupt, QStringLiteral("empty file"));
    return std::nullopt;
}

class FileDescriptor final
{
public:
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    ~FileDescriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

} // namespace

Result<QByteArray> readRegularFile(const QByteArray &nativePath, qint64 maxBytes)
{
    struct stat st {};
    if (::stat(nativePath.constData(), &st) != 0)
        return systemError("cannot access file", errno);
    if (auto error = checkRegularFile(st, maxBytes))
        return *error;

    // O_NONBLOCK: should the path have become a FIFO since stat(), open() must not wait
    // for a writer. It has no effect on reads from regular files.
    const FileDescriptor fd(::open(nativePath.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0)
        return systemError("cannot open file", errno);
    if (::fstat(fd.get(), &st) != 0)
        return systemError("cannot access file", errno);
    if (auto error = checkRegularFile(st, maxBytes))
        return *error;

    QByteArray bytes(qsizetype(st.st_size), Qt::Uninitialized);
    qsizetype filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = ::read(fd.get(), bytes.data() + filled, size_t(bytes.size() - filled));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return systemError("cannot read file", errno);
        if (n == 0)
            break; // the file shrank since fstat()
        filled += n;
    }
    if (filled == 0)
        return makeError(Error::Code::Corrupt, QStringLiteral("empty file"));
    bytes.truncate(filled);
    return bytes;
}

} // namespace lookalike::media
