#include "modeldownloader.h"

#include "httpfetcher.h"
#include "util/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>

#include <memory>

namespace lookalike {

namespace {

// What a model folder may hold besides the weights; each is fetched if the repository has it.
const char *const kOptionalFiles[] = {"preprocessor_config.json", "tokenizer_config.json", "special_tokens_map.json",
                                      "tokenizer.json", "vocab.json", "merges.txt", "spiece.model",
                                      "added_tokens.json"};

const QLatin1String kManifest(".manifest.json");
const QLatin1String kIncomplete(".incomplete"); // HttpFetcher's suffix for a file still arriving

// A name that stays inside the folder it is put in: no separators, no "..", not hidden, and not
// one the download itself uses for a file still arriving.
bool isPlainFileName(const QString &name)
{
    if (name.isEmpty() || name.startsWith(QLatin1Char('.')) || name.contains(QLatin1Char('/'))
        || name.contains(QLatin1Char('\\')) || name.contains(QLatin1String("..")) || name.endsWith(kIncomplete))
        return false;
    for (const QChar c : name) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return false;
    }
    return true;
}

bool isSha256Hex(const QString &text)
{
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-fA-F]{64}$"));
    return hex64.match(text).hasMatch();
}

// `source` with its file name filled in from the URL and its hash in lower case, or why not.
Result<FileSource> checkedSource(FileSource source)
{
    if (source.fileName.isEmpty())
        source.fileName = source.url.fileName();
    if (!isPlainFileName(source.fileName))
        return Error(QStringLiteral("\"%1\" (from %2) is not a plain file name")
                         .arg(source.fileName, source.url.toDisplayString()),
                     Error::Code::InvalidArgument);
    if (!source.sha256.isEmpty() && !isSha256Hex(source.sha256))
        return Error(QStringLiteral("\"%1\" is not a SHA-256 (64 hexadecimal digits)").arg(source.sha256),
                     Error::Code::InvalidArgument);
    source.sha256 = source.sha256.toLower();
    return source;
}

// One download into `destination`/<name>: a lock against a second download of the same name, the
// hidden ".<name>.part" folder with its manifest (the source, and each complete file's size and
// SHA-256), and the result so far.
class PartialDownload final
{
public:
    // `source` says what is downloaded; a .part folder that another source left is discarded.
    static Result<std::unique_ptr<PartialDownload>> start(const QString &destination, const QString &name,
                                                          const QJsonObject &source, HttpFetcher &fetcher,
                                                          const DownloadOptions &options)
    {
        if (!isPlainFileName(name))
            return Error(QStringLiteral("\"%1\" cannot be a model folder name").arg(name),
                         Error::Code::InvalidArgument);
        const QDir dest(destination);
        const QString finalDir = dest.filePath(name);
        if (QFileInfo::exists(finalDir))
            return Error(QStringLiteral("%1 already exists").arg(finalDir), Error::Code::InvalidArgument);
        if (!QDir().mkpath(destination))
            return Error(QStringLiteral("cannot create %1").arg(destination), Error::Code::Io);
        std::unique_ptr<PartialDownload> download(new PartialDownload(dest, name, source, fetcher, options));
        if (!download->m_lock.tryLock(0))
            return Error(QStringLiteral("another download into %1 is running").arg(finalDir), Error::Code::Busy);
        if (auto opened = download->open(); !opened)
            return opened.error();
        return download;
    }

    // Fetches `file` unless an earlier call completed it. false: the server has no such file.
    // A failure that a later call can resume from keeps the part folder; any other discards it.
    Result<bool> get(const QUrl &url, const QString &file, const QString &sha256 = {})
    {
        const QString path = m_part.filePath(file);
        const QJsonObject done = m_complete.value(file).toObject();
        const QFileInfo info(path);
        if (!done.isEmpty() && info.isFile() && info.size() == done.value(QStringLiteral("size")).toInteger(-1)
            && (sha256.isEmpty() || done.value(QStringLiteral("sha256")).toString() == sha256)) {
            note(file, info.size(), done.value(QStringLiteral("verified")).toBool());
            if (m_options.progress)
                m_options.progress(file, info.size(), info.size());
            return true;
        }
        auto got = m_fetcher.fetch(url, path, file, sha256);
        if (!got) {
            if (got.error().code == Error::Code::NotFound)
                return false;
            if (HttpFetcher::isResumable(got.error()))
                qCInfo(lcEmbed) << "download stopped; kept" << m_part.path() << "to resume:" << got.errorMessage();
            else
                m_part.removeRecursively();
            return got.error();
        }
        m_complete.insert(file, QJsonObject{{QStringLiteral("size"), got->size},
                                            {QStringLiteral("sha256"), got->sha256},
                                            {QStringLiteral("verified"), got->verified}});
        if (auto saved = saveManifest(); !saved)
            return saved.error();
        note(file, got->size, got->verified);
        m_result.received += got->received;
        return true;
    }

    QString filePath(const QString &file) const { return m_part.filePath(file); }

    // For failures that asking again cannot fix.
    Error discard(Error error)
    {
        m_part.removeRecursively();
        return error;
    }

    Result<DownloadResult> finish()
    {
        if (!QDir().rename(m_part.path(), m_finalDir))
            return Error(QStringLiteral("cannot move %1 to %2").arg(m_part.path(), m_finalDir), Error::Code::Io);
        QDir folder(m_finalDir);
        folder.remove(kManifest);
        // Left by a file that an earlier attempt began and the source no longer has.
        for (const QString &leftover : folder.entryList({QLatin1Char('*') + kIncomplete}, QDir::Files | QDir::Hidden))
            folder.remove(leftover);
        m_result.folder = m_finalDir;
        return m_result;
    }

private:
    PartialDownload(const QDir &destination, const QString &name, const QJsonObject &source, HttpFetcher &fetcher,
                    const DownloadOptions &options)
        : m_part(destination.filePath(QLatin1Char('.') + name + QStringLiteral(".part")))
        , m_finalDir(destination.filePath(name))
        , m_source(source)
        , m_lock(destination.filePath(QLatin1Char('.') + name + QStringLiteral(".lock")))
        , m_fetcher(fetcher)
        , m_options(options)
    {
    }

    // Keeps what an earlier call for the same source left, else starts afresh. The manifest is
    // written before the first byte, so that even a first file cut short can be continued.
    Result<void> open()
    {
        QFile file(m_part.filePath(kManifest));
        QJsonObject manifest;
        if (file.open(QIODevice::ReadOnly))
            manifest = QJsonDocument::fromJson(file.read(16 << 20)).object();
        if (!manifest.isEmpty() && manifest.value(QStringLiteral("source")).toObject() == m_source) {
            m_complete = manifest.value(QStringLiteral("files")).toObject();
            qCInfo(lcEmbed) << "resuming the download in" << m_part.path() << "with" << m_complete.size()
                            << "files complete";
        } else if (m_part.exists()) {
            m_part.removeRecursively();
        }
        if (!QDir().mkpath(m_part.path()))
            return Error(QStringLiteral("cannot create %1").arg(m_part.path()), Error::Code::Io);
        return saveManifest();
    }

    Result<void> saveManifest()
    {
        QSaveFile file(m_part.filePath(kManifest));
        const QJsonObject manifest{{QStringLiteral("source"), m_source}, {QStringLiteral("files"), m_complete}};
        if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(manifest).toJson()) < 0 || !file.commit())
            return Error(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()),
                         Error::Code::Io);
        return {};
    }

    void note(const QString &file, qint64 size, bool verified)
    {
        m_result.files << file;
        m_result.bytes += size;
        if (verified)
            m_result.verified << file;
    }

    QDir m_part;
    QString m_finalDir;
    QJsonObject m_source;
    QJsonObject m_complete; // file name → {size, sha256, verified}
    QLockFile m_lock;
    HttpFetcher &m_fetcher;
    const DownloadOptions &m_options;
    DownloadResult m_result;
};

} // namespace

bool ModelDownloader::isValidRepoId(const QString &repoId)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$"));
    return pattern.match(repoId).hasMatch() && !repoId.contains(QLatin1String(".."));
}

Result<DownloadResult> ModelDownloader::download(const QString &repoId, const QString &destination,
                                                 const QString &name, const DownloadOptions &given)
{
    if (!isValidRepoId(repoId))
        return Error(QStringLiteral("\"%1\" is not a model repository name (expected organisation/name)").arg(repoId),
                     Error::Code::InvalidArgument);
    DownloadOptions options = given;
    if (options.endpoint.isEmpty())
        options.endpoint = qEnvironmentVariable("HF_ENDPOINT", QStringLiteral("https://huggingface.co"));
    if (options.token.isEmpty())
        options.token = qEnvironmentVariable("HF_TOKEN");
    const QUrl endpoint(options.endpoint);
    if (!HttpFetcher::isAllowedUrl(endpoint))
        return Error(QStringLiteral("endpoint %1: only https, or http to this machine").arg(options.endpoint),
                     Error::Code::InvalidArgument);

    QUrl repoUrl = endpoint;
    repoUrl.setPath(endpoint.path().chopped(endpoint.path().endsWith(QLatin1Char('/')) ? 1 : 0) + QLatin1Char('/') + repoId
                    + QLatin1Char('/'));
    HttpFetcher fetcher(options, options.token, repoUrl);
    const QJsonObject source{{QStringLiteral("repo"), repoId},
                             {QStringLiteral("revision"), options.revision},
                             {QStringLiteral("endpoint"), endpoint.toString()}};
    auto started = PartialDownload::start(destination, name.isEmpty() ? repoId.section(QLatin1Char('/'), 1) : name,
                                          source, fetcher, options);
    if (!started)
        return started.error();
    PartialDownload &job = **started;
    auto get = [&](const QString &file) {
        const QUrl url(QStringLiteral("resolve/") + options.revision + QLatin1Char('/') + file);
        return job.get(repoUrl.resolved(url), file);
    };

    auto config = get(QStringLiteral("config.json"));
    if (!config)
        return config.error();
    if (!*config)
        return job.discard(
            Error(QStringLiteral("%1 has no config.json: not a model repository").arg(repoId), Error::Code::NotFound));
    auto single = get(QStringLiteral("model.safetensors"));
    if (!single)
        return single.error();
    if (!*single) {
        auto index = get(QStringLiteral("model.safetensors.index.json"));
        if (!index)
            return index.error();
        if (!*index)
            return job.discard(
                Error(QStringLiteral("%1 has no safetensors weights (model.safetensors or an index)").arg(repoId),
                      Error::Code::NotFound));
        QFile f(job.filePath(QStringLiteral("model.safetensors.index.json")));
        if (!f.open(QIODevice::ReadOnly))
            return Error(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()), Error::Code::Io);
        const QJsonObject map = QJsonDocument::fromJson(f.read(16 << 20)).object().value(QStringLiteral("weight_map")).toObject();
        QSet<QString> shards;
        for (auto it = map.begin(); it != map.end(); ++it)
            shards.insert(it.value().toString());
        if (shards.isEmpty())
            return job.discard(Error(QStringLiteral("%1: model.safetensors.index.json lists no shards").arg(repoId),
                                     Error::Code::NotFound));
        for (const QString &shard : std::as_const(shards)) {
            if (!isPlainFileName(shard))
                return job.discard(Error(QStringLiteral("%1: refusing shard name \"%2\"").arg(repoId, shard),
                                         Error::Code::Unsupported));
            auto got = get(shard);
            if (!got)
                return got.error();
            if (!*got)
                return job.discard(
                    Error(QStringLiteral("%1: shard %2 is missing").arg(repoId, shard), Error::Code::NotFound));
        }
    }
    for (const char *optional : kOptionalFiles) {
        auto got = get(QString::fromLatin1(optional));
        if (!got)
            return got.error();
    }
    auto done = job.finish();
    if (done)
        qCInfo(lcEmbed) << "downloaded" << repoId << "into" << done->folder << done->bytes << "bytes," << done->received
                        << "received";
    return done;
}

Result<DownloadResult> ModelDownloader::downloadFiles(const QList<FileSource> &files, const QString &destination,
                                                      const QString &name, const DownloadOptions &options)
{
    if (files.isEmpty())
        return Error(QStringLiteral("no files to download"), Error::Code::InvalidArgument);
    if (name.isEmpty())
        return Error(QStringLiteral("a download by URL list needs a folder name"), Error::Code::InvalidArgument);
    // Everything is checked before the first request, so a bad entry late in the list costs nothing.
    QList<FileSource> checked;
    QSet<QString> names;
    QJsonArray described;
    for (const FileSource &given : files) {
        auto file = checkedSource(given);
        if (!file)
            return file.error();
        if (!HttpFetcher::isAllowedUrl(file->url))
            return Error(
                QStringLiteral("refusing %1 (only https, or http to this machine)").arg(file->url.toDisplayString()),
                Error::Code::Unsupported);
        if (names.contains(file->fileName))
            return Error(QStringLiteral("%1 is listed twice").arg(file->fileName), Error::Code::InvalidArgument);
        names.insert(file->fileName);
        described.append(QJsonObject{{QStringLiteral("url"), file->url.toString()},
                                     {QStringLiteral("name"), file->fileName},
                                     {QStringLiteral("sha256"), file->sha256}});
        checked << *file;
    }

    // No token: the URLs may point anywhere, and a token belongs to the hub.
    HttpFetcher fetcher(options);
    auto started = PartialDownload::start(destination, name, QJsonObject{{QStringLiteral("files"), described}}, fetcher,
                                          options);
    if (!started)
        return started.error();
    PartialDownload &job = **started;
    for (const FileSource &file : std::as_const(checked)) {
        auto got = job.get(file.url, file.fileName, file.sha256);
        if (!got)
            return got.error();
        if (!*got)
            return job.discard(
                Error(QStringLiteral("%1: not found at %2").arg(file.fileName, file.url.toDisplayString()),
                      Error::Code::NotFound));
    }
    auto done = job.finish();
    if (done)
        qCInfo(lcEmbed) << "downloaded" << checked.size() << "files into" << done->folder << done->bytes << "bytes,"
                        << done->received << "received";
    return done;
}

Result<QList<FileSource>> ModelDownloader::parseFileList(const QString &text)
{
    static const QRegularExpression comment(QStringLiteral("(^|\\s)#.*$"));
    static const QRegularExpression blanks(QStringLiteral("\\s+"));
    QList<FileSource> files;
    QSet<QString> names;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = QString(lines[i]).remove(comment).trimmed();
        if (line.isEmpty())
            continue;
        auto refuse = [&](const QString &why) {
            return Error(QStringLiteral("line %1: %2").arg(i + 1).arg(why), Error::Code::InvalidArgument);
        };
        const QStringList fields = line.split(blanks);
        if (fields.size() > 2)
            return refuse(QStringLiteral("expected a URL, optionally followed by its SHA-256"));
        FileSource source;
        source.url = QUrl(fields[0], QUrl::StrictMode);
        if (!source.url.isValid() || source.url.scheme().isEmpty())
            return refuse(QStringLiteral("\"%1\" is not a URL").arg(fields[0]));
        if (fields.size() == 2)
            source.sha256 = fields[1];
        auto file = checkedSource(source);
        if (!file)
            return refuse(file.errorMessage());
        if (names.contains(file->fileName))
            return refuse(QStringLiteral("%1 is listed twice").arg(file->fileName));
        names.insert(file->fileName);
        files << *file;
    }
    if (files.isEmpty())
        return Error(QStringLiteral("the list names no files"), Error::Code::InvalidArgument);
    return files;
}

} // namespace lookalike
