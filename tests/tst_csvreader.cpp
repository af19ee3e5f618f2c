#include "testsupport.h"
#include "util/csvreader.h"

#include <QBuffer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace lookalike;

namespace {

struct Parsed
{
    QStringList header;
    QList<QStringList> rows;
    QList<qint64> lines;
    QStringList rowErrors;
    QString fatal;
    Error::Code fatalCode = Error::Code::Generic;
};

Parsed parse(const QByteArray &input, const CsvOptions &options = {})
{
    Parsed p;
    QBuffer buffer;
    buffer.setData(input);
    buffer.open(QIODevice::ReadOnly);
    CsvReader reader(&buffer, options);
    if (auto h = reader.readHeader(); !h) {
        p.fatal = h.errorMessage();
        p.fatalCode = h.error().code;
        return p;
    }
    p.header = reader.header();
    for (;;) {
        auto row = reader.next();
        if (!row) {
            p.fatal = row.errorMessage();
            p.fatalCode = row.error().code;
            // A fatal error is final.
            auto again = reader.next();
            if (again || again.errorMessage() != p.fatal)
                p.fatal = QStringLiteral("error was not sticky");
            break;
        }
        if (!row->has_value())
            break;
        const CsvRow &r = **row;
        if (r.index != p.rows.size())
            p.fatal = QStringLiteral("bad index %1").arg(r.index);
        p.rows.append(r.fields);
        p.lines.append(r.line);
        p.rowErrors.append(r.error);
    }
    return p;
}

} // namespace

class TestCsvReader final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsing_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QStringList>("header");
        QTest::addColumn<QList<QStringList>>("rows");
        QTest::addColumn<QList<qint64>>("lines");
        QTest::addColumn<QStringList>("rowErrors"); // substring expected in each row's error, "" = none
        QTest::addColumn<QString>("fatal");         // substring of the final error, "" = none

        using L = QList<QStringList>;
        using N = QList<qint64>;
        const QStringList ab{QStringLiteral("a"), QStringLiteral("b")};
        const QString none;

        QTest::newRow("simple") << QByteArray("a,b\n1,2\n3,4\n") << ab << L{{"1", "2"}, {"3", "4"}} << N{2, 3}
                                << QStringList{none, none} << none;
        QTest::newRow("no final newline") << QByteArray("a,b\n1,2") << ab << L{{"1", "2"}} << N{2} << QStringList{none} << none;
        QTest::newRow("quoted delimiter") << QByteArray("a,b\n\"x,y\",2\n") << ab << L{{"x,y", "2"}} << N{2}
                                          << QStringList{none} << none;
        QTest::newRow("doubled quotes") << QByteArray("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n") << ab
                                        << L{{"say \"hi\"", "\""}} << N{2} << QStringList{none} << none;
        QTest::newRow("empty quoted field") << QByteArray("a,b\n\"\",2\n") << ab << L{{"", "2"}} << N{2}
                                            << QStringList{none} << none;
        QTest::newRow("newline in quotes") << QByteArray("a,b\n\"l1\nl2\",2\n3,4\n") << ab << L{{"l1\nl2", "2"}, {"3", "4"}}
                                           << N{2, 4} << QStringList{none, none} << none;
        QTest::newRow("CRLF") << QByteArray("a,b\r\n1,2\r\n\"x\r\ny\",3\r\n5,6\r\n") << ab
                              << L{{"1", "2"}, {"x\r\ny", "3"}, {"5", "6"}} << N{2, 3, 5} << QStringList{none, none, none} << none;
        QTest::newRow("lone CR") << QByteArray("a,b\r1,2\r3,4") << ab << L{{"1", "2"}, {"3", "4"}} << N{2, 3}
                                 << QStringList{none, none} << none;
        QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBF" "a,b\n1,2\n") << ab << L{{"1", "2"}} << N{2} << QStringList{none} << none;
        QTest::newRow("U+FEFF inside a field is kept")
            << QByteArray("a,b\n\xEF\xBB\xBFx,2\n") << ab << L{{QString(QChar(0xFEFF)) + u'x', "2"}} << N{2} << QStringList{none} << none;
        QTest::newRow("empty fields") << QByteArray("a,b,c\n,,\n") << QStringList{"a", "b", "c"} << L{{"", "", ""}} << N{2}
                                      << QStringList{none} << none;
        QTest::newRow("blank lines skipped") << QByteArray("a,b\n\n1,2\n\r\n3,4\n\n") << ab << L{{"1", "2"}, {"3", "4"}} << N{3, 5}
                                             << QStringList{none, none} << none;
        QTest::newRow("header trimmed") << QByteArray(" a , b \n1,2\n") << ab << L{{"1", "2"}} << N{2} << QStringList{none} << none;
        QTest::newRow("unnamed index column") << QByteArray(",a,b\n0,1,2\n") << QStringList{"", "a", "b"} << L{{"0", "1", "2"}} << N{2}
                                              << QStringList{none} << none;
        QTest::newRow("UTF-8") << QByteArray("a,b\nR\xC3\xB6ntgen,\xE2\x9C\x93\n") << ab << L{{QStringLiteral("Röntgen"), QStringLiteral("✓")}}
                               << N{2} << QStringList{none} << none;
        QTest::newRow("quote inside unquoted field is literal") << QByteArray("a,b\nab\"c,2\n") << ab << L{{"ab\"c", "2"}} << N{2}
                                                                << QStringList{none} << none;
        QTest::newRow("header only") << QByteArray("a,b\n") << ab << L{} << N{} << QStringList{} << none;
        QTest::newRow("header only, no newline") << QByteArray("a,b") << ab << L{} << N{} << QStringList{} << none;

        // Malformed rows: reported per row with their line, the rest still read.
        QTest::newRow("ragged short row") << QByteArray("a,b\n1\n2,3\n") << ab << L{{"1"}, {"2", "3"}} << N{2, 3}
                                          << QStringList{"line 2: expected 2 fields as in the header, found 1", none} << none;
        QTest::newRow("ragged long row") << QByteArray("a,b\n1,2\n\"x\ny\",2,3\n4,5\n") << ab << L{{"1", "2"}, {"x\ny", "2", "3"}, {"4", "5"}}
                                         << N{2, 3, 5} << QStringList{none, "line 3: expected 2 fields as in the header, found 3", none} << none;
        QTest::newRow("text after closing quote") << QByteArray("a,b\n\"x\"y,2\n3,4\n") << ab << L{{"xy", "2"}, {"3", "4"}} << N{2, 3}
                                                  << QStringList{"line 2: unexpected text after the closing quote of field 1", none} << none;
        QTest::newRow("invalid UTF-8") << QByteArray("a,b\n1,\xFF\xFEx\n\xC3\x28,2\n\xED\xA0\x80,3\n4,5\n") << ab
                                       << L{{"1", QStringLiteral("\uFFFD\uFFFDx")}, {QStringLiteral("\uFFFD("), "2"}, {QStringLiteral("\uFFFD\uFFFD\uFFFD"), "3"}, {"4", "5"}}
                                       << N{2, 3, 4, 5}
                                       << QStringList{"line 2: field 2 (\"b\") is not valid UTF-8", "line 3: field 1 (\"a\") is not valid UTF-8",
                                                      "line 4: field 1", none}
                                       << none;
        QTest::newRow("UTF-8 sequence cut off at the end of a field")
            << QByteArray("a,b\n1,x\xC3\n\xE2\x9C,2\n") << ab << L{{"1", QStringLiteral("x\uFFFD")}, {QStringLiteral("\uFFFD\uFFFD"), "2"}} << N{2, 3}
            << QStringList{"line 2: field 2 (\"b\") is not valid UTF-8", "line 3: field 1"} << none;

        // Errors that end the read.
        QTest::newRow("empty file") << QByteArray() << QStringList{} << L{} << N{} << QStringList{} << "the file is empty";
        QTest::newRow("only a BOM") << QByteArray("\xEF\xBB\xBF") << QStringList{} << L{} << N{} << QStringList{} << "the file is empty";
        QTest::newRow("only blank lines") << QByteArray("\n\r\n\n") << QStringList{} << L{} << N{} << QStringList{} << "the file is empty";
        QTest::newRow("unterminated quote at EOF") << QByteArray("a,b\n1,2\n3,\"open\n4,5\n") << ab << L{{"1", "2"}} << N{2}
                                                   << QStringList{none} << "line 3: unterminated quoted field";
        QTest::newRow("unterminated quote in header") << QByteArray("a,\"b\n") << QStringList{} << L{} << N{} << QStringList{}
                                                      << "line 1: unterminated quoted field";
        QTest::newRow("duplicate column") << QByteArray("a,A\n1,2\n") << QStringList{} << L{} << N{} << QStringList{}
                                          << "column name \"A\" appears twice (columns 1 and 2)";
        QTest::newRow("invalid UTF-8 header") << QByteArray("a,\xFF\n1,2\n") << QStringList{} << L{} << N{} << QStringList{}
                                              << "line 1: header column 2 is not valid UTF-8";
        QTest::newRow("malformed header") << QByteArray("\"a\"x,b\n1,2\n") << QStringList{} << L{} << N{} << QStringList{}
                                          << "header: line 1: unexpected text after the closing quote";
    }

    void parsing()
    {
        QFETCH(QByteArray, input);
        QFETCH(QStringList, header);
        QFETCH(QList<QStringList>, rows);
        QFETCH(QList<qint64>, lines);
        QFETCH(QStringList, rowErrors);
        QFETCH(QString, fatal);

        const Parsed p = parse(input);
        QCOMPARE(p.header, header);
        QCOMPARE(p.rows, rows);
        QCOMPARE(p.lines, lines);
        QCOMPARE(p.rowErrors.size(), rowErrors.size());
        for (int i = 0; i < rowErrors.size(); ++i) {
            if (rowErrors.at(i).isEmpty())
                QVERIFY2(p.rowErrors.at(i).isEmpty(), qPrintable(p.rowErrors.at(i)));
            else
                QVERIFY2(p.rowErrors.at(i).contains(rowErrors.at(i)), qPrintable(p.rowErrors.at(i)));
        }
        if (fatal.isEmpty())
            QVERIFY2(p.fatal.isEmpty(), qPrintable(p.fatal));
        else
            QVERIFY2(p.fatal.contains(fatal), qPrintable(p.fatal));
    }

    void fieldLimit()
    {
        CsvOptions options;
        options.maxFieldBytes = 100;
        // A stray quote swallowing the rest of a long file stops at the limit, not at EOF.
        QByteArray input("a,b\n1,2\n\"oops,");
        for (int i = 0; i < 1000; ++i)
            input.append("x,y\n");
        Parsed p = parse(input, options);
        QCOMPARE(p.rows.size(), 1);
        QCOMPARE(p.fatalCode, Error::Code::TooLarge);
        QVERIFY2(p.fatal.contains(QStringLiteral("line 3: field 1 is longer than 100 bytes")), qPrintable(p.fatal));

        // Unquoted, the same.
        p = parse("a,b\n" + QByteArray(101, 'z') + ",1\n", options);
        QCOMPARE(p.fatalCode, Error::Code::TooLarge);
        p = parse("a,b\n" + QByteArray(100, 'z') + ",1\n", options);
        QVERIFY2(p.fatal.isEmpty(), qPrintable(p.fatal));
        QCOMPARE(p.rows.value(0).value(0).size(), 100);

        options = {};
        options.maxRecordBytes = 50;
        p = parse("a,b,c\n" + QByteArray(20, 'z') + ',' + QByteArray(20, 'z') + ',' + QByteArray(20, 'z') + '\n', options);
        QCOMPARE(p.fatalCode, Error::Code::TooLarge);
        QVERIFY2(p.fatal.contains(QStringLiteral("line 2: record is longer than 50 bytes")), qPrintable(p.fatal));
    }

    void columnLimit()
    {
        CsvOptions options;
        options.maxColumns = 3;
        Parsed p = parse("a,b,c\n1,2,3\n" + QByteArray(100000, ',') + "\n4,5,6\n", options);
        QVERIFY2(p.fatal.isEmpty(), qPrintable(p.fatal));
        QCOMPARE(p.rows.size(), 3);
        QCOMPARE(p.rows.at(1).size(), 3); // the rest was dropped, not stored
        QVERIFY2(p.rowErrors.at(1).contains(QStringLiteral("line 3: more than 3 fields")), qPrintable(p.rowErrors.at(1)));
        QCOMPARE(p.rows.at(2), (QStringList{"4", "5", "6"}));

        p = parse("a,b,c,d\n1,2,3,4\n", options);
        QVERIFY2(p.fatal.contains(QStringLiteral("more than 3 fields")), qPrintable(p.fatal));
    }

    void columnLookup()
    {
        QBuffer buffer;
        buffer.setData("image_id,Image_Path, report_text \n");
        buffer.open(QIODevice::ReadOnly);
        CsvReader reader(&buffer);
        // next() reads the header itself when it was not read.
        auto row = reader.next();
        QVERIFY(row.ok());
        QVERIFY(!row->has_value());
        QCOMPARE(reader.column(u"image_path"), 1);
        QCOMPARE(reader.column(u"REPORT_TEXT"), 2);
        QCOMPARE(reader.column(u" image_id "), 0);
        QCOMPARE(reader.column(u"uid"), -1);
    }

    // Many records through the 64 KiB read buffer: quoted fields with doubled quotes, CRLF
    // and line breaks land on every chunk boundary at some point.
    void streamingAcrossChunks()
    {
        QByteArray input("id,text,n\r\n");
        const int count = 20000;
        for (int i = 0; i < count; ++i)
            input.append(QStringLiteral("%1,\"row \"\"%1\"\",\r\nnext, line\",%2\r\n").arg(i).arg(i * 7).toUtf8());
        const Parsed p = parse(input);
        QVERIFY2(p.fatal.isEmpty(), qPrintable(p.fatal));
        QCOMPARE(p.rows.size(), count);
        for (int i = 0; i < count; ++i) {
            const QStringList expected{QString::number(i), QStringLiteral("row \"%1\",\r\nnext, line").arg(i), QString::number(i * 7)};
            if (p.rows.at(i) != expected || p.lines.at(i) != 2 + 2 * i)
                QFAIL(qPrintable(QStringLiteral("row %1: %2 at line %3").arg(i).arg(p.rows.at(i).join(u'|')).arg(p.lines.at(i))));
        }
    }

    void openMissingFile()
    {
        auto reader = CsvReader::open(QStringLiteral("/nonexistent/dir/cases.csv"));
        QVERIFY(!reader);
        QCOMPARE(reader.error().code, Error::Code::Io);
        QVERIFY(reader.errorMessage().contains(QStringLiteral("/nonexistent/dir/cases.csv")));
    }

    void openEmptyFileNamesIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("empty.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        auto reader = CsvReader::open(path);
        QVERIFY(!reader);
        QVERIFY2(reader.errorMessage().contains(path) && reader.errorMessage().contains(QStringLiteral("empty")),
                 qPrintable(reader.errorMessage()));
    }

    // The real export: 50 rows, reports with commas and quotes.
    void cxrSample()
    {
        const QString path = test::testDataDir() + QStringLiteral("/cxr-sample/cases.csv");
        auto reader = CsvReader::open(path);
        QVERIFY2(reader.ok(), qPrintable(reader.errorMessage()));
        CsvReader &r = **reader;
        QCOMPARE(r.header(), (QStringList{"image_id", "filename", "image_path", "uid", "report_text", "finding", "view",
                                          "modality", "license", "source"}));
        int rows = 0;
        bool sawArdsRow = false;
        for (;;) {
            auto row = r.next();
            QVERIFY2(row.ok(), qPrintable(row.errorMessage()));
            if (!row->has_value())
                break;
            QVERIFY2((*row)->ok(), qPrintable((*row)->error));
            QVERIFY((*row)->value(r.column(u"image_path")).startsWith(QStringLiteral("images/")));
            if ((*row)->value(0) == u"16660_5_1") {
                sawArdsRow = true;
                QCOMPARE((*row)->value(r.column(u"finding")), QStringLiteral("COVID-19, ARDS"));
                QVERIFY((*row)->value(r.column(u"report_text")).startsWith(QStringLiteral("A 72-year-old woman admitted")));
            }
            ++rows;
        }
        QCOMPARE(rows, 50);
        QVERIFY(sawArdsRow);
    }
};

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
