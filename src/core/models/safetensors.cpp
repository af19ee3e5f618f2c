#include "safetensors.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace lookalike {

namespace {

// Real headers are a few hundred kilobytes even for multi-billion-parameter shards; the
// reference implementation refuses anything above 100 MB, so do we.
constexpr quint64 kMaxHeaderBytes = 100'000'000;
constexpr qint64 kMaxIndexBytes = 64 << 20;

const QString kSingleFile = QStringLiteral("model.safetensors");
const QString kIndexFile = QStringLiteral("model.safetensors.index.json");

struct DTypeName
{
    const char *name;
    TensorDType dtype;
};

constexpr DTypeName kDTypes[] = {
    {"F64", TensorDType::F64}, {"F32", TensorDType::F32}, {"F16", TensorDType::F16},
    {"BF16", TensorDType::BF16}, {"I64", TensorDType::I64}, {"I32", TensorDType::I32},
    {"I16", TensorDType::I16}, {"I8", TensorDType::I8}, {"U8", TensorDType::U8},
    {"BOOL", TensorDType::Bool},
};

std::optional<TensorDType> dtypeFromName(const QString &name)
{
    for (const auto &d : kDTypes) {
        if (name == QLatin1String(d.name))
            return d.dtype;
    }
    return std::nullopt;
}

// A JSON number that is a whole number ≥ 0 and fits in int64 (QJsonValue keeps integers
// exactly up to int64; doubles such as 1e30 or 2.5 are refused).
std::optional<int64_t> nonNegativeInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    constexpr qint64 kInvalid = -1;
    const qint64 n = v.toInteger(kInvalid);
    if (n < 0)
        return std::nullopt;
    return n;
}

QString compactJson(const QJsonValue &v)
{
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isString())
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QStringLiteral("null");
}

template <typename T>
T loadLE(const std::byte *p)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    return qFromLittleEndian(v);
}

float floatFromBits(quint32 bits)
{
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

// IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
float halfToFloat(quint16 h)
{
    const quint32 sign = quint32(h & 0x8000u) << 16;
    const quint32 exponent = (h >> 10) & 0x1fu;
    const quint32 mantissa = h & 0x3ffu;
    if (exponent == 0x1f) // inf (mantissa 0) or NaN, payload kept
        return floatFromBits(sign | 0x7f800000u | (mantissa << 13));
    if (exponent == 0) { // zero or subnormal: mantissa × 2^-24, exact in float
        const float magnitude = std::ldexp(float(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    return floatFromBits(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
}

// bfloat16 is the upper half of a float32, so widening is exact for every value.
float bfloat16ToFloat(quint16 b)
{
    return floatFromBits(quint32(b) << 16);
}

} // namespace

int64_t TensorInfo::elementCount() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d; // validated by open(): cannot overflow
    return n;
}

int TensorInfo::elementSize(TensorDType dtype)
{
    switch (dtype) {
    case TensorDType::F64:
    case TensorDType::I64:
        return 8;
    case TensorDType::F32:
    case TensorDType::I32:
        return 4;
    case TensorDType::F16:
    case TensorDType::BF16:
    case TensorDType::I16:
        return 2;
    case TensorDType::I8:
    case TensorDType::U8:
    case TensorDType::Bool:
        return 1;
    }
    return 1;
}

QString TensorInfo::dtypeName(TensorDType dtype)
{
    for (const auto &d : kDTypes) {
        if (d.dtype == dtype)
            return QLatin1String(d.name);
    }
    return QStringLiteral("?");
}

QString TensorInfo::shapeText() const
{
    QStringList dims;
    dims.reserve(qsizetype(shape.size()));
    for (int64_t d : shape)
        dims.append(QString::number(d));
    return QLatin1Char('[') + dims.join(QStringLiteral(", ")) + QLatin1Char(']');
}

SafetensorsFile::~SafetensorsFile() = default;

Result<std::shared_ptr<SafetensorsFile>> SafetensorsFile::open(const QString &path)
{
    const QString label = QFileInfo(path).fileName();
    const QFileInfo fi(path);
    if (!fi.exists())
        return makeError(Error::Code::NotFound, QStringLiteral("%1: no such file").arg(path));
    if (!fi.isFile())
        return makeError(Error::Code::InvalidArgument, QStringLiteral("%1: not a regular file").arg(path));

    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("%1: cannot open: %2").arg(path, file->errorString()));
    const qint64 size = file->size();
    if (size < 8) {
        return makeError(Error::Code::Corrupt,
                         QStringLiteral("%1: the file is %2 bytes, too short for a safetensors header").arg(label).arg(size));
    }
    // Private, so that the pages can back tensors directly (WeightLoader) with no way for a
    // write to reach the file.
    uchar *mapped = file->map(0, size, QFileDevice::MapPrivateOption);
    if (!mapped)
        return makeError(Error::Code::Io, QStringLiteral("%1: cannot memory-map: %2").arg(path, file->errorString()));

    std::shared_ptr<SafetensorsFile> st(new SafetensorsFile);
    st->m_path = path;
    st->m_file = std::move(file);
    if (auto parsed = st->parse({reinterpret_cast<const std::byte *>(mapped), size_t(size)}); !parsed)
        return parsed.error();
    return st;
}

Result<std::shared_ptr<SafetensorsFile>> SafetensorsFile::fromBytes(const QByteArray &bytes, const QString &name)
{
    std::shared_ptr<SafetensorsFile> st(new SafetensorsFile);
    st->m_path = name.isEmpty() ? QStringLiteral("<safetensors in memory>") : name;
    st->m_owned = bytes;
    st->m_owned.detach(); // own the bytes even when `bytes` wraps foreign memory
    if (auto parsed = st->parse({reinterpret_cast<const std::byte *>(st->m_owned.constData()), size_t(st->m_owned.size())}); !parsed)
        return parsed.error();
    return st;
}

Result<void> SafetensorsFile::parse(std::span<const std::byte> whole)
{
    const QString label = QFileInfo(m_path).fileName();
    auto corrupt = [&label](const QString &what) { return makeError(Error::Code::Corrupt, label + QStringLiteral(": ") + what); };

    const quint64 fileSize = whole.size();
    if (fileSize < 8)
        return corrupt(QStringLiteral("the file is %1 bytes, too short for a safetensors header").arg(fileSize));
    const quint64 headerSize = loadLE<quint64>(whole.data());
    if (headerSize > fileSize - 8) {
        return corrupt(QStringLiteral("header length %1 exceeds the file (%2 bytes after the length field)")
                           .arg(headerSize)
                           .arg(fileSize - 8));
    }
    if (headerSize > kMaxHeaderBytes)
        return corrupt(QStringLiteral("header length %1 is above the limit of %2 bytes").arg(headerSize).arg(kMaxHeaderBytes));

    const auto headerBytes = QByteArray::fromRawData(reinterpret_cast<const char *>(whole.data() + 8), qsizetype(headerSize));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(headerBytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return corrupt(QStringLiteral("the header is not valid JSON (%1 at offset %2)").arg(parseError.errorString()).arg(parseError.offset));
    if (!doc.isObject())
        return corrupt(QStringLiteral("the header is not a JSON object"));

    m_data = whole.data() + 8 + headerSize;
    m_dataSize = qint64(fileSize - 8 - headerSize);

    const QJsonObject header = doc.object();
    std::vector<const TensorInfo *> byOffset;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const QString name = it.key();
        if (name == QLatin1String("__metadata__")) {
            if (it.value().isNull())
                continue;
            if (!it.value().isObject())
                return corrupt(QStringLiteral("__metadata__ is not an object"));
            const QJsonObject meta = it.value().toObject();
            for (auto m = meta.begin(); m != meta.end(); ++m) {
                if (!m.value().isString())
                    return corrupt(QStringLiteral("__metadata__ entry '%1' is not a string").arg(m.key()));
            }
            m_metadata = meta;
            continue;
        }

        auto bad = [&](const QString &what) { return corrupt(QStringLiteral("tensor %1: %2").arg(name, what)); };
        if (!it.value().isObject())
            return bad(QStringLiteral("the entry is not an object"));
        const QJsonObject entry = it.value().toObject();

        TensorInfo info;
        info.name = name;

        const QJsonValue dtypeValue = entry.value(QLatin1String("dtype"));
        const auto dtype = dtypeFromName(dtypeValue.toString());
        if (!dtypeValue.isString() || !dtype)
            return bad(QStringLiteral("unknown dtype %1").arg(compactJson(dtypeValue)));
        info.dtype = *dtype;

        const QJsonValue shapeValue = entry.value(QLatin1String("shape"));
        if (!shapeValue.isArray())
            return bad(QStringLiteral("shape %1 is not an array").arg(compactJson(shapeValue)));
        const QJsonArray shape = shapeValue.toArray();
        bool hasZero = false;
        for (const QJsonValue &dim : shape) {
            const auto d = nonNegativeInteger(dim);
            if (!d)
                return bad(QStringLiteral("shape %1 holds %2, not a non-negative integer").arg(compactJson(shape), compactJson(dim)));
            hasZero = hasZero || *d == 0;
            info.shape.push_back(*d);
        }
        int64_t elements = hasZero ? 0 : 1;
        if (!hasZero) {
            for (int64_t d : info.shape) {
                if (elements > std::numeric_limits<int64_t>::max() / d)
                    return bad(QStringLiteral("shape %1 has too many elements").arg(info.shapeText()));
                elements *= d;
            }
        }
        const int elementSize = TensorInfo::elementSize(info.dtype);
        if (elements > std::numeric_limits<int64_t>::max() / elementSize)
            return bad(QStringLiteral("shape %1 has too many elements").arg(info.shapeText()));
        const int64_t byteCount = elements * elementSize;

        const QJsonValue offsetsValue = entry.value(QLatin1String("data_offsets"));
        const QJsonArray offsets = offsetsValue.toArray();
        std::optional<int64_t> begin, end;
        if (offsetsValue.isArray() && offsets.size() == 2) {
            begin = nonNegativeInteger(offsets.at(0));
            end = nonNegativeInteger(offsets.at(1));
        }
        if (!begin || !end)
            return bad(QStringLiteral("data_offsets %1 is not a pair of non-negative integers").arg(compactJson(offsetsValue)));
        if (*begin > *end || *end > m_dataSize) {
            return bad(QStringLiteral("data_offsets [%1, %2] outside the data (%3 bytes)").arg(*begin).arg(*end).arg(m_dataSize));
        }
        if (*end - *begin != byteCount) {
            return bad(QStringLiteral("data_offsets [%1, %2] span %3 bytes, but %4 %5 needs %6")
                           .arg(*begin)
                           .arg(*end)
                           .arg(*end - *begin)
                           .arg(TensorInfo::dtypeName(info.dtype), info.shapeText())
                           .arg(byteCount));
        }
        info.begin = *begin;
        info.end = *end;
        m_tensors.insert(name, std::move(info));
    }

    for (const TensorInfo &info : std::as_const(m_tensors)) {
        if (info.end > info.begin) // empty tensors own no bytes
            byOffset.push_back(&info);
    }
    std::sort(byOffset.begin(), byOffset.end(), [](const TensorInfo *a, const TensorInfo *b) { return a->begin < b->begin; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        const TensorInfo &prev = *byOffset[i - 1];
        const TensorInfo &cur = *byOffset[i];
        if (cur.begin < prev.end) {
            return corrupt(QStringLiteral("tensor %1: data_offsets [%2, %3] overlap tensor %4 [%5, %6]")
                               .arg(cur.name)
                               .arg(cur.begin)
                               .arg(cur.end)
                               .arg(prev.name)
                               .arg(prev.begin)
                               .arg(prev.end));
        }
    }
    return {};
}

const TensorInfo *SafetensorsFile::find(const QString &name) const
{
    const auto it = m_tensors.constFind(name);
    return it == m_tensors.cend() ? nullptr : &it.value();
}

std::span<const std::byte> SafetensorsFile::bytes(const TensorInfo &info) const
{
    return {m_data + info.begin, size_t(info.end - info.begin)};
}

Result<std::vector<float>> SafetensorsFile::toFloat32(const QString &name) const
{
    const TensorInfo *info = find(name);
    if (!info)
        return makeError(Error::Code::NotFound, QStringLiteral("%1: no tensor %2").arg(QFileInfo(m_path).fileName(), name));
    const std::byte *p = m_data + info->begin;
    const size_t n = size_t(info->elementCount());
    std::vector<float> out(n);
    switch (info->dtype) {
    case TensorDType::F32:
        for (size_t i = 0; i < n; ++i)
            out[i] = floatFromBits(loadLE<quint32>(p + 4 * i));
        break;
    case TensorDType::F64:
        for (size_t i = 0; i < n; ++i) {
            const quint64 bits = loadLE<quint64>(p + 8 * i);
            double d;
            std::memcpy(&d, &bits, sizeof d);
            out[i] = float(d);
        }
        break;
    case TensorDType::F16:
        for (size_t i = 0; i < n; ++i)
            out[i] = halfToFloat(loadLE<quint16>(p + 2 * i));
        break;
    case TensorDType::BF16:
        for (size_t i = 0; i < n; ++i)
            out[i] = bfloat16ToFloat(loadLE<quint16>(p + 2 * i));
        break;
    case TensorDType::I64:
        for (size_t i = 0; i < n; ++i)
            out[i] = float(loadLE<qint64>(p + 8 * i));
        break;
    case TensorDType::I32:
        for (size_t i = 0; i < n; ++i)
            out[i] = float(loadLE<qint32>(p + 4 * i));
        break;
    case TensorDType::I16:
        for (size_t i = 0; i < n; ++i)
            out[i] = float(loadLE<qint16>(p + 2 * i));
        break;
    case TensorDType::I8:
        for (size_t i = 0; i < n; ++i)
            out[i] = float(std::to_integer<qint8>(p[i]));
        break;
    case TensorDType::U8:
        for (size_t i = 0; i < n; ++i)
            out[i] = float(std::to_integer<quint8>(p[i]));
        break;
    case TensorDType::Bool:
        for (size_t i = 0; i < n; ++i)
            out[i] = std::to_integer<quint8>(p[i]) ? 1.0f : 0.0f;
        break;
    }
    return out;
}

Result<std::vector<int64_t>> SafetensorsFile::toInt64(const QString &name) const
{
    const QString label = QFileInfo(m_path).fileName();
    const TensorInfo *info = find(name);
    if (!info)
        return makeError(Error::Code::NotFound, QStringLiteral("%1: no tensor %2").arg(label, name));
    const std::byte *p = m_data + info->begin;
    const size_t n = size_t(info->elementCount());
    std::vector<int64_t> out(n);
    switch (info->dtype) {
    case TensorDType::I64:
        for (size_t i = 0; i < n; ++i)
            out[i] = loadLE<qint64>(p + 8 * i);
        break;
    case TensorDType::I32:
        for (size_t i = 0; i < n; ++i)
            out[i] = loadLE<qint32>(p + 4 * i);
        break;
    case TensorDType::I16:
        for (size_t i = 0; i < n; ++i)
            out[i] = loadLE<qint16>(p + 2 * i);
        break;
    case TensorDType::I8:
        for (size_t i = 0; i < n; ++i)
            out[i] = std::to_integer<qint8>(p[i]);
        break;
    case TensorDType::U8:
        for (size_t i = 0; i < n; ++i)
            out[i] = std::to_integer<quint8>(p[i]);
        break;
    case TensorDType::Bool:
        for (size_t i = 0; i < n; ++i)
            out[i] = std::to_integer<quint8>(p[i]) ? 1 : 0;
        break;
    case TensorDType::F64:
    case TensorDType::F32:
    case TensorDType::F16:
    case TensorDType::BF16:
        return makeError(Error::Code::InvalidArgument,
                         QStringLiteral("%1: tensor %2 is %3, not an integer type").arg(label, name, TensorInfo::dtypeName(info->dtype)));
    }
    return out;
}

Result<SafetensorsModel> SafetensorsModel::open(const QString &folder)
{
    const QDir dir(folder);
    SafetensorsModel model;

    if (QFileInfo(dir.filePath(kSingleFile)).isFile()) {
        auto file = SafetensorsFile::open(dir.filePath(kSingleFile));
        if (!file)
            return file.error();
        for (const QString &name : file.value()->tensors().keys())
            model.m_fileOfTensor.insert(name, 0);
        model.m_files.push_back(std::move(file.value()));
        return model;
    }

    const QString indexPath = dir.filePath(kIndexFile);
    if (!QFileInfo(indexPath).isFile()) {
        return makeError(Error::Code::NotFound,
                         QStringLiteral("%1 has neither %2 nor %3").arg(QDir::toNativeSeparators(folder), kSingleFile, kIndexFile));
    }
    QFile indexFile(indexPath);
    if (!indexFile.open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("%1: cannot open: %2").arg(indexPath, indexFile.errorString()));
    if (indexFile.size() > kMaxIndexBytes)
        return makeError(Error::Code::Corrupt, QStringLiteral("%1: %2 bytes is too large for an index").arg(kIndexFile).arg(indexFile.size()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(indexFile.read(kMaxIndexBytes), &parseError);
    auto corrupt = [](const QString &what) { return makeError(Error::Code::Corrupt, kIndexFile + QStringLiteral(": ") + what); };
    if (parseError.error != QJsonParseError::NoError)
        return corrupt(QStringLiteral("not valid JSON (%1 at offset %2)").arg(parseError.errorString()).arg(parseError.offset));
    const QJsonValue weightMapValue = doc.object().value(QLatin1String("weight_map"));
    if (!weightMapValue.isObject())
        return corrupt(QStringLiteral("no \"weight_map\" object"));
    const QJsonObject weightMap = weightMapValue.toObject();
    if (weightMap.isEmpty())
        return corrupt(QStringLiteral("the weight_map is empty"));

    // Shards are opened in the order of their names, so that the model is the same however
    // the index orders its entries.
    QMap<QString, QStringList> promised; // shard -> tensor names the index puts there
    for (auto it = weightMap.begin(); it != weightMap.end(); ++it) {
        const QString shard = it.value().toString();
        if (!it.value().isString() || shard.isEmpty())
            return corrupt(QStringLiteral("tensor %1: the shard name is not a string").arg(it.key()));
        if (shard.contains(QLatin1Char('/')) || shard.contains(QLatin1Char('\\')) || shard.contains(QLatin1String(".."))
            || QDir::isAbsolutePath(shard)) {
            return corrupt(QStringLiteral("tensor %1: shard \"%2\" is not a file name in the model folder").arg(it.key(), shard));
        }
        promised[shard].append(it.key());
    }

    for (auto it = promised.cbegin(); it != promised.cend(); ++it) {
        const QString shardPath = dir.filePath(it.key());
        if (!QFileInfo(shardPath).isFile()) {
            return makeError(Error::Code::NotFound,
                             QStringLiteral("%1 names shard %2, which is not in %3").arg(kIndexFile, it.key(), QDir::toNativeSeparators(folder)));
        }
        auto file = SafetensorsFile::open(shardPath);
        if (!file)
            return file.error();
        for (const QString &name : it.value()) {
            if (!file.value()->find(name))
                return makeError(Error::Code::Corrupt, QStringLiteral("%1: tensor %2, promised by %3, is missing").arg(it.key(), name, kIndexFile));
        }
        const int fileIndex = int(model.m_files.size());
        for (const QString &name : file.value()->tensors().keys()) {
            if (model.m_fileOfTensor.contains(name)) {
                const QString other = QFileInfo(model.m_files[model.m_fileOfTensor.value(name)]->path()).fileName();
                return makeError(Error::Code::Corrupt, QStringLiteral("tensor %1 is in both %2 and %3").arg(name, other, it.key()));
            }
            model.m_fileOfTensor.insert(name, fileIndex);
        }
        model.m_files.push_back(std::move(file.value()));
    }
    return model;
}

std::optional<SafetensorsModel::Found> SafetensorsModel::find(const QString &name) const
{
    const auto it = m_fileOfTensor.constFind(name);
    if (it == m_fileOfTensor.cend())
        return std::nullopt;
    const std::shared_ptr<SafetensorsFile> &file = m_files[size_t(it.value())];
    return Found{file.get(), file->find(name), file};
}

QStringList SafetensorsModel::names() const
{
    return m_fileOfTensor.keys();
}

Result<std::vector<float>> SafetensorsModel::toFloat32(const QString &name) const
{
    const auto found = find(name);
    if (!found)
        return makeError(Error::Code::NotFound, QStringLiteral("the model has no tensor %1").arg(name));
    return found->file->toFloat32(name);
}

} // namespace lookalike
