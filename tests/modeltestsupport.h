#pragma once

// Helpers for the network parity tests (tst_clipmodel, tst_siglipmodel): reading reference
// tensors, comparing with a tolerance, and writing altered copies of a model folder.

#include "models/safetensors.h"
#include "models/visionlanguagemodel.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

namespace lookalike::test {

inline QString modelsDataDir()
{
    return testDataDir() + QStringLiteral("/models");
}

inline std::shared_ptr<SafetensorsFile> openTensors(const QString &path)
{
    auto f = SafetensorsFile::open(path);
    if (!f)
        qFatal("%s", qPrintable(f.errorMessage()));
    return *f;
}

inline HostTensor hostTensor(const SafetensorsFile &file, const QString &name)
{
    const TensorInfo *info = file.find(name);
    if (!info)
        qFatal("%s has no tensor %s", qPrintable(file.path()), qPrintable(name));
    auto values = file.toFloat32(name);
    if (!values)
        qFatal("%s", qPrintable(values.errorMessage()));
    return HostTensor{info->shape, std::move(*values)};
}

// `idsName` rows × length; `maskName` may be empty.
inline TokenBatch tokenBatch(const SafetensorsFile &file, const QString &idsName, const QString &maskName = {})
{
    const TensorInfo *info = file.find(idsName);
    if (!info || info->shape.size() != 2)
        qFatal("%s: no 2-D tensor %s", qPrintable(file.path()), qPrintable(idsName));
    TokenBatch t;
    t.rows = info->shape[0];
    t.length = info->shape[1];
    t.ids = *file.toInt64(idsName);
    if (!maskName.isEmpty())
        t.attentionMask = *file.toInt64(maskName);
    return t;
}

// Rows [first, first + count) of the first dimension.
inline HostTensor rows(const HostTensor &t, int64_t first, int64_t count)
{
    HostTensor out = t;
    const int64_t per = t.shape.empty() || t.shape[0] == 0 ? 0 : t.numel() / t.shape[0];
    out.shape[0] = count;
    out.values.assign(t.values.begin() + first * per, t.values.begin() + (first + count) * per);
    return out;
}

inline HostTensor transposed2d(const HostTensor &t)
{
    const int64_t r = t.shape.at(0), c = t.shape.at(1);
    HostTensor out{{c, r}, std::vector<float>(t.values.size())};
    for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < c; ++j)
            out.values[size_t(j * r + i)] = t.values[size_t(i * c + j)];
    return out;
}

// Max |a − b|; infinity when the shapes differ or a value is not finite.
inline double maxAbsDiff(const HostTensor &a, const HostTensor &b)
{
    if (a.shape != b.shape || a.values.size() != b.values.size())
        return INFINITY;
    double m = 0.0;
    for (size_t i = 0; i < a.values.size(); ++i) {
        const double d = std::abs(double(a.values[i]) - double(b.values[i]));
        if (!std::isfinite(d))
            return INFINITY;
        m = std::max(m, d);
    }
    return m;
}

inline QString shapeString(const std::vector<int64_t> &shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts.append(QString::number(d));
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// Compares and prints the difference (the figures the parity report quotes).
#define LOOKALIKE_COMPARE_TENSOR(actual, expected, atol, label)                                                      \
    do {                                                                                                             \
        const double diff_ = ::lookalike::test::maxAbsDiff((actual), (expected));                                    \
        qInfo("%-44s max |diff| %.3g (tolerance %.0e)", qPrintable(QString(label)), diff_, double(atol));             \
        QVERIFY2(diff_ <= (atol), qPrintable(QStringLiteral("%1: shape %2 vs %3, max |diff| %4 > %5")                  \
                                                 .arg(QString(label), ::lookalike::test::shapeString((actual).shape), \
                                                      ::lookalike::test::shapeString((expected).shape))              \
                                                 .arg(diff_)                                                         \
                                                 .arg(double(atol))));                                               \
    } while (false)

// A tensor to write: safetensors dtype name, shape, raw little-endian bytes.
struct RawTensor
{
    QString dtype;
    std::vector<int64_t> shape;
    QByteArray data;
};

// Our own minimal safetensors writer: header JSON padded with spaces to a multiple of 8.
inline QByteArray safetensorsBytes(const QMap<QString, RawTensor> &tensors)
{
    QJsonObject header;
    qint64 offset = 0;
    QByteArray data;
    for (auto it = tensors.cbegin(); it != tensors.cend(); ++it) {
        QJsonArray shape;
        for (int64_t d : it->shape)
            shape.append(qint64(d));
        header.insert(it.key(), QJsonObject{{QStringLiteral("dtype"), it->dtype},
                                            {QStringLiteral("shape"), shape},
                                            {QStringLiteral("data_offsets"), QJsonArray{offset, offset + it->data.size()}}});
        offset += it->data.size();
        data += it->data;
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8 != 0)
        json.append(' ');
    QByteArray out(8, '\0');
    qToLittleEndian<quint64>(quint64(json.size()), out.data());
    return out + json + data;
}

// Copies `source` (a model folder) into `target`, passing model.safetensors' tensors through
// `edit` first.
inline bool copyModelFolder(const QString &source, const QString &target,
                            const std::function<void(QMap<QString, RawTensor> &)> &edit)
{
    const QDir from(source);
    for (const QString &name : from.entryList(QDir::Files)) {
        if (name != QLatin1String("model.safetensors") && !QFile::copy(from.filePath(name), target + QLatin1Char('/') + name))
            return false;
    }
    auto weights = SafetensorsFile::open(from.filePath(QStringLiteral("model.safetensors")));
    if (!weights)
        return false;
    QMap<QString, RawTensor> tensors;
    for (const TensorInfo &info : (*weights)->tensors()) {
        const auto bytes = (*weights)->bytes(info);
        tensors.insert(info.name, RawTensor{TensorInfo::dtypeName(info.dtype), info.shape,
                                            QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()))});
    }
    edit(tensors);
    QFile out(target + QStringLiteral("/model.safetensors"));
    return out.open(QIODevice::WriteOnly) && out.write(safetensorsBytes(tensors)) >= 0;
}

inline RawTensor zerosF32(std::vector<int64_t> shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return RawTensor{QStringLiteral("F32"), std::move(shape), QByteArray(qsizetype(n * 4), '\0')};
}

} // namespace lookalike::test
