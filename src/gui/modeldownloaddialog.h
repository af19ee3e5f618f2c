#pragma once

#include "modeldownloadjob.h"

#include <QDialog>

#include <memory>

namespace Ui {
class ModelDownloadDialog;
}

namespace lookalike {

// Downloads a model into the models folder: a Hugging Face repository (base URL, repository id,
// optional token) or a list of file URLs with optional SHA-256s, under a folder name. Shows a
// progress bar for the file arriving and the bytes overall; Cancel stops it, and starting the
// same download again resumes it. The model is then loaded once (in the background) before it
// counts as installed.
class ModelDownloadDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelDownloadDialog)

public:
    // `destination`: the models folder.
    explicit ModelDownloadDialog(const QString &destination, QWidget *parent = nullptr);
    ~ModelDownloadDialog() override;

    static QString defaultEndpoint() { return QStringLiteral("https://huggingface.co"); }

    void setRepository(const QString &endpoint, const QString &repoId, const QString &name = {});
    void setFileList(const QString &list, const QString &name);
    // Starts what the fields say; false (with the reason shown) when they do not make a download.
    bool start();
    void cancel();
    // Downloading or validating.
    bool isRunning() const { return m_job != nullptr; }
    QString statusText() const;

public Q_SLOTS:
    // Closing cancels a running download (what arrived is kept for a later resume).
    void reject() override;

Q_SIGNALS:
    void progressChanged(const lookalike::ModelDownloadProgress &progress);
    void modelInstalled(const lookalike::ModelInfo &model);
    // `resumable`: the same download started again continues where this one stopped.
    void downloadFailed(const QString &message, bool resumable);

private:
    void setRunning(bool running);
    void showProgress(const ModelDownloadProgress &progress);
    void onFinished(const ModelInfo &model, const DownloadResult &download);
    void onFailed(const QString &message, Error::Code code, bool resumable);
    void showStatus(const QString &text, bool error);

    QString m_destination;
    std::unique_ptr<Ui::ModelDownloadDialog> m_ui;
    ModelDownloadJob *m_job = nullptr;
};

} // namespace lookalike
