#pragma once

#include "models/modelcatalog.h"

#include <QDialog>
#include <QPointer>

#include <functional>
#include <memory>

namespace Ui {
class ModelsDialog;
}

namespace lookalike {

class AppSettings;
class ModelDownloadDialog;
class ModelListModel;

// The models this user has (ModelCatalog::installed()): the built-in one and those in the
// models folder, with their family, dimensions, size, device and whether they search by text.
// Adds a model folder or a TorchScript file (loaded once in the background to check it, then
// copied), downloads one, removes one, and sets the default model for new collections.
class ModelsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelsDialog)

public:
    explicit ModelsDialog(AppSettings &settings, QWidget *parent = nullptr);
    ~ModelsDialog() override;

    // Where the dialog asks the user something; tests replace these to answer without modal
    // dialogs. An empty string means the user cancelled.
    struct Prompts
    {
        std::function<QString(const QString &title, const QString &startDir)> directory;
        std::function<QString(const QString &title, const QString &startDir, const QString &filter)> file;
        std::function<bool(const QString &title, const QString &text)> confirm;
        std::function<void(const QString &title, const QString &text)> error;
    };
    Prompts prompts;

    ModelListModel *model() const { return m_model; }
    // Reads the models folder again, keeping the selection.
    void refresh();
    void selectModel(const QString &modelId);
    QString selectedModelId() const;

    // Checks and copies `source` (a model folder or a .pt file) on a worker thread.
    void addModel(const QString &source);
    // Adding a model.
    bool isBusy() const { return m_busy; }
    // Opens the download dialog (created once, not modal for the rest of the application).
    ModelDownloadDialog *showDownloadDialog();
    void removeSelected();
    void setSelectedAsDefault();

Q_SIGNALS:
    // A model was added, downloaded or removed, or the default changed.
    void modelsChanged();
    void addFinished(bool ok, const QString &message);

private:
    void updateButtons();
    void resolveDevice();
    void setBusy(bool busy, const QString &text = {});

    AppSettings &m_settings;
    std::unique_ptr<Ui::ModelsDialog> m_ui;
    ModelListModel *m_model;
    QPointer<ModelDownloadDialog> m_download;
    bool m_busy = false;
};

} // namespace lookalike
