#pragma once

#include "models/modelcatalog.h"

#include <QDialog>
#include <QStringList>

#include <memory>

namespace Ui {
class SettingsDialog;
}

namespace lookalike {

class AppSettings;

// Application preferences. OK writes them to `settings` (and syncs) only when they are valid:
// a library folder that cannot be created or written keeps the dialog open with the reason.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    // `models`: the model ids to offer (installed and built in); the field also takes any id.
    SettingsDialog(AppSettings &settings, const QStringList &models, QWidget *parent = nullptr);
    // The same, offering ModelCatalog::installed() with their family and dimensions as tooltips.
    SettingsDialog(AppSettings &settings, const QList<ModelInfo> &models, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // Why the current library folder is unusable, or an empty string when it is fine. Creates
    // the folder when it does not exist yet.
    static QString checkLibraryFolder(const QString &folder);

public Q_SLOTS:
    void accept() override;

private:
    void browseLibraryFolder();
    void showError(const QString &message);
    QString libraryFolderPath() const;

    AppSettings &m_settings;
    std::unique_ptr<Ui::SettingsDialog> m_ui;
};

} // namespace lookalike
