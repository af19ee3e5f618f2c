#include "modeldownloadjob.h"

#include <QDir>
#include <QElapsedTimer>
#include <QHash>
#include <QtConcurrent/QtConcurrentRun>

namespace lookalike {

namespace {
constexpr qint64 kProgressIntervalMs = 100;
} // namespace

ModelDownloadJob::ModelDownloadJob(ModelDownloadParams params, QObject *parent)
    : QObject(parent)
    , m_params(std::move(params))
{
}

ModelDownloadJob::~ModelDownloadJob()
{
    // The worker posts to this object; it must be done before the object goes.
    cancel();
    m_future.waitForFinished();
}

void ModelDownloadJob::cancel()
{
    m_cancel = true;
}

void ModelDownloadJob::start()
{
    if (m_future.isRunning())
        return;
    m_cancel = false;
    // ModelDownloader runs its own QNetworkAccessManager and event loop in the calling thread:
    // here a pool thread. Everything reaches the GUI as queued calls on this object.
    m_future = QtConcurrent::run([this] {
        const ModelDownloadParams &p = m_params;
        DownloadOptions options;
        options.endpoint = p.endpoint;
        options.token = p.token;
        options.cancel = &m_cancel;
        QHash<QString, qint64> doneByFile;
        QElapsedTimer sinceLast;
        QString lastFile;
        options.progress = [&](const QString &file, qint64 done, qint64 total) {
            doneByFile.insert(file, done);
            const bool complete = total >= 0 && done >= total;
            if (file == lastFile && !complete && sinceLast.isValid() && sinceLast.elapsed() < kProgressIntervalMs)
                return;
            sinceLast.start();
            lastFile = file;
            ModelDownloadProgress progress;
            progress.file = file;
            progress.fileDone = done;
            progress.fileTotal = total;
            for (qint64 bytes : std::as_const(doneByFile))
                progress.overallDone += bytes;
            progress.filesStarted = int(doneByFile.size());
            progress.filesExpected = int(p.files.size());
            QMetaObject::invokeMethod(this, [this, progress] { Q_EMIT progressChanged(progress); }, Qt::QueuedConnection);
        };

        const Result<DownloadResult> downloaded = p.files.isEmpty()
            ? ModelDownloader::download(p.repoId, p.destination, p.name, options)
            : ModelDownloader::downloadFiles(p.files, p.destination, p.name, options);
        if (!downloaded) {
            const Error error = downloaded.error();
            // What the downloader keeps to resume from (see HttpFetcher::isResumable).
            const bool resumable = error.code == Error::Code::Cancelled || error.code == Error::Code::Io
                || error.code == Error::Code::Corrupt;
            QMetaObject::invokeMethod(this, [this, error, resumable] { Q_EMIT failed(error.message, error.code, resumable); },
                                      Qt::QueuedConnection);
            return;
        }
        const DownloadResult download = *downloaded;
        QMetaObject::invokeMethod(this, [this, folder = download.folder] { Q_EMIT validating(folder); }, Qt::QueuedConnection);
        // A Hugging Face folder stays as it is; a TorchScript .pt and its .json (from a list)
        // become <name>.pt + <name>.json in the models folder.
        const Result<QString> id = ModelCatalog::installDownloaded(download.folder);
        const Result<ModelInfo> model = id ? ModelCatalog::validate(*id) : Result<ModelInfo>(id.error());
        if (!model) {
            QMetaObject::invokeMethod(this, [this, folder = download.folder, message = model.errorMessage()] {
                Q_EMIT validationFailed(folder, message);
            }, Qt::QueuedConnection);
            return;
        }
        QMetaObject::invokeMethod(this, [this, info = *model, download] { Q_EMIT finished(info, download); },
                                  Qt::QueuedConnection);
    });
}

} // namespace lookalike
