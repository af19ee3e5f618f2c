#include "newcollectiondialog.h"

#include "modellistmodel.h"
#include "ui_newcollectiondialog.h"

#include <QPushButton>

namespace lookalike {

NewCollectionDialog::NewCollectionDialog(const QString &suggestedName, const QList<ModelInfo> &models,
                                         const QString &defaultModel, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::NewCollectionDialog>())
    , m_models(models)
{
    m_ui->setupUi(this);
    m_ui->nameEdit->setText(suggestedName);
    m_ui->nameEdit->selectAll();
    for (const ModelInfo &m : models)
        m_ui->modelCombo->addItem(ModelListModel::summary(m), m.id);
    if (!selectModel(defaultModel))
        m_ui->modelCombo->setCurrentIndex(0);
    connect(m_ui->modelCombo, &QComboBox::currentIndexChanged, this, &NewCollectionDialog::updateInfo);
    connect(m_ui->nameEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(!text.trimmed().isEmpty());
    });
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(!suggestedName.trimmed().isEmpty());
    updateInfo();
}

NewCollectionDialog::~NewCollectionDialog() = default;

bool NewCollectionDialog::selectModel(const QString &modelId)
{
    const int index = m_ui->modelCombo->findData(modelId);
    if (index < 0)
        return false;
    m_ui->modelCombo->setCurrentIndex(index);
    return true;
}

NewCollectionChoice NewCollectionDialog::choice() const
{
    return {m_ui->nameEdit->text().trimmed(), m_ui->modelCombo->currentData().toString()};
}

void NewCollectionDialog::updateInfo()
{
    const int index = m_ui->modelCombo->currentIndex();
    if (index < 0 || index >= m_models.size()) {
        m_ui->modelInfoLabel->clear();
        return;
    }
    const ModelInfo &m = m_models.at(index);
    m_ui->modelInfoLabel->setText(m.hasTextTower
                                      ? tr("Finds images by example images and by describing them in words.")
                                      : tr("Finds images by example images, and by words in their reports."));
}

} // namespace lookalike
