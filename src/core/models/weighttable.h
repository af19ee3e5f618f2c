#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace lookalike {

class SafetensorsModel;

// The tensors an architecture needs, each with the shape its config implies and the reason
// for that shape. check() compares a checkpoint against it before any weight is read, so a
// mismatched or foreign checkpoint fails with an error naming the tensor instead of a libtorch
// shape error (or a crash) in the middle of a forward pass.
class WeightTable final
{
public:
    // `family` names the architecture in messages ("CLIP", "SigLIP").
    explicit WeightTable(QString family) : m_family(std::move(family)) {}

    // `why` completes "<family> with <why> needs [..]", e.g. "patch_size 8".
    void add(const QString &name, std::vector<int64_t> shape, const QString &why = {});
    // A scalar parameter, stored as [] (CLIP's logit_scale) or [1] (SigLIP's).
    void addScalar(const QString &name);

    // Every tensor present, with a floating-point dtype (F32, F16, BF16) and the expected shape.
    // Tensors the table does not name are logged and ignored (position_ids buffers, heads of
    // other tasks); an error lists the missing ones.
    Result<void> check(const SafetensorsModel &weights) const;

    QStringList names() const;

    static QString shapeText(const std::vector<int64_t> &shape);

private:
    struct Entry
    {
        QString name;
        std::vector<int64_t> shape;
        QString why;
        bool scalar = false;
    };
    QString m_family;
    std::vector<Entry> m_entries;
};

} // namespace lookalike
