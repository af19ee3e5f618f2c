#include "apitoken.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lookalike::server {

namespace {

constexpr int kRandomBytes = 32;
constexpr int kMinLength = 16;
constexpr qint64 kMaxFileBytes = 4096;

QString systemError()
{
    return errnoText(errno);
}

QByteArray newTokenValue()
{
    std::array<quint32, kRandomBytes / 4> words;
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray raw(reinterpret_cast<const char *>(words.data()), kRandomBytes);
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

bool writeAll(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

// The folder the token lives in; one this creates is its owner's alone.
Result<void> makeFolder(const QString &dir)
{
    if (QFileInfo(dir).isDir())
        return {};
    const QString parent = QFileInfo(dir).absolutePath();
    if (!QDir().mkpath(parent))
        return Error(QStringLiteral("cannot create %1").arg(parent), Error::Code::Io);
    if (!QDir().mkdir(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner) && !QFileInfo(dir).isDir())
        return Error(QStringLiteral("cannot create %1").arg(dir), Error::Code::Io);
    return {};
}

// Writes a new token beside `path` and links it into place: link() never replaces a file, so
// of two servers starting at once one creates the token and the other reads it. False when
// a token file appeared meanwhile.
Result<bool> create(const QString &path, const QByteArray &value)
{
    const QString dir = QFileInfo(path).absolutePath();
    if (auto r = makeFolder(dir); !r)
        return r.error();
    QByteArray tmp = QFile::encodeName(QDir(dir).filePath(QStringLiteral(".api-token-XXXXXX")));
    const int fd = ::mkstemp(tmp.data()); // mode 0600
    if (fd < 0)
        return Error(QStringLiteral("cannot create a file in %1: %2").arg(dir, systemError()), Error::Code::Io);
    const bool written = writeAll(fd, value + '\n') && ::fsync(fd) == 0;
    const QString writeError = systemError();
    ::close(fd);
    if (!written) {
        ::unlink(tmp.constData());
        return Error(QStringLiteral("cannot write %1: %2").arg(path, writeError), Error::Code::Io);
    }
    const int linked = ::link(tmp.constData(), QFile::encodeName(path).constData());
    const int linkErrno = errno;
    ::unlink(tmp.constData());
    if (linked == 0)
        return true;
    if (linkErrno == EEXIST)
        return false;
    errno = linkErrno;
    return Error(QStringLiteral("cannot create %1: %2").arg(path, systemError()), Error::Code::Io);
}

bool usable(const QByteArray &value)
{
    if (value.size() < kMinLength)
        return false;
    for (char c : value) {
        if (c < 0x21 || c > 0x7e) // visible ASCII: what a header carries unchanged
            return false;
    }
    return true;
}

} // namespace

QString ApiToken::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("lookalike/api-token"));
}

Result<ApiToken::Loaded> ApiToken::loadOrCreate(const QString &path)
{
    if (!QFileInfo::exists(path)) {
        const QByteArray value = newTokenValue();
        auto made = create(path, value);
        if (!made)
            return made.error();
        if (*made)
            return Loaded{ApiToken(value), true, false};
    }
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return Error(QStringLiteral("cannot read %1: %2").arg(path, systemError()), Error::Code::Io);
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return Error(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()), Error::Code::Io);
    }
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxFileBytes)
        return Error(QStringLiteral("%1 is not a token file (a small regular file)").arg(path), Error::Code::Corrupt);
    const QByteArray value = file.readAll().trimmed();
    if (!usable(value))
        return Error(QStringLiteral("%1 holds no usable token (at least %2 visible ASCII characters); delete it to have "
                                    "a new one made")
                         .arg(path)
                         .arg(kMinLength),
                     Error::Code::Corrupt);
    return Loaded{ApiToken(value), false, (st.st_mode & (S_IRGRP | S_IROTH)) != 0};
}

bool ApiToken::matches(QByteArrayView presented) const
{
    const QByteArray a = QCryptographicHash::hash(m_value, QCryptographicHash::Sha256);
    const QByteArray b = QCryptographicHash::hash(presented, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0 && !m_value.isEmpty();
}

} // namespace lookalike::server
