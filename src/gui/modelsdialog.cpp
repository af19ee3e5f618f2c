#include "modelsdialog.h"

#include "appsettings.h"
#include "modeldownloaddialog.h"
#include "modellistmodel.h"
#include "models/modelregistry.h"
#include "models/torchmodule.h"
#include "models/torchruntime.h"
#include "ui_modelsdialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QtConcurrent/QtConcurrentRun>

namespace lookalike {

ModelsDialog::ModelsDialog(AppSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_ui(std::make_unique<Ui::ModelsDialog>())
    , m_model(new ModelListModel(this))
{
    m_ui->setupUi(this);
    prompts.directory = [this](const QString &title, const QString &start) {
        return QFileDialog::getExistingDirectory(this, title, start);
    };
    prompts.file = [this](const QString &title, const QString &start, const QString &filter) {
        return QFileDialog::getOpenFileName(this, title, start, filter);
    };
    prompts.confirm = [this](const QString &title, const QString &text) {
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    prompts.error = [this](const QString &title, const QString &text) {
        QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
        box.setTextInteractionFlags(Qt::TextSelectableByMouse); // the message can be copied
        box.exec();
    };

    m_ui->folderLabel->setText(tr("Models folder: %1").arg(QDir::toNativeSeparators(ModelRegistry::modelsDir())));
    m_ui->modelsView->setModel(m_model);
    m_ui->modelsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_ui->modelsView->horizontalHeader()->setStretchLastSection(true);
    connect(m_ui->modelsView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ModelsDialog::updateButtons);
    connect(m_ui->modelsView, &QAbstractItemView::doubleClicked, this, &ModelsDialog::setSelectedAsDefault);
    connect(m_ui->addFolderButton, &QPushButton::clicked, this, [this] {
        const QString dir = prompts.directory(tr("Choose a model folder"), QDir::homePath());
        if (!dir.isEmpty())
            addModel(dir);
    });
    connect(m_ui->addFileButton, &QPushButton::clicked, this, [this] {
        const QString file = prompts.file(tr("Choose a TorchScript image encoder"), QDir::homePath(),
                                          tr("TorchScript modules (*.pt);;All files (*)"));
        if (!file.isEmpty())
            addModel(file);
    });
    connect(m_ui->downloadButton, &QPushButton::clicked, this, [this] { showDownloadDialog(); });
    connect(m_ui->removeButton, &QPushButton::clicked, this, &ModelsDialog::removeSelected);
    connect(m_ui->defaultButton, &QPushButton::clicked, this, &ModelsDialog::setSelectedAsDefault);
    refresh();
    selectModel(m_settings.defaultModel());
    resolveDevice();
}

void ModelsDialog::resolveDevice()
{
    const QString asked = TorchRuntime::settings().device;
    if (asked != QLatin1String("auto") || TorchModule::isLoaded()) {
        m_model->setDevice(TorchRuntime::resolvedDevice());
        return;
    }
    // Whether CUDA is there is libtorch's to say, and loading libtorch takes about a second:
    // asked off the GUI thread, the column says "automatic" until the answer comes.
    m_model->setDevice({});
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_model->setDevice(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([] { return TorchRuntime::resolvedDevice(); }));
}

ModelsDialog::~ModelsDialog() = default;

void ModelsDialog::refresh()
{
    const QString selected = selectedModelId();
    // Reads config.json files and sizes only; no model is loaded.
    m_model->setModels(ModelCatalog::installed());
    m_model->setDefaultModel(m_settings.defaultModel());
    selectModel(selected);
    updateButtons();
}

void ModelsDialog::selectModel(const QString &modelId)
{
    const int row = m_model->rowOf(modelId);
    if (row < 0) {
        m_ui->modelsView->clearSelection();
        return;
    }
    m_ui->modelsView->selectRow(row);
}

QString ModelsDialog::selectedModelId() const
{
    const QModelIndexList rows = m_ui->modelsView->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(ModelListModel::IdRole).toString();
}

void ModelsDialog::updateButtons()
{
    const ModelInfo *selected = m_model->modelAt(m_model->rowOf(selectedModelId()));
    for (QPushButton *b : {m_ui->addFolderButton, m_ui->addFileButton})
        b->setEnabled(!m_busy);
    m_ui->removeButton->setEnabled(!m_busy && selected && !selected->builtIn);
    m_ui->defaultButton->setEnabled(selected && selected->id != m_settings.defaultModel());
}

void ModelsDialog::setBusy(bool busy, const QString &text)
{
    m_busy = busy;
    m_ui->busyBar->setVisible(busy);
    m_ui->statusLabel->setText(text);
    updateButtons();
}

void ModelsDialog::addModel(const QString &source)
{
    if (m_busy)
        return;
    const QString name = QFileInfo(source).fileName();
    setBusy(true, tr("Loading %1 to check it, then copying it into the models folder…").arg(name));
    auto *watcher = new QFutureWatcher<Result<ModelInfo>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, source] {
        watcher->deleteLater();
        const Result<ModelInfo> added = watcher->result();
        if (!added) {
            setBusy(false);
            prompts.error(tr("Cannot add the model"),
                          tr("%1 cannot be added: %2").arg(QDir::toNativeSeparators(source), added.errorMessage()));
            Q_EMIT addFinished(false, added.errorMessage());
            return;
        }
        setBusy(false, tr("Added %1.").arg(added->name));
        refresh();
        selectModel(added->id);
        Q_EMIT modelsChanged();
        Q_EMIT addFinished(true, QString());
    });
    // Loading proves the model works; a SigLIP folder takes seconds and gigabytes, and the copy
    // as long again: neither may run on the GUI thread. The task holds no pointer to the dialog.
    watcher->setFuture(QtConcurrent::run([source] { return ModelCatalog::add(source); }));
}

ModelDownloadDialog *ModelsDialog::showDownloadDialog()
{
    if (!m_download) {
        m_download = new ModelDownloadDialog(ModelRegistry::modelsDir(), this);
        connect(m_download, &ModelDownloadDialog::modelInstalled, this, [this](const ModelInfo &model) {
            refresh();
            selectModel(model.id);
            Q_EMIT modelsChanged();
        });
    }
    m_download->show();
    m_download->raise();
    m_download->activateWindow();
    return m_download;
}

void ModelsDialog::removeSelected()
{
    const ModelInfo *selected = m_model->modelAt(m_model->rowOf(selectedModelId()));
    if (!selected || selected->builtIn || m_busy)
        return;
    const ModelInfo model = *selected;
    if (!prompts.confirm(tr("Remove model"),
                         tr("Delete the model %1 (%2) from the models folder? Collections made with it can still be "
                            "browsed and searched by words, but adding images and searching by example images need "
                            "it installed again.")
                             .arg(model.name, QLocale().formattedDataSize(model.bytes))))
        return;
    if (auto removed = ModelCatalog::remove(model.name); !removed) {
        prompts.error(tr("Cannot remove the model"), removed.errorMessage());
        return;
    }
    m_ui->statusLabel->setText(tr("Removed %1.").arg(model.name));
    refresh();
    Q_EMIT modelsChanged();
}

void ModelsDialog::setSelectedAsDefault()
{
    const QString id = selectedModelId();
    if (id.isEmpty())
        return;
    m_settings.setDefaultModel(id);
    m_settings.sync();
    m_model->setDefaultModel(id);
    updateButtons();
    Q_EMIT modelsChanged();
}

} // namespace lookalike
