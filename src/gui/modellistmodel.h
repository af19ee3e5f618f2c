#pragma once

#include "models/modelcatalog.h"

#include <QAbstractTableModel>
#include <QList>

namespace lookalike {

// The installed models as a table for the Models dialog: one row per ModelCatalog entry,
// the built-in first. The default model for new collections is shown in bold.
class ModelListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelListModel)

public:
    enum Column { NameColumn, FamilyColumn, DimensionColumn, SizeColumn, DeviceColumn, TextTowerColumn, ColumnCount };
    enum Role { IdRole = Qt::UserRole + 1 };

    explicit ModelListModel(QObject *parent = nullptr);

    void setModels(const QList<ModelInfo> &models);
    // Where models other than the built-in run: "cpu" or "cuda" (TorchRuntime::resolvedDevice());
    // empty while "auto" is not resolved yet.
    void setDevice(const QString &device);
    void setDefaultModel(const QString &modelId);
    const QList<ModelInfo> &models() const { return m_models; }
    // -1 when no row holds `modelId`.
    int rowOf(const QString &modelId) const;
    const ModelInfo *modelAt(int row) const;

    // "CLIP", "SigLIP", "TorchScript", "Classic": the family as users write it.
    static QString familyName(const QString &family);
    // "clip-tiny — CLIP, 48 dimensions", for lists that offer a model.
    static QString summary(const ModelInfo &model);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ModelInfo> m_models;
    QString m_device;
    QString m_defaultModel;
};

} // namespace lookalike
