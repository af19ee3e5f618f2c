#include "modellistmodel.h"

#include <QDir>
#include <QFont>
#include <QLocale>

namespace lookalike {

ModelListModel::ModelListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ModelListModel::setModels(const QList<ModelInfo> &models)
{
    beginResetModel();
    m_models = models;
    endResetModel();
}

void ModelListModel::setDevice(const QString &device)
{
    if (device == m_device)
        return;
    m_device = device;
    if (!m_models.isEmpty())
        Q_EMIT dataChanged(index(0, DeviceColumn), index(int(m_models.size()) - 1, DeviceColumn), {Qt::DisplayRole});
}

void ModelListModel::setDefaultModel(const QString &modelId)
{
    if (modelId == m_defaultModel)
        return;
    const int before = rowOf(m_defaultModel);
    m_defaultModel = modelId;
    const int after = rowOf(m_defaultModel);
    for (int row : {before, after}) {
        if (row >= 0)
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1), {Qt::FontRole, Qt::ToolTipRole});
    }
}

int ModelListModel::rowOf(const QString &modelId) const
{
    for (int row = 0; row < m_models.size(); ++row) {
        if (m_models.at(row).id == modelId)
            return row;
    }
    return -1;
}

const ModelInfo *ModelListModel::modelAt(int row) const
{
    return row >= 0 && row < m_models.size() ? &m_models.at(row) : nullptr;
}

QString ModelListModel::familyName(const QString &family)
{
    if (family == QLatin1String("clip"))
        return QStringLiteral("CLIP");
    if (family == QLatin1String("siglip"))
        return QStringLiteral("SigLIP");
    if (family == QLatin1String("torchscript"))
        return QStringLiteral("TorchScript");
    if (family == QLatin1String("classic"))
        return tr("Classic");
    return family;
}

QString ModelListModel::summary(const ModelInfo &model)
{
    const QString name = model.builtIn ? tr("Classic (built in)") : model.name;
    if (model.dimension <= 0)
        return tr("%1 — %2").arg(name, familyName(model.family));
    return tr("%1 — %2, %n dimension(s)", nullptr, model.dimension).arg(name, familyName(model.family));
}

int ModelListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_models.size());
}

int ModelListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModelListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ModelInfo &m = m_models.at(index.row());
    const bool isDefault = m.id == m_defaultModel;
    switch (role) {
    case IdRole:
        return m.id;
    case Qt::FontRole:
        if (isDefault) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ToolTipRole: {
        QString tip = m.builtIn ? tr("Built into Lookalike") : QDir::toNativeSeparators(m.path);
        tip += u'\n' + tr("Model id: %1").arg(m.id);
        if (isDefault)
            tip += u'\n' + tr("The default model for new collections");
        return tip;
    }
    case Qt::TextAlignmentRole:
        if (index.column() == DimensionColumn || index.column() == SizeColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    const QLocale locale;
    switch (index.column()) {
    case NameColumn:
        return m.builtIn ? tr("Classic (built in)") : m.name;
    case FamilyColumn:
        return familyName(m.family);
    case DimensionColumn:
        // A TorchScript module states its dimension only when its sidecar does; loading tells.
        return m.dimension > 0 ? locale.toString(m.dimension) : tr("unknown");
    case SizeColumn:
        return m.builtIn ? tr("built in") : locale.formattedDataSize(m.bytes);
    case DeviceColumn:
        // The built-in embedder is plain C++ on the CPU; the others run where libtorch does.
        if (m.builtIn)
            return QStringLiteral("CPU");
        return m_device.isEmpty() ? tr("automatic") : m_device.toUpper();
    case TextTowerColumn:
        return m.hasTextTower ? tr("yes") : tr("no");
    default:
        return {};
    }
}

QVariant ModelListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case FamilyColumn: return tr("Family");
    case DimensionColumn: return tr("Dimensions");
    case SizeColumn: return tr("Size");
    case DeviceColumn: return tr("Device");
    case TextTowerColumn: return tr("Text search");
    default: return {};
    }
}

} // namespace lookalike
