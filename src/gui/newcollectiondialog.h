#pragma once

#include "models/modelcatalog.h"

#include <QDialog>

#include <memory>

namespace Ui {
class NewCollectionDialog;
}

namespace lookalike {

// What the user chose for a new collection.
struct NewCollectionChoice
{
    QString name;
    QString modelId;
};

// Asks for a new collection's name and the model it embeds its images with, among the
// installed ones (name, family, dimensions). OK is enabled while the name is not blank.
class NewCollectionDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewCollectionDialog)

public:
    // `defaultModel` is preselected when installed, else the first (built-in) model.
    NewCollectionDialog(const QString &suggestedName, const QList<ModelInfo> &models, const QString &defaultModel,
                        QWidget *parent = nullptr);
    ~NewCollectionDialog() override;

    NewCollectionChoice choice() const;
    // Selects the model with this id; false when it is not offered.
    bool selectModel(const QString &modelId);

private:
    void updateInfo();

    std::unique_ptr<Ui::NewCollectionDialog> m_ui;
    QList<ModelInfo> m_models;
};

} // namespace lookalike
