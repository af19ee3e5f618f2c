#include "filediscovery.h"

#include "media/imagedecoder.h"
#include "util/logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

namespace lookalike {

namespace {

bool hasImageExtension(const QByteArray &name)
{
    static const char *const kExtensions[] = {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".dib", ".tif",
                                              ".tiff", ".webp", ".gif", ".svg"};
    const int dot = name.lastIndexOf('.');
    if (dot < 0)
        return false;
    const QByteArray ext = name.mid(dot).toLower();
    for (const char *e : kExtensions) {
        if (ext == e)
            return true;
    }
    return false;
}

bool looksLikeImage(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    char head[512];
    const ssize_t n = ::read(fd, head, sizeof head);
    ::close(fd);
    return n > 0 && !ImageDecoder::sniffFormat(QByteArrayView(head, n)).isEmpty();
}

QString describeType(mode_t mode)
{
    if (S_ISFIFO(mode))
        return QStringLiteral("a FIFO (named pipe)");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return QStringLiteral("a device");
    return QStringLiteral("not a regular file");
}

class Walker
{
public:
    Walker(DiscoveryResult &out, const std::atomic<bool> *cancel) : m_out(out), m_cancel(cancel) {}

    void addInput(const QString &input)
    {
        const QString abs = QFileInfo(input).absoluteFilePath();
        const QByteArray native = QFile::encodeName(abs);
        struct stat st{};
        if (::stat(native.constData(), &st) != 0) {
            error(abs, QStringLiteral("discover"), errnoText(errno));
            return;
        }
        if (S_ISDIR(st.st_mode)) {
            m_out.folders << (abs.endsWith(QLatin1Char('/')) ? abs : abs + QLatin1Char('/'));
            walk(native, st);
        } else {
            consider(native, abs, st, true);
        }
    }

private:
    void walk(const QByteArray &dirPath, const struct stat &dirStat)
    {
        if (m_cancel && m_cancel->load(std::memory_order_relaxed))
            return;
        if (!m_visited.insert({dirStat.st_dev, dirStat.st_ino}).second)
            return; // a symlink loop or a folder reached twice
        DIR *dir = ::opendir(dirPath.constData());
        if (!dir) {
            error(QFile::decodeName(dirPath), QStringLiteral("discover"),
                  QStringLiteral("cannot read folder: %1").arg(errnoText(errno)));
            return;
        }
        std::vector<QByteArray> names;
        while (dirent *e = ::readdir(dir)) {
            if (e->d_name[0] == '.')
                continue; // hidden, and . / ..
            names.emplace_back(e->d_name);
        }
        ::closedir(dir);
        std::sort(names.begin(), names.end()); // deterministic order, whatever the file system
        for (const QByteArray &name : names) {
            const QByteArray child = dirPath.endsWith('/') ? QByteArray(dirPath + name) : QByteArray(dirPath + '/' + name);
            struct stat st{};
            if (::stat(child.constData(), &st) != 0) {
                // Dangling symlinks and races end here.
                error(QFile::decodeName(child), QStringLiteral("discover"), errnoText(errno));
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                walk(child, st);
                continue;
            }
            const QString display = QFile::decodeName(child);
            if (S_ISREG(st.st_mode) && !hasImageExtension(name) && !looksLikeImage(child)) {
                ++m_out.skippedNonImages;
                continue;
            }
            consider(child, display, st, false);
        }
    }

    void consider(const QByteArray &native, const QString &display, const struct stat &st, bool explicitInput)
    {
        Q_UNUSED(explicitInput);
        // The uri is stored as UTF-8 text; a name that does not survive the round trip cannot
        // be opened again later, so it is reported rather than stored mangled.
        if (QFile::encodeName(display) != native) {
            error(display, QStringLiteral("discover"),
                  QStringLiteral("the file name is not valid UTF-8; rename the file to index it"));
            return;
        }
        if (!S_ISREG(st.st_mode)) {
            error(display, QStringLiteral("discover"), QStringLiteral("skipped: %1").arg(describeType(st.st_mode)));
            return;
        }
        const qint64 mtimeMs = qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
        m_out.files.push_back({display, qint64(st.st_size), mtimeMs, {}});
    }

    void error(const QString &uri, const QString &stage, const QString &message)
    {
        m_out.errors.push_back({uri, stage, message, QDateTime::currentMSecsSinceEpoch()});
    }

    DiscoveryResult &m_out;
    const std::atomic<bool> *m_cancel;
    std::set<std::pair<dev_t, ino_t>> m_visited;
};

} // namespace

DiscoveryResult FileDiscovery::discover(const QStringList &inputs, const std::atomic<bool> *cancel)
{
    DiscoveryResult out;
    Walker walker(out, cancel);
    for (const QString &input : inputs)
        walker.addInput(input);
    // The same file named twice (or reached through two inputs) is ingested once.
    QSet<QString> seen;
    std::erase_if(out.files, [&](const DiscoveredFile &f) {
        if (seen.contains(f.path))
            return true;
        seen.insert(f.path);
        return false;
    });
    qCDebug(lcIngest) << "discovered" << out.files.size() << "files," << out.errors.size() << "errors";
    return out;
}

} // namespace lookalike
