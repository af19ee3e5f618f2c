#include "settingsdialog.h"

#include "appsettings.h"
#include "modellistmodel.h"
#include "ui_settingsdialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QPushButton>
#include <QTemporaryFile>

namespace lookalike {

namespace {

// The device combo's rows, in the order of the .ui file.
const QStringList kDevices = {QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")};

} // namespace

SettingsDialog::SettingsDialog(AppSettings &settings, const QStringList &models, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_ui(std::make_unique<Ui::SettingsDialog>())
{
    m_ui->setupUi(this);
    QPalette errorPalette = m_ui->errorLabel->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    m_ui->errorLabel->setPalette(errorPalette);

    m_ui->libraryFolderEdit->setText(QDir::toNativeSeparators(settings.libraryFolder()));

    QStringList offered = models;
    const QString current = settings.defaultModel();
    if (!offered.contains(current))
        offered.prepend(current);
    m_ui->modelCombo->addItems(offered);
    m_ui->modelCombo->setCurrentText(current);

    m_ui->deviceCombo->setCurrentIndex(std::max<qsizetype>(0, kDevices.indexOf(settings.device())));
    m_ui->threadsSpin->setValue(settings.threads());
    m_ui->thumbnailSideSpin->setRange(AppSettings::kMinThumbnailSide, AppSettings::kMaxThumbnailSide);
    m_ui->thumbnailSideSpin->setValue(settings.thumbnailSide());
    m_ui->cacheSpin->setValue(settings.thumbnailCacheMiB());

    connect(m_ui->browseButton, &QPushButton::clicked, this, &SettingsDialog::browseLibraryFolder);
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_ui->libraryFolderEdit, &QLineEdit::textEdited, this, [this] { m_ui->errorLabel->hide(); });
}

SettingsDialog::SettingsDialog(AppSettings &settings, const QList<ModelInfo> &models, QWidget *parent)
    : SettingsDialog(settings, [&models] {
          QStringList ids;
          for (const ModelInfo &m : models)
              ids << m.id;
          return ids;
      }(), parent)
{
    for (const ModelInfo &m : models) {
        const int row = m_ui->modelCombo->findText(m.id);
        if (row >= 0)
            m_ui->modelCombo->setItemData(row, ModelListModel::summary(m), Qt::ToolTipRole);
    }
}

SettingsDialog::~SettingsDialog() = default;

QString SettingsDialog::libraryFolderPath() const
{
    QString path = m_ui->libraryFolderEdit->text().trimmed();
    if (path == u'~' || path.startsWith(QStringLiteral("~/")))
        path = QDir::homePath() + path.mid(1);
    return QDir::cleanPath(QDir::fromNativeSeparators(path));
}

QString SettingsDialog::checkLibraryFolder(const QString &folder)
{
    if (folder.isEmpty() || folder == u'.')
        return tr("Enter the folder where new collections are created.");
    if (QDir::isRelativePath(folder))
        return tr("The library folder must be an absolute path, such as %1.")
            .arg(QDir::toNativeSeparators(QDir::homePath() + QStringLiteral("/Lookalike")));
    const QFileInfo info(folder);
    if (info.exists() && !info.isDir())
        return tr("“%1” is a file, not a folder.").arg(QDir::toNativeSeparators(folder));
    if (!QDir().mkpath(folder))
        return tr("The folder “%1” cannot be created. Choose a folder you can write to.")
            .arg(QDir::toNativeSeparators(folder));
    // isWritable() trusts permission bits; only writing proves it (read-only mounts, ACLs).
    QTemporaryFile probe(QDir(folder).filePath(QStringLiteral(".lookalike-write-test-XXXXXX")));
    if (!probe.open())
        return tr("The folder “%1” is not writable. Choose a folder you can write to.")
            .arg(QDir::toNativeSeparators(folder));
    return {};
}

void SettingsDialog::showError(const QString &message)
{
    m_ui->errorLabel->setText(message);
    m_ui->errorLabel->show();
    m_ui->libraryFolderEdit->setFocus();
    m_ui->libraryFolderEdit->selectAll();
}

void SettingsDialog::accept()
{
    const QString folder = libraryFolderPath();
    const QString problem = checkLibraryFolder(folder);
    if (!problem.isEmpty()) {
        showError(problem);
        return;
    }
    m_ui->errorLabel->hide();

    m_settings.setLibraryFolder(folder);
    const QString model = m_ui->modelCombo->currentText().trimmed();
    if (!model.isEmpty())
        m_settings.setDefaultModel(model);
    m_settings.setDevice(kDevices.value(m_ui->deviceCombo->currentIndex(), QStringLiteral("auto")));
    m_settings.setThreads(m_ui->threadsSpin->value());
    m_settings.setThumbnailSide(m_ui->thumbnailSideSpin->value());
    m_settings.setThumbnailCacheMiB(m_ui->cacheSpin->value());
    m_settings.sync();
    QDialog::accept();
}

void SettingsDialog::browseLibraryFolder()
{
    const QString start = libraryFolderPath();
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Library Folder"), start);
    if (chosen.isEmpty())
        return;
    m_ui->libraryFolderEdit->setText(QDir::toNativeSeparators(chosen));
    m_ui->errorLabel->hide();
}

} // namespace lookalike
