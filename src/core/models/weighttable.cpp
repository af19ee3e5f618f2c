#include "weighttable.h"

#include "models/safetensors.h"
#include "util/logging.h"

#include <QFileInfo>
#include <QSet>

namespace lookalike {

void WeightTable::add(const QString &name, std::vector<int64_t> shape, const QString &why)
{
    m_entries.push_back({name, std::move(shape), why, false});
}

void WeightTable::addScalar(const QString &name)
{
    m_entries.push_back({name, {}, QString(), true});
}

QStringList WeightTable::names() const
{
    QStringList out;
    out.reserve(int(m_entries.size()));
    for (const Entry &e : m_entries)
        out.append(e.name);
    return out;
}

QString WeightTable::shapeText(const std::vector<int64_t> &shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts.append(QString::number(d));
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

Result<void> WeightTable::check(const SafetensorsModel &weights) const
{
    QStringList missing;
    QSet<QString> known;
    for (const Entry &e : m_entries) {
        known.insert(e.name);
        const auto found = weights.find(e.name);
        if (!found || !found->info) {
            missing.append(e.name);
            continue;
        }
        const TensorInfo &info = *found->info;
        const QString file = found->file ? QFileInfo(found->file->path()).fileName() : QStringLiteral("weights");
        if (info.dtype != TensorDType::F32 && info.dtype != TensorDType::F16 && info.dtype != TensorDType::BF16) {
            return Error(QStringLiteral("%1: %2 has dtype %3; %4 weights must be F32, F16 or BF16")
                             .arg(file, e.name, TensorInfo::dtypeName(info.dtype), m_family),
                         Error::Code::Corrupt);
        }
        if (e.scalar) {
            const bool scalarShape = info.shape.empty() || (info.shape.size() == 1 && info.shape[0] == 1);
            if (!scalarShape) {
                return Error(QStringLiteral("%1: %2 has shape %3; %4 needs a scalar ([] or [1])")
                                 .arg(file, e.name, shapeText(info.shape), m_family),
                             Error::Code::Corrupt);
            }
            continue;
        }
        if (info.shape != e.shape) {
            const QString who = e.why.isEmpty() ? m_family : m_family + QStringLiteral(" with ") + e.why;
            return Error(QStringLiteral("%1: %2 has shape %3; %4 needs %5")
                             .arg(file, e.name, shapeText(info.shape), who, shapeText(e.shape)),
                         Error::Code::Corrupt);
        }
    }
    if (!missing.isEmpty()) {
        const int shown = std::min<int>(int(missing.size()), 5);
        QString list = missing.mid(0, shown).join(QStringLiteral(", "));
        if (missing.size() > shown)
            list += QStringLiteral(" and %1 more").arg(missing.size() - shown);
        return Error(QStringLiteral("the weights lack %1 tensor(s) that %2 needs: %3")
                         .arg(missing.size())
                         .arg(m_family, list),
                     Error::Code::Corrupt);
    }

    QStringList unexpected;
    for (const QString &name : weights.names()) {
        // Buffers HF saves with some checkpoints; they are derived, not learned.
        if (!known.contains(name) && !name.endsWith(QLatin1String("position_ids")))
            unexpected.append(name);
    }
    if (!unexpected.isEmpty()) {
        qCInfo(lcEmbed).noquote() << m_family << "checkpoint: ignoring" << unexpected.size()
                                  << "tensor(s) the model does not use, e.g." << unexpected.first();
    }
    return {};
}

} // namespace lookalike
