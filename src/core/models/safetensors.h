#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

class QFile;

namespace lookalike {

enum class TensorDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

struct TensorInfo
{
    QString name;
    TensorDType dtype = TensorDType::F32;
    std::vector<int64_t> shape;
    qint64 begin = 0; // byte offsets into the data section (after the header)
    qint64 end = 0;

    int64_t elementCount() const;
    static int elementSize(TensorDType dtype);
    static QString dtypeName(TensorDType dtype);
    QString shapeText() const; // "[49408, 32]"
};

// One .safetensors file, memory-mapped (privately: a stray write would copy the page, never
// reach the file): 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then the data. open()
// validates everything before anything is read (header size and JSON, known dtypes, offsets
// inside the file, not overlapping, size = elements × dtype size), so a truncated or hostile
// file is an error naming the problem, never a crash.
class SafetensorsFile final
{
public:
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile &) = delete;
    SafetensorsFile &operator=(const SafetensorsFile &) = delete;

    static Result<std::shared_ptr<SafetensorsFile>> open(const QString &path);
    // The same checks on bytes in memory (tests, fuzzing); the bytes are copied.
    static Result<std::shared_ptr<SafetensorsFile>> fromBytes(const QByteArray &bytes, const QString &name = {});

    QString path() const { return m_path; }
    const QMap<QString, TensorInfo> &tensors() const { return m_tensors; }
    const TensorInfo *find(const QString &name) const;
    QJsonObject metadata() const { return m_metadata; }

    // The tensor's bytes, little-endian as stored; valid while this object lives.
    std::span<const std::byte> bytes(const TensorInfo &info) const;
    // Converted copies, errors naming the tensor. toFloat32 takes every dtype (F64 is narrowed;
    // integers are exact up to 2^24); toInt64 takes the integer dtypes and BOOL, not floats.
    Result<std::vector<float>> toFloat32(const QString &name) const;
    Result<std::vector<int64_t>> toInt64(const QString &name) const;

private:
    SafetensorsFile() = default;
    Result<void> parse(std::span<const std::byte> whole);

    QString m_path;
    std::unique_ptr<QFile> m_file; // mapped
    QByteArray m_owned;            // fromBytes()
    const std::byte *m_data = nullptr;
    qint64 m_dataSize = 0;
    QMap<QString, TensorInfo> m_tensors;
    QJsonObject m_metadata;
};

// The weights of a Hugging Face model folder: model.safetensors, or the shards listed in
// model.safetensors.index.json ({"weight_map": {tensor: file}}). Tensor names are unique
// across shards; a shard missing from the folder, or a name the index promises but the shard
// lacks, is an error.
class SafetensorsModel final
{
public:
    static Result<SafetensorsModel> open(const QString &folder);

    struct Found
    {
        const SafetensorsFile *file = nullptr;
        const TensorInfo *info = nullptr;
        // The file again, shared: whatever points into its mapping (a tensor over the
        // weights, without a copy) keeps this, and so the mapping, alive.
        std::shared_ptr<const SafetensorsFile> owner;
    };
    std::optional<Found> find(const QString &name) const;
    QStringList names() const;
    Result<std::vector<float>> toFloat32(const QString &name) const;

private:
    std::vector<std::shared_ptr<SafetensorsFile>> m_files;
    QMap<QString, int> m_fileOfTensor;
};

} // namespace lookalike
