#pragma once

#include "util/result.h"

#include <QByteArrayView>
#include <QString>

#include <memory>
#include <span>
#include <vector>

class QFile;

namespace lookalike {

// What a .npy header says, after validation.
struct NpyHeader
{
    int majorVersion = 0;
    int minorVersion = 0;
    QString descr;           // as written, e.g. "<f4"
    int itemSize = 0;        // bytes per element: 2, 4 or 8
    bool bigEndian = false;
    bool fortranOrder = false;
    qint64 rows = 0;         // N
    qint64 columns = 0;      // D
    qint64 dataOffset = 0;   // where the array bytes start
    qint64 dataBytes() const { return rows * columns * itemSize; }
};

struct NpyLimits
{
    qint64 maxHeaderBytes = 64 * 1024;      // numpy itself refuses more than 10,000 by default
    qint64 maxColumns = 1 << 16;            // D: no embedding is wider
    qint64 maxElements = qint64(1) << 33;   // N×D: 32 GiB of float32
};

// A reader of NumPy .npy files (format versions 1.0, 2.0 and 3.0) holding a 2-D (N, D) matrix
// of floating-point numbers, delivered as float32 in row-major order.
//  - dtype: float32 as is; float16 and float64 are converted (a float64 beyond float32's range
//    becomes ±inf, which the caller's finiteness check catches); both byte orders. Anything
//    else (integers, complex, structured, object arrays) is refused as Unsupported.
//  - fortran_order True: accepted; rows are gathered from the column-major data.
//  - Only 2-D shapes; the file size must equal header + N×D×itemsize exactly (shorter:
//    Corrupt "truncated"; longer: Corrupt "trailing bytes"). The header is parsed strictly
//    (magic, version, length, exactly the keys descr/fortran_order/shape) and nothing is
//    allocated from its numbers before they are checked against the file size and limits.
class NpyFile final
{
public:
    NpyFile(NpyFile &&) noexcept;
    NpyFile &operator=(NpyFile &&) noexcept;
    ~NpyFile();

    // Opens `path` and validates its header against the file's size.
    static Result<NpyFile> open(const QString &path, const NpyLimits &limits = {});
    // Parses the magic, version and header dict at the start of `bytes` (no size check
    // against data: the caller has no file). For tests and for callers holding bytes.
    static Result<NpyHeader> parseHeader(QByteArrayView bytes, const NpyLimits &limits = {});

    const NpyHeader &header() const { return m_header; }
    qint64 rows() const { return m_header.rows; }
    int columns() const { return int(m_header.columns); }
    QString path() const;

    // Reads rows [first, first + count) as float32 into `out` (count × columns values).
    Result<void> readRows(qint64 first, qint64 count, std::span<float> out);
    // The whole matrix, N × D, row-major.
    Result<std::vector<float>> readAll();

    // Writes a little-endian float32 (rows, columns) C-order .npy, version 1.0 (for exports
    // and tests). Written to a temporary name and renamed.
    static Result<void> writeFloat32(const QString &path, qint64 rows, qint64 columns, std::span<const float> data);

private:
    NpyFile(std::unique_ptr<QFile> file, NpyHeader header);
    Result<void> readRaw(qint64 offset, qint64 bytes, char *dst);

    std::unique_ptr<QFile> m_file;
    NpyHeader m_header;
};

} // namespace lookalike
