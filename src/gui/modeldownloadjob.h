#pragma once

#include "models/modelcatalog.h"
#include "models/modeldownloader.h"

#include <QFuture>
#include <QObject>

#include <atomic>

namespace lookalike {

// What to download: a Hugging Face repository, or a list of files.
struct ModelDownloadParams
{
    QString destination; // the models folder
    QString name;        // the model's folder name; empty = the repository's name
    // A repository…
    QString endpoint;    // empty: $HF_ENDPOINT, else https://huggingface.co
    QString repoId;
    QString token;       // empty: $HF_TOKEN
    // …or, when not empty, exactly these files (name required).
    QList<FileSource> files;
};

struct ModelDownloadProgress
{
    QString file;
    qint64 fileDone = 0;
    qint64 fileTotal = -1; // -1 until the server says
    qint64 overallDone = 0; // all files so far, including those an earlier attempt completed
    int filesStarted = 0;
    int filesExpected = 0; // known for a list only; 0 for a repository
};

// Downloads a model on a worker thread, then loads it once to prove it works (ModelCatalog::
// validate), like qBittorrent's TorrentCreator: a params struct, an atomic cancel flag, and
// progress/validating/finished/failed signals delivered on the thread that owns the job.
// A cancelled or interrupted download keeps what arrived: starting the same one again resumes.
class ModelDownloadJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelDownloadJob)

public:
    explicit ModelDownloadJob(ModelDownloadParams params, QObject *parent = nullptr);
    // Cancels and waits: a download stops within moments, but a model being validated cannot be
    // interrupted, so this may wait for that load to end.
    ~ModelDownloadJob() override;

    void start();
    // Thread-safe; the download stops soon after and fails with Error::Code::Cancelled.
    void cancel();
    bool isRunning() const { return m_future.isRunning(); }
    const ModelDownloadParams &params() const { return m_params; }

Q_SIGNALS:
    // At most every 100 ms, and when a file completes.
    void progressChanged(const lookalike::ModelDownloadProgress &progress);
    // Every file arrived; the model is now being loaded once.
    void validating(const QString &folder);
    void finished(const lookalike::ModelInfo &model, const lookalike::DownloadResult &download);
    // `resumable`: starting the same download again continues where this one stopped.
    void failed(const QString &message, lookalike::Error::Code code, bool resumable);
    // Every file arrived in `folder` (kept, so that a file can be fixed by hand), but loading failed.
    void validationFailed(const QString &folder, const QString &message);

private:
    ModelDownloadParams m_params;
    std::atomic<bool> m_cancel{false};
    QFuture<void> m_future;
};

} // namespace lookalike
