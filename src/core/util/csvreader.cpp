#include "csvreader.h"

#include <QFile>
#include <QStringDecoder>

namespace lookalike {

namespace {

constexpr qsizetype kChunk = 64 * 1024;

} // namespace

CsvReader::CsvReader(QIODevice *device, const CsvOptions &options)
    : m_device(device), m_options(options)
{
    if (m_options.maxColumns < 1)
        m_options.maxColumns = 1;
}

CsvReader::~CsvReader() = default;

Result<std::unique_ptr<CsvReader>> CsvReader::open(const QString &path, const CsvOptions &options)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("Cannot open %1: %2").arg(path, file->errorString()));
    auto reader = std::make_unique<CsvReader>(file.get(), options);
    reader->m_owned = std::move(file);
    if (auto header = reader->readHeader(); !header)
        return makeError(header.error().code, QStringLiteral("%1: %2").arg(path, header.errorMessage()));
    return reader;
}

bool CsvReader::fill()
{
    if (m_eof || m_fatal)
        return false;
    if (m_pos > 0) {
        m_buf.remove(0, m_pos);
        m_pos = 0;
    }
    const qsizetype old = m_buf.size();
    m_buf.resize(old + kChunk);
    const qint64 n = m_device ? m_device->read(m_buf.data() + old, kChunk) : -1;
    if (n < 0) {
        m_buf.resize(old);
        m_eof = true;
        m_fatal = makeError(Error::Code::Io, QStringLiteral("read error after line %1: %2")
                                                 .arg(m_line)
                                                 .arg(m_device ? m_device->errorString() : QStringLiteral("no device")));
        return false;
    }
    m_buf.resize(old + qsizetype(n));
    if (n == 0) {
        // QIODevice::read returns 0 both at end of a file and when a sequential device has no
        // data yet; a reader of files and buffers treats both as the end.
        m_eof = true;
        return false;
    }
    if (!m_started) {
        m_started = true;
        // A BOM split across reads is not a concern: the first read of a file returns at
        // least 3 bytes unless the file is shorter.
        if (m_buf.startsWith("\xEF\xBB\xBF"))
            m_pos = 3;
    }
    return true;
}

inline int CsvReader::peek()
{
    // A loop: a fill that only consumed a BOM leaves nothing to read yet.
    while (m_pos >= m_buf.size()) {
        if (!fill())
            return -1;
    }
    return static_cast<unsigned char>(m_buf.at(m_pos));
}

inline int CsvReader::get()
{
    const int c = peek();
    if (c != -1)
        ++m_pos;
    return c;
}

Error CsvReader::fail(Error error)
{
    m_fatal = error;
    return error;
}

Result<std::optional<CsvReader::RawRecord>> CsvReader::readRecord()
{
    if (m_fatal)
        return *m_fatal;

    // Blank lines between records carry nothing.
    for (;;) {
        const int c = peek();
        if (c == '\n') {
            get();
            ++m_line;
        } else if (c == '\r') {
            get();
            if (peek() == '\n')
                get();
            ++m_line;
        } else if (c == -1) {
            if (m_fatal)
                return *m_fatal;
            return std::optional<RawRecord>();
        } else {
            break;
        }
    }

    const char delim = m_options.delimiter;
    RawRecord rec;
    rec.line = m_line;
    qsizetype recordBytes = 0;
    QByteArray field;

    auto checkSize = [&]() -> std::optional<Error> {
        if (field.size() > m_options.maxFieldBytes) {
            return fail(makeError(Error::Code::TooLarge,
                                  QStringLiteral("line %1: field %2 is longer than %3 bytes (an unbalanced quote?)")
                                      .arg(rec.line)
                                      .arg(rec.fields.size() + 1)
                                      .arg(m_options.maxFieldBytes)));
        }
        if (recordBytes + field.size() > m_options.maxRecordBytes) {
            return fail(makeError(Error::Code::TooLarge, QStringLiteral("line %1: record is longer than %2 bytes")
                                                             .arg(rec.line)
                                                             .arg(m_options.maxRecordBytes)));
        }
        return std::nullopt;
    };

    for (;;) {
        field.clear();
        int c = peek();
        if (c == '"') {
            get();
            const qint64 quoteLine = m_line;
            for (;;) {
                c = get();
                if (c == -1) {
                    if (m_fatal)
                        return *m_fatal;
                    return fail(makeError(Error::Code::Corrupt,
                                          QStringLiteral("line %1: unterminated quoted field (the quote opened on "
                                                         "line %1 is still open at the end of the file)")
                                              .arg(quoteLine)));
                }
                if (c == '"') {
                    if (peek() == '"') {
                        get();
                        field.append('"');
                        continue;
                    }
                    break;
                }
                if (c == '\n' || (c == '\r' && peek() != '\n'))
                    ++m_line;
                field.append(char(c));
                if ((field.size() & 0xFFF) == 0 || field.size() > m_options.maxFieldBytes) {
                    if (auto e = checkSize())
                        return *e;
                }
            }
            c = peek();
            if (c != -1 && c != delim && c != '\r' && c != '\n' && rec.error.isEmpty()) {
                rec.error = QStringLiteral("line %1: unexpected text after the closing quote of field %2")
                                .arg(m_line)
                                .arg(rec.fields.size() + 1);
            }
        }
        // Unquoted text, or what follows a closing quote on a malformed row (kept, as
        // Python's csv module does, so the row can still be reported in full).
        while ((c = peek()) != -1 && c != delim && c != '\r' && c != '\n') {
            // Copy the run up to the next special byte at once.
            const char *p = m_buf.constData() + m_pos;
            const char *end = m_buf.constData() + m_buf.size();
            const char *q = p;
            while (q < end && *q != delim && *q != '\r' && *q != '\n')
                ++q;
            field.append(p, q - p);
            m_pos += q - p;
            if (auto e = checkSize())
                return *e;
        }
        if (m_fatal)
            return *m_fatal;
        if (auto e = checkSize())
            return *e;

        recordBytes += field.size();
        if (rec.fields.size() < m_options.maxColumns) {
            rec.fields.append(field);
        } else if (rec.error.isEmpty()) {
            rec.error = QStringLiteral("line %1: more than %2 fields").arg(rec.line).arg(m_options.maxColumns);
        }

        c = get();
        if (c == delim)
            continue;
        if (c == '\r') {
            if (peek() == '\n')
                get();
            ++m_line;
        } else if (c == '\n') {
            ++m_line;
        } else if (m_fatal) {
            return *m_fatal;
        }
        break;
    }
    return std::optional<RawRecord>(std::move(rec));
}

QString CsvReader::decode(const QByteArray &bytes, bool *invalid)
{
    // Keep a U+FEFF inside a field: only the file's leading BOM is a BOM. Stateless: a
    // sequence cut off at the end of the field is invalid, not state kept for more input.
    QStringDecoder decoder(QStringDecoder::Utf8, QStringConverter::Flag::ConvertInitialBom | QStringConverter::Flag::Stateless);
    QString s = decoder.decode(bytes);
    if (decoder.hasError())
        *invalid = true;
    return s;
}

Result<void> CsvReader::readHeader()
{
    if (m_headerRead)
        return {};
    m_headerRead = true;
    auto result = parseHeader();
    if (!result && !m_fatal)
        m_fatal = result.error();
    return result;
}

Result<void> CsvReader::parseHeader()
{
    auto rec = readRecord();
    if (!rec)
        return rec.error();
    if (!rec->has_value())
        return makeError(Error::Code::Corrupt, QStringLiteral("the file is empty: no header row"));
    const RawRecord &raw = **rec;
    if (!raw.error.isEmpty())
        return makeError(Error::Code::Corrupt, QStringLiteral("header: %1").arg(raw.error));
    QStringList names;
    names.reserve(raw.fields.size());
    for (const QByteArray &f : raw.fields) {
        bool invalid = false;
        names.append(decode(f, &invalid).trimmed());
        if (invalid)
            return makeError(Error::Code::Corrupt,
                             QStringLiteral("line %1: header column %2 is not valid UTF-8").arg(raw.line).arg(names.size()));
    }
    // Empty names are allowed (pandas writes its index column without one); repeated
    // non-empty names would make lookups by name ambiguous.
    for (int i = 0; i < names.size(); ++i) {
        if (names.at(i).isEmpty())
            continue;
        for (int j = 0; j < i; ++j) {
            if (names.at(j).compare(names.at(i), Qt::CaseInsensitive) == 0) {
                return makeError(Error::Code::Corrupt, QStringLiteral("line %1: column name \"%2\" appears twice (columns %3 and %4)")
                                                           .arg(raw.line)
                                                           .arg(names.at(i))
                                                           .arg(j + 1)
                                                           .arg(i + 1));
            }
        }
    }
    m_header = names;
    return {};
}

int CsvReader::column(QStringView name) const
{
    const QStringView wanted = name.trimmed();
    for (int i = 0; i < m_header.size(); ++i) {
        if (QStringView(m_header.at(i)).compare(wanted, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

Result<std::optional<CsvRow>> CsvReader::next()
{
    if (auto h = readHeader(); !h)
        return h.error();
    if (m_fatal)
        return *m_fatal;
    auto rec = readRecord();
    if (!rec)
        return rec.error();
    if (!rec->has_value())
        return std::optional<CsvRow>();
    RawRecord &raw = **rec;

    CsvRow row;
    row.line = raw.line;
    row.index = m_index++;
    row.error = raw.error;
    row.fields.reserve(raw.fields.size());
    int firstInvalid = -1;
    for (const QByteArray &f : std::as_const(raw.fields)) {
        bool invalid = false;
        row.fields.append(decode(f, &invalid));
        if (invalid && firstInvalid < 0)
            firstInvalid = int(row.fields.size());
    }
    if (row.error.isEmpty() && row.fields.size() != m_header.size()) {
        row.error = QStringLiteral("line %1: expected %2 fields as in the header, found %3")
                        .arg(row.line)
                        .arg(m_header.size())
                        .arg(row.fields.size());
    }
    if (row.error.isEmpty() && firstInvalid > 0) {
        const QString name = firstInvalid <= m_header.size() ? m_header.at(firstInvalid - 1) : QString();
        row.error = QStringLiteral("line %1: field %2%3 is not valid UTF-8")
                        .arg(row.line)
                        .arg(firstInvalid)
                        .arg(name.isEmpty() ? QString() : QStringLiteral(" (\"%1\")").arg(name));
    }
    return std::optional<CsvRow>(std::move(row));
}

} // namespace lookalike
