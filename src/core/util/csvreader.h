#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QIODevice>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace lookalike {

struct CsvOptions
{
    char delimiter = ',';
    // A field longer than this stops the reader: past that point a stray quote has usually
    // swallowed the rest of the file, and memory must stay bounded on hostile input.
    qsizetype maxFieldBytes = qsizetype(1) << 20;
    qsizetype maxRecordBytes = qsizetype(16) << 20;
    int maxColumns = 4096;
};

// One data record. `error` is set for a record that parsed but is not well-formed (wrong
// number of fields, invalid UTF-8, text after a closing quote); its fields are still given,
// with invalid UTF-8 replaced by U+FFFD, so the caller decides whether to skip it.
struct CsvRow
{
    qint64 line = 0;   // 1-based physical line where the record starts
    qint64 index = 0;  // 0-based data record number, header excluded, blank lines not counted
    QStringList fields;
    QString error;

    bool ok() const { return error.isEmpty(); }
    // The field at `column`, or an empty string when the row is shorter (ragged).
    QString value(int column) const { return column >= 0 && column < fields.size() ? fields.at(column) : QString(); }
};

// A streaming RFC 4180 reader: the first record is the header; quoted fields may hold
// delimiters, doubled quotes and line breaks; CRLF, LF and lone CR end records; a UTF-8 BOM
// is skipped. Bytes are parsed as they are read (bounded memory whatever the file size).
// Beyond the RFC, and as spreadsheet exports expect: blank lines are skipped (pandas numbers
// rows the same way), a quote inside an unquoted field is literal text.
// Errors that make the rest of the file unreliable (unterminated quote at end of file,
// oversized field, read error) are returned by next() as an Error naming the line; every
// later call returns the same error.
class CsvReader final
{
public:
    // Reads from `device`, which must be open for reading and outlive the reader.
    explicit CsvReader(QIODevice *device, const CsvOptions &options = {});
    ~CsvReader();
    CsvReader(const CsvReader &) = delete;
    CsvReader &operator=(const CsvReader &) = delete;

    // Opens `path` and reads its header row.
    static Result<std::unique_ptr<CsvReader>> open(const QString &path, const CsvOptions &options = {});

    // Reads the header (once; next() calls it when needed). Fails, for good, on an empty
    // file, a repeated column name, or a malformed header record.
    Result<void> readHeader();
    const QStringList &header() const { return m_header; }
    // Column index by name (trimmed, case-insensitive), or -1.
    int column(QStringView name) const;

    // The next data record, std::nullopt at end of input.
    Result<std::optional<CsvRow>> next();

    // Physical lines consumed so far.
    qint64 linesRead() const { return m_line - 1; }

private:
    enum class Field { Ok, EndOfRecord, EndOfInput };
    struct RawRecord
    {
        qint64 line = 0;
        QList<QByteArray> fields;
        QString error;
    };

    int peek();
    int get();
    bool fill();
    Result<std::optional<RawRecord>> readRecord();
    Result<void> parseHeader();
    QString decode(const QByteArray &bytes, bool *invalid);
    Error fail(Error error);

    QIODevice *m_device = nullptr;
    std::unique_ptr<QIODevice> m_owned;
    CsvOptions m_options;
    QByteArray m_buf;
    qsizetype m_pos = 0;
    bool m_eof = false;
    bool m_started = false;
    qint64 m_line = 1;
    qint64 m_index = 0;
    bool m_headerRead = false;
    QStringList m_header;
    std::optional<Error> m_fatal;
};

} // namespace lookalike
