#include "npyfile.h"

#include <QFile>
#include <QFloat16>
#include <QSaveFile>
#include <QtEndian>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <optional>

namespace lookalike {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr qsizetype kMagicSize = 6;
constexpr qint64 kMaxChunkBytes = 8 << 20;

Error corrupt(const QString &msg)
{
    return makeError(Error::Code::Corrupt, msg);
}

// The subset of Python literal syntax numpy writes in a .npy header: a dict of strings,
// booleans, integers and tuples/lists of those.
struct PyValue
{
    enum class Kind { String, Bool, Int, None, Tuple, List };
    Kind kind = Kind::None;
    QString text;
    bool boolean = false;
    qint64 integer = 0;
    std::vector<PyValue> items;
};

class HeaderParser
{
public:
    explicit HeaderParser(QByteArrayView text) : m_s(text) {}

    Result<std::vector<std::pair<QString, PyValue>>> parseDict()
    {
        std::vector<std::pair<QString, PyValue>> entries;
        skipSpace();
        if (!eat('{'))
            return err(QStringLiteral("the header is not a Python dict"));
        for (;;) {
            skipSpace();
            if (eat('}'))
                break;
            auto key = parseValue(0);
            if (!key)
                return key.error();
            if (key->kind != PyValue::Kind::String)
                return err(QStringLiteral("a header key is not a string"));
            skipSpace();
            if (!eat(':'))
                return err(QStringLiteral("expected ':' after key '%1'").arg(key->text));
            auto value = parseValue(0);
            if (!value)
                return value.error();
            entries.emplace_back(key->text, std::move(*value));
            skipSpace();
            if (eat(','))
                continue;
            skipSpace();
            if (eat('}'))
                break;
            return err(QStringLiteral("expected ',' or '}' in the header dict"));
        }
        skipSpace();
        if (m_pos != m_s.size())
            return err(QStringLiteral("unexpected text after the header dict"));
        return entries;
    }

private:
    Error err(const QString &what) const
    {
        return corrupt(QStringLiteral("malformed .npy header (%1, at offset %2)").arg(what).arg(m_pos));
    }
    void skipSpace()
    {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }
    bool eat(char c)
    {
        if (m_pos < m_s.size() && m_s[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    bool eatWord(QByteArrayView w)
    {
        if (m_s.sliced(m_pos).startsWith(w)) {
            const qsizetype end = m_pos + w.size();
            if (end < m_s.size() && (std::isalnum(static_cast<unsigned char>(m_s[end])) || m_s[end] == '_'))
                return false;
            m_pos = end;
            return true;
        }
        return false;
    }

    Result<PyValue> parseValue(int depth)
    {
        if (depth > 4)
            return err(QStringLiteral("nested too deeply"));
        skipSpace();
        if (m_pos >= m_s.size())
            return err(QStringLiteral("unexpected end"));
        PyValue v;
        const char c = m_s[m_pos];
        if (c == '\'' || c == '"') {
            ++m_pos;
            const qsizetype start = m_pos;
            while (m_pos < m_s.size() && m_s[m_pos] != c) {
                if (m_s[m_pos] == '\\')
                    return err(QStringLiteral("escapes in strings are not supported"));
                ++m_pos;
            }
            if (m_pos >= m_s.size())
                return err(QStringLiteral("unterminated string"));
            v.kind = PyValue::Kind::String;
            v.text = QString::fromUtf8(m_s.sliced(start, m_pos - start));
            ++m_pos;
            return v;
        }
        if (c == '(' || c == '[') {
            const char close = c == '(' ? ')' : ']';
            v.kind = c == '(' ? PyValue::Kind::Tuple : PyValue::Kind::List;
            ++m_pos;
            for (;;) {
                skipSpace();
                if (eat(close))
                    return v;
                if (v.items.size() >= 64)
                    return err(QStringLiteral("too many elements"));
                auto item = parseValue(depth + 1);
                if (!item)
                    return item.error();
                v.items.push_back(std::move(*item));
                skipSpace();
                if (eat(','))
                    continue;
                if (eat(close))
                    return v;
                return err(QStringLiteral("expected ',' or '%1'").arg(QLatin1Char(close)));
            }
        }
        if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
            bool negative = false;
            if (c == '-' || c == '+') {
                negative = c == '-';
                ++m_pos;
            }
            const qsizetype start = m_pos;
            qint64 n = 0;
            bool overflow = false;
            while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9') {
                if (n > (std::numeric_limits<qint64>::max() - 9) / 10)
                    overflow = true;
                else
                    n = n * 10 + (m_s[m_pos] - '0');
                ++m_pos;
            }
            if (m_pos == start)
                return err(QStringLiteral("expected digits"));
            eat('L'); // Python 2 long literal
            if (overflow)
                return corrupt(QStringLiteral("malformed .npy header (an integer does not fit in 64 bits)"));
            v.kind = PyValue::Kind::Int;
            v.integer = negative ? -n : n;
            return v;
        }
        if (eatWord("True")) {
            v.kind = PyValue::Kind::Bool;
            v.boolean = true;
            return v;
        }
        if (eatWord("False")) {
            v.kind = PyValue::Kind::Bool;
            return v;
        }
        if (eatWord("None"))
            return v;
        return err(QStringLiteral("unexpected character '%1'").arg(QLatin1Char(c)));
    }

    QByteArrayView m_s;
    qsizetype m_pos = 0;
};

// Converts `count` elements of the file's dtype at `src` to float32, writing dst[i * stride].
void convert(const char *src, qint64 count, const NpyHeader &h, float *dst, qint64 stride)
{
    for (qint64 i = 0; i < count; ++i, src += h.itemSize) {
        float f = 0;
        switch (h.itemSize) {
        case 2: {
            const quint16 bits = h.bigEndian ? qFromBigEndian<quint16>(src) : qFromLittleEndian<quint16>(src);
            qfloat16 half;
            std::memcpy(static_cast<void *>(&half), &bits, sizeof bits); // qfloat16 is the 16 bits
            f = float(half);
            break;
        }
        case 4: {
            const quint32 bits = h.bigEndian ? qFromBigEndian<quint32>(src) : qFromLittleEndian<quint32>(src);
            std::memcpy(&f, &bits, sizeof f);
            break;
        }
        case 8: {
            const quint64 bits = h.bigEndian ? qFromBigEndian<quint64>(src) : qFromLittleEndian<quint64>(src);
            double d;
            std::memcpy(&d, &bits, sizeof d);
            f = float(d);
            break;
        }
        }
        dst[i * stride] = f;
    }
}

bool isNativeFloat32(const NpyHeader &h)
{
    return h.itemSize == 4 && h.bigEndian == (QSysInfo::ByteOrder == QSysInfo::BigEndian);
}

} // namespace

NpyFile::NpyFile(std::unique_ptr<QFile> file, NpyHeader header) : m_file(std::move(file)), m_header(std::move(header)) {}
NpyFile::NpyFile(NpyFile &&) noexcept = default;
NpyFile &NpyFile::operator=(NpyFile &&) noexcept = default;
NpyFile::~NpyFile() = default;

QString NpyFile::path() const
{
    return m_file ? m_file->fileName() : QString();
}

Result<NpyHeader> NpyFile::parseHeader(QByteArrayView bytes, const NpyLimits &limits)
{
    if (bytes.size() < kMagicSize + 2 || bytes.first(kMagicSize) != QByteArrayView(kMagic, kMagicSize))
        return corrupt(QStringLiteral("not a .npy file (no \\x93NUMPY magic)"));
    NpyHeader h;
    h.majorVersion = static_cast<unsigned char>(bytes[6]);
    h.minorVersion = static_cast<unsigned char>(bytes[7]);
    if (h.majorVersion < 1 || h.majorVersion > 3 || h.minorVersion != 0) {
        return makeError(Error::Code::Unsupported, QStringLiteral(".npy format version %1.%2 is not supported (1.0, 2.0 and 3.0 are)")
                                                       .arg(h.majorVersion)
                                                       .arg(h.minorVersion));
    }
    const qsizetype lenSize = h.majorVersion == 1 ? 2 : 4;
    if (bytes.size() < 8 + lenSize)
        return corrupt(QStringLiteral("truncated .npy header"));
    const qint64 headerLen = h.majorVersion == 1 ? qint64(qFromLittleEndian<quint16>(bytes.data() + 8))
                                                 : qint64(qFromLittleEndian<quint32>(bytes.data() + 8));
    if (headerLen > limits.maxHeaderBytes) {
        return corrupt(QStringLiteral(".npy header length %1 exceeds the limit of %2 bytes").arg(headerLen).arg(limits.maxHeaderBytes));
    }
    h.dataOffset = 8 + lenSize + headerLen;
    if (bytes.size() < h.dataOffset)
        return corrupt(QStringLiteral("truncated .npy header (%1 of %2 bytes)").arg(bytes.size()).arg(h.dataOffset));
    const QByteArrayView text = bytes.sliced(8 + lenSize, headerLen);
    // Versions 1 and 2 are latin-1, 3 is UTF-8; the keys and values we accept are ASCII.
    auto entries = HeaderParser(text).parseDict();
    if (!entries)
        return entries.error();

    const PyValue *descr = nullptr;
    const PyValue *fortran = nullptr;
    const PyValue *shape = nullptr;
    for (const auto &[key, value] : *entries) {
        const PyValue **slot = key == u"descr" ? &descr : key == u"fortran_order" ? &fortran : key == u"shape" ? &shape : nullptr;
        if (!slot)
            return corrupt(QStringLiteral("malformed .npy header (unexpected key '%1')").arg(key));
        if (*slot)
            return corrupt(QStringLiteral("malformed .npy header (key '%1' appears twice)").arg(key));
        *slot = &value;
    }
    if (!descr || !fortran || !shape)
        return corrupt(QStringLiteral("malformed .npy header (it needs the keys descr, fortran_order and shape)"));

    if (descr->kind != PyValue::Kind::String) {
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("structured .npy arrays are not supported: expected a float32 matrix ('<f4')"));
    }
    h.descr = descr->text;
    const QString d = h.descr;
    const bool floatKind = d.size() == 3 && (d[0] == u'<' || d[0] == u'>' || d[0] == u'=') && d[1] == u'f'
                           && (d[2] == u'2' || d[2] == u'4' || d[2] == u'8');
    if (!floatKind) {
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("dtype '%1' is not supported: expected float32 ('<f4'); float16 and float64 are converted")
                             .arg(d));
    }
    h.itemSize = d[2].digitValue();
    h.bigEndian = d[0] == u'>' || (d[0] == u'=' && QSysInfo::ByteOrder == QSysInfo::BigEndian);

    if (fortran->kind != PyValue::Kind::Bool)
        return corrupt(QStringLiteral("malformed .npy header (fortran_order is not True or False)"));
    h.fortranOrder = fortran->boolean;

    if (shape->kind != PyValue::Kind::Tuple)
        return corrupt(QStringLiteral("malformed .npy header (shape is not a tuple)"));
    QStringList dims;
    for (const PyValue &v : shape->items) {
        if (v.kind != PyValue::Kind::Int)
            return corrupt(QStringLiteral("malformed .npy header (shape holds a non-integer)"));
        dims.append(QString::number(v.integer));
    }
    const QString shapeText = QLatin1Char('(') + dims.join(QStringLiteral(", ")) + QLatin1Char(')');
    if (shape->items.size() != 2) {
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("array shape %1 is not supported: expected a 2-D matrix (N, D)").arg(shapeText));
    }
    h.rows = shape->items[0].integer;
    h.columns = shape->items[1].integer;
    if (h.rows < 0 || h.columns < 0)
        return corrupt(QStringLiteral("malformed .npy header (negative dimension in shape %1)").arg(shapeText));
    if (h.columns == 0)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("array shape %1 has zero-length vectors").arg(shapeText));
    if (h.columns > limits.maxColumns) {
        return makeError(Error::Code::TooLarge,
                         QStringLiteral("array shape %1: vectors of %2 values exceed the limit of %3").arg(shapeText).arg(h.columns).arg(limits.maxColumns));
    }
    // columns ≤ maxColumns, so the comparison below cannot overflow; after it, neither can
    // rows × columns × itemSize.
    if (h.rows > limits.maxElements / h.columns) {
        return makeError(Error::Code::TooLarge,
                         QStringLiteral("array shape %1 exceeds the limit of %2 values").arg(shapeText).arg(limits.maxElements));
    }
    return h;
}

Result<NpyFile> NpyFile::open(const QString &path, const NpyLimits &limits)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("Cannot open %1: %2").arg(path, file->errorString()));
    const qint64 fileSize = file->size();
    const QByteArray prefix = file->read(std::min<qint64>(fileSize, 12 + limits.maxHeaderBytes));
    auto header = parseHeader(prefix, limits);
    if (!header)
        return makeError(header.error().code, QStringLiteral("%1: %2").arg(path, header.errorMessage()));
    const qint64 have = fileSize - header->dataOffset;
    const qint64 want = header->dataBytes();
    if (have < want) {
        return makeError(Error::Code::Corrupt, QStringLiteral("%1: truncated: shape (%2, %3) of %4 needs %5 data bytes, the file has %6")
                                                   .arg(path)
                                                   .arg(header->rows)
                                                   .arg(header->columns)
                                                   .arg(header->descr)
                                                   .arg(want)
                                                   .arg(have));
    }
    if (have > want) {
        return makeError(Error::Code::Corrupt, QStringLiteral("%1: %2 trailing bytes after the (%3, %4) %5 data")
                                                   .arg(path)
                                                   .arg(have - want)
                                                   .arg(header->rows)
                                                   .arg(header->columns)
                                                   .arg(header->descr));
    }
    return NpyFile(std::move(file), std::move(*header));
}

Result<void> NpyFile::readRaw(qint64 offset, qint64 bytes, char *dst)
{
    if (!m_file->seek(offset))
        return makeError(Error::Code::Io, QStringLiteral("%1: cannot seek: %2").arg(path(), m_file->errorString()));
    qint64 done = 0;
    while (done < bytes) {
        const qint64 n = m_file->read(dst + done, bytes - done);
        if (n <= 0) {
            return makeError(n < 0 ? Error::Code::Io : Error::Code::Corrupt,
                             QStringLiteral("%1: truncated: read failed at byte %2 (%3)").arg(path()).arg(offset + done).arg(m_file->errorString()));
        }
        done += n;
    }
    return {};
}

Result<void> NpyFile::readRows(qint64 first, qint64 count, std::span<float> out)
{
    const NpyHeader &h = m_header;
    const qint64 d = h.columns;
    if (first < 0 || count < 0 || first > h.rows || count > h.rows - first)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("rows [%1, %2) are outside the matrix of %3 rows").arg(first).arg(first + count).arg(h.rows));
    if (qint64(out.size()) != count * d)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("output holds %1 values, %2 needed").arg(out.size()).arg(count * d));
    if (count == 0)
        return {};

    if (!h.fortranOrder) {
        const qint64 offset = h.dataOffset + first * d * h.itemSize;
        if (isNativeFloat32(h))
            return readRaw(offset, count * d * 4, reinterpret_cast<char *>(out.data()));
        // Convert in bounded chunks.
        const qint64 chunkElems = std::max<qint64>(d, kMaxChunkBytes / h.itemSize / d * d);
        std::vector<char> buf;
        for (qint64 done = 0; done < count * d;) {
            const qint64 n = std::min(chunkElems, count * d - done);
            buf.resize(size_t(n * h.itemSize));
            if (auto r = readRaw(offset + done * h.itemSize, n * h.itemSize, buf.data()); !r)
                return r;
            convert(buf.data(), n, h, out.data() + done, 1);
            done += n;
        }
        return {};
    }

    // Column-major: column j of the requested rows is contiguous in the file.
    std::vector<char> buf;
    const qint64 chunkRows = std::max<qint64>(1, kMaxChunkBytes / h.itemSize);
    for (qint64 j = 0; j < d; ++j) {
        for (qint64 done = 0; done < count;) {
            const qint64 n = std::min(chunkRows, count - done);
            buf.resize(size_t(n * h.itemSize));
            const qint64 offset = h.dataOffset + (j * h.rows + first + done) * h.itemSize;
            if (auto r = readRaw(offset, n * h.itemSize, buf.data()); !r)
                return r;
            convert(buf.data(), n, h, out.data() + done * d + j, d);
            done += n;
        }
    }
    return {};
}

Result<std::vector<float>> NpyFile::readAll()
{
    std::vector<float> data;
    try {
        data.resize(size_t(m_header.rows * m_header.columns));
    } catch (const std::bad_alloc &) {
        return makeError(Error::Code::TooLarge, QStringLiteral("%1: not enough memory for a (%2, %3) matrix").arg(path()).arg(m_header.rows).arg(m_header.columns));
    }
    if (auto r = readRows(0, m_header.rows, data); !r)
        return r.error();
    return data;
}

Result<void> NpyFile::writeFloat32(const QString &path, qint64 rows, qint64 columns, std::span<const float> data)
{
    if (rows < 0 || columns <= 0 || qint64(data.size()) != rows * columns)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("%1 values do not make a (%2, %3) matrix").arg(data.size()).arg(rows).arg(columns));
    QByteArray dict = QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, %2), }").arg(rows).arg(columns).toLatin1();
    // Pad with spaces so that the data starts on a 64-byte boundary, as numpy does.
    const qsizetype unpadded = 10 + dict.size() + 1;
    dict.append(QByteArray((64 - unpadded % 64) % 64, ' '));
    dict.append('\n');
    QByteArray head(kMagic, kMagicSize);
    head.append(char(1)).append(char(0));
    const quint16 len = qToLittleEndian<quint16>(quint16(dict.size()));
    head.append(reinterpret_cast<const char *>(&len), 2);
    head.append(dict);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(Error::Code::Io, QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    file.write(head);
    if constexpr (QSysInfo::ByteOrder == QSysInfo::LittleEndian) {
        file.write(reinterpret_cast<const char *>(data.data()), qint64(data.size_bytes()));
    } else {
        QByteArray le(qsizetype(data.size_bytes()), Qt::Uninitialized);
        qToLittleEndian<quint32>(data.data(), qsizetype(data.size()), le.data());
        file.write(le);
    }
    if (!file.commit())
        return makeError(Error::Code::Io, QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace lookalike
