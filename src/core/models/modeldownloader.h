#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>
#include <QUrl>

#include <atomic>
#include <functional>

namespace lookalike {

struct DownloadOptions
{
    // The hub. Defaults to $HF_ENDPOINT, else https://huggingface.co (as Hugging Face's own
    // tools do), so a mirror or a local test server can stand in.
    QString endpoint;
    QString revision = QStringLiteral("main");
    // Sent only to the repository's own URLs on the hub (gated models such as MedSigLIP need
    // one); defaults to $HF_TOKEN. Never sent to the storage hosts the hub redirects to, nor by
    // downloadFiles.
    QString token;
    int connectTimeoutMs = 15000;
    int stallTimeoutMs = 60000;      // no byte received for this long: give up on the file
    qint64 maxFileBytes = 64LL << 30; // a refusal, not a guess: so400m is ~3.5 GB
    int maxRedirects = 5;
    const std::atomic<bool> *cancel = nullptr;
    // (file, bytes so far, total or -1); for a resumed file both count the part already on disk.
    std::function<void(const QString &, qint64, qint64)> progress;
};

struct DownloadResult
{
    QString folder;       // the model folder, complete
    QStringList files;    // what it holds, in the order fetched (including files an earlier call completed)
    QStringList verified; // those whose SHA-256 was known (given, or stated by the server) and matched
    qint64 bytes = 0;     // size of `files`
    qint64 received = 0;  // transferred by this call: less than `bytes` after a resume
};

// One file of a download by URL list.
struct FileSource
{
    QUrl url;
    QString fileName; // empty: the URL's last path segment
    QString sha256;   // hex, optional; checked when given
};

// Fetches a model's files into `destination`/<name>. Nothing is written there until every required
// file arrived: files go to a hidden ".<name>.part" folder first, which is renamed at the end (an
// interrupted download leaves no half model behind). A download that fails on the network or is
// cancelled keeps that folder, with a manifest of the files already complete: the same call again
// fetches only what is missing and continues a partly received file with a Range request. A .part
// left by another source is discarded; errors that asking again cannot fix (refusals, a repository
// that is no model) discard it too. A file whose SHA-256 is known and does not match is deleted
// and reported; the .part is kept for the other files. So an error coded Cancelled, Io or Corrupt
// leaves something to resume, and any other does not.
// Only https (or http to a loopback host, for tests and local mirrors) is used; redirects stay on
// http(s). This is the only code in Lookalike that downloads models, and it runs only when the
// user asks (`lookalike-cli models download`, or the GUI's Add model).
class ModelDownloader final
{
public:
    // A Hugging Face repository: config, weights (single or sharded safetensors), preprocessor and
    // tokenizer files. `name` defaults to the repository's name. Weights are verified against the
    // SHA-256 the hub states for LFS files (X-Linked-Etag).
    static Result<DownloadResult> download(const QString &repoId, const QString &destination, const QString &name,
                                           const DownloadOptions &options = {});
    // Exactly the files listed, into `destination`/`name`, whatever they are (the caller decides
    // whether it is a model folder). The token is never sent: a list may point anywhere.
    static Result<DownloadResult> downloadFiles(const QList<FileSource> &files, const QString &destination,
                                                const QString &name, const DownloadOptions &options = {});
    // A text list: one URL a line, optionally followed by whitespace and the file's SHA-256 in hex;
    // '#' starts a comment; blank lines are skipped. Refuses names that are not plain file names,
    // duplicate names and malformed hashes, naming the line. URL schemes are checked when
    // downloading.
    static Result<QList<FileSource>> parseFileList(const QString &text);
    // "org/name" with the characters the hub allows; no "..", no leading "/".
    static bool isValidRepoId(const QString &repoId);
};

} // namespace lookalike
