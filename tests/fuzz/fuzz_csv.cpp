// CsvReader, which reads the reports/metadata CSVs users import: quoting, line ends, BOM,
// invalid UTF-8, ragged rows and the field/record/column caps.
#include "fuzzsupport.h"
#include "util/csvreader.h"

#include <QBuffer>

using namespace lookalike;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray bytes = fuzz::bytesOf(data, size);
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    CsvOptions options;
    options.maxFieldBytes = 4096;
    options.maxRecordBytes = 65536;
    options.maxColumns = 64;
    CsvReader reader(&buffer, options);
    if (!reader.readHeader())
        return 0;
    for (int rows = 0; rows < 100000; ++rows) {
        auto row = reader.next();
        if (!row || !*row)
            break;
        if ((*row)->fields.size() > options.maxColumns)
            std::abort();
    }
    return 0;
}
