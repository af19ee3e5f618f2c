#include "modeldownloaddialog.h"

#include "modellistmodel.h"
#include "ui_modeldownloaddialog.h"

#include <QDir>
#include <QLocale>
#include <QPushButton>

namespace lookalike {

ModelDownloadDialog::ModelDownloadDialog(const QString &destination, QWidget *parent)
    : QDialog(parent)
    , m_destination(destination)
    , m_ui(std::make_unique<Ui::ModelDownloadDialog>())
{
    m_ui->setupUi(this);
    m_ui->endpointEdit->setText(defaultEndpoint());
    m_ui->nameEdit->setPlaceholderText(tr("Default: the repository's name"));
    m_ui->urlListEdit->setPlaceholderText(tr("https://example.org/my-model/config.json\n"
                                             "https://example.org/my-model/model.safetensors  <SHA-256>"));
    m_ui->fileLabel->setText(tr("Not started"));
    connect(m_ui->sourceTabs, &QTabWidget::currentChanged, this, [this](int tab) {
        // A list has no repository to take the name from.
        m_ui->nameEdit->setPlaceholderText(tab == 0 ? tr("Default: the repository's name") : tr("Required"));
    });
    connect(m_ui->downloadButton, &QPushButton::clicked, this, &ModelDownloadDialog::start);
    connect(m_ui->cancelButton, &QPushButton::clicked, this, &ModelDownloadDialog::cancel);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &ModelDownloadDialog::reject);
}

// The job's destructor cancels and waits for its thread.
ModelDownloadDialog::~ModelDownloadDialog() = default;

void ModelDownloadDialog::setRepository(const QString &endpoint, const QString &repoId, const QString &name)
{
    m_ui->sourceTabs->setCurrentIndex(0);
    m_ui->endpointEdit->setText(endpoint);
    m_ui->repoEdit->setText(repoId);
    m_ui->nameEdit->setText(name);
}

void ModelDownloadDialog::setFileList(const QString &list, const QString &name)
{
    m_ui->sourceTabs->setCurrentIndex(1);
    m_ui->urlListEdit->setPlainText(list);
    m_ui->nameEdit->setText(name);
}

QString ModelDownloadDialog::statusText() const
{
    return m_ui->statusLabel->text();
}

void ModelDownloadDialog::showStatus(const QString &text, bool error)
{
    QPalette palette = m_ui->statusLabel->palette();
    palette.setColor(QPalette::WindowText, error ? QColor(0xc0, 0x1c, 0x28) : this->palette().color(QPalette::WindowText));
    m_ui->statusLabel->setPalette(palette);
    m_ui->statusLabel->setText(text);
}

bool ModelDownloadDialog::start()
{
    if (m_job)
        return false;
    ModelDownloadParams params;
    params.destination = m_destination;
    params.name = m_ui->nameEdit->text().trimmed();
    if (m_ui->sourceTabs->currentIndex() == 0) {
        params.endpoint = m_ui->endpointEdit->text().trimmed();
        params.repoId = m_ui->repoEdit->text().trimmed();
        params.token = m_ui->tokenEdit->text().trimmed();
        if (!ModelDownloader::isValidRepoId(params.repoId)) {
            showStatus(tr("Enter the repository as organisation/name, for example google/siglip-base-patch16-224."), true);
            m_ui->repoEdit->setFocus();
            return false;
        }
    } else {
        auto files = ModelDownloader::parseFileList(m_ui->urlListEdit->toPlainText());
        if (!files) {
            showStatus(tr("The list cannot be used: %1").arg(files.errorMessage()), true);
            m_ui->urlListEdit->setFocus();
            return false;
        }
        if (params.name.isEmpty()) {
            showStatus(tr("Enter a folder name for the files of the list."), true);
            m_ui->nameEdit->setFocus();
            return false;
        }
        params.files = *files;
    }

    m_job = new ModelDownloadJob(std::move(params), this);
    connect(m_job, &ModelDownloadJob::progressChanged, this, &ModelDownloadDialog::showProgress);
    connect(m_job, &ModelDownloadJob::validating, this, [this] {
        m_ui->fileLabel->setText(tr("Checking that the model loads…"));
        m_ui->fileProgress->setRange(0, 0); // busy: a load tells no progress
        m_ui->cancelButton->setEnabled(false); // a load cannot be interrupted
    });
    connect(m_job, &ModelDownloadJob::finished, this, &ModelDownloadDialog::onFinished);
    connect(m_job, &ModelDownloadJob::failed, this, &ModelDownloadDialog::onFailed);
    connect(m_job, &ModelDownloadJob::validationFailed, this, [this](const QString &folder, const QString &message) {
        onFailed(tr("the files arrived in %1, but they do not load as a model: %2").arg(QDir::toNativeSeparators(folder), message),
                 Error::Code::Corrupt, false);
    });
    setRunning(true);
    m_ui->fileLabel->setText(tr("Connecting…"));
    m_ui->fileProgress->setRange(0, 1000);
    m_ui->fileProgress->setValue(0);
    m_ui->overallLabel->clear();
    showStatus(QString(), false);
    m_job->start();
    return true;
}

void ModelDownloadDialog::cancel()
{
    if (!m_job)
        return;
    m_job->cancel();
    m_ui->cancelButton->setEnabled(false);
    showStatus(tr("Cancelling…"), false);
}

void ModelDownloadDialog::reject()
{
    cancel();
    QDialog::reject();
}

void ModelDownloadDialog::setRunning(bool running)
{
    for (QWidget *w : std::initializer_list<QWidget *>{m_ui->sourceTabs, m_ui->nameEdit, m_ui->downloadButton})
        w->setEnabled(!running);
    m_ui->cancelButton->setEnabled(running);
}

void ModelDownloadDialog::showProgress(const ModelDownloadProgress &p)
{
    const QLocale locale;
    if (p.fileTotal > 0) {
        m_ui->fileLabel->setText(tr("%1: %2 of %3")
                                     .arg(p.file, locale.formattedDataSize(p.fileDone), locale.formattedDataSize(p.fileTotal)));
        // Per mille: an int range cannot hold the bytes of a 3.5 GB file.
        m_ui->fileProgress->setRange(0, 1000);
        m_ui->fileProgress->setValue(int(std::min<qint64>(1000, p.fileDone * 1000 / p.fileTotal)));
    } else {
        m_ui->fileLabel->setText(tr("%1: %2").arg(p.file, locale.formattedDataSize(p.fileDone)));
        m_ui->fileProgress->setRange(0, 0);
    }
    if (p.filesExpected > 0)
        m_ui->overallLabel->setText(tr("File %1 of %2, %3 in all").arg(p.filesStarted).arg(p.filesExpected).arg(locale.formattedDataSize(p.overallDone)));
    else
        m_ui->overallLabel->setText(tr("%n file(s), %1 in all", nullptr, p.filesStarted).arg(locale.formattedDataSize(p.overallDone)));
    Q_EMIT progressChanged(p);
}

void ModelDownloadDialog::onFinished(const ModelInfo &model, const DownloadResult &download)
{
    m_job->deleteLater();
    m_job = nullptr;
    setRunning(false);
    m_ui->fileProgress->setRange(0, 1000);
    m_ui->fileProgress->setValue(1000);
    m_ui->fileLabel->setText(tr("Done"));
    const QLocale locale;
    QString text = tr("Installed %1 (%2, %n dimension(s), %3).", nullptr, model.dimension)
                       .arg(model.name, ModelListModel::familyName(model.family), locale.formattedDataSize(download.bytes));
    if (!download.verified.isEmpty())
        text += u' ' + tr("%n file(s) matched their SHA-256.", nullptr, int(download.verified.size()));
    if (download.received < download.bytes)
        text += u' ' + tr("Resumed: %1 of it had arrived before.").arg(locale.formattedDataSize(download.bytes - download.received));
    showStatus(text, false);
    Q_EMIT modelInstalled(model);
}

void ModelDownloadDialog::onFailed(const QString &message, Error::Code code, bool resumable)
{
    m_job->deleteLater();
    m_job = nullptr;
    setRunning(false);
    m_ui->fileProgress->setRange(0, 1000);
    if (code == Error::Code::Cancelled) {
        m_ui->fileLabel->setText(tr("Cancelled"));
        showStatus(tr("Cancelled. What arrived is kept: start the same download again to resume it."), false);
    } else {
        m_ui->fileLabel->setText(tr("Failed"));
        QString text = tr("The download failed: %1").arg(message);
        if (resumable)
            text += u' ' + tr("Start it again to resume.");
        showStatus(text, true);
    }
    Q_EMIT downloadFailed(message, resumable);
}

} // namespace lookalike
