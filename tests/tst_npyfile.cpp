#include "util/npyfile.h"

#include <QFile>
#include <QFloat16>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <cstring>

using namespace lookalike;

namespace {

// The value every test matrix holds at (i, j): exact in float16, float32 and float64.
float cell(qint64 i, qint64 j)
{
    return float(i) * 4.0f + float(j) * 0.25f - 3.0f;
}

// A .npy file built by hand: magic, version, header length, the dict text padded to 64
// bytes and ended by '\n' (as numpy writes it), then `data`.
QByteArray makeNpy(int major, const QByteArray &dict, const QByteArray &data, int minor = 0)
{
    QByteArray out("\x93NUMPY", 6);
    out.append(char(major)).append(char(minor));
    const int lenSize = major == 1 ? 2 : 4;
    QByteArray header = dict;
    const qsizetype unpadded = 8 + lenSize + header.size() + 1;
    header.append(QByteArray((64 - unpadded % 64) % 64, ' ')).append('\n');
    if (major == 1) {
        const quint16 len = qToLittleEndian(quint16(header.size()));
        out.append(reinterpret_cast<const char *>(&len), 2);
    } else {
        const quint32 len = qToLittleEndian(quint32(header.size()));
        out.append(reinterpret_cast<const char *>(&len), 4);
    }
    return out + header + data;
}

QByteArray dictFor(const char *descr, bool fortran, const QByteArray &shape)
{
    return QByteArray("{'descr': '") + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
}

// rows × cols of cell() in the given element type and order.
QByteArray matrixBytes(qint64 rows, qint64 cols, int itemSize, bool bigEndian, bool fortran)
{
    QByteArray out;
    auto put = [&](float v) {
        char b[8];
        if (itemSize == 2) {
            const qfloat16 h(v);
            quint16 bits;
            std::memcpy(&bits, static_cast<const void *>(&h), 2);
            bigEndian ? qToBigEndian(bits, b) : qToLittleEndian(bits, b);
        } else if (itemSize == 4) {
            quint32 bits;
            std::memcpy(&bits, &v, 4);
            bigEndian ? qToBigEndian(bits, b) : qToLittleEndian(bits, b);
        } else {
            const double d = v;
            quint64 bits;
            std::memcpy(&bits, &d, 8);
            bigEndian ? qToBigEndian(bits, b) : qToLittleEndian(bits, b);
        }
        out.append(b, itemSize);
    };
    if (fortran) {
        for (qint64 j = 0; j < cols; ++j)
            for (qint64 i = 0; i < rows; ++i)
                put(cell(i, j));
    } else {
        for (qint64 i = 0; i < rows; ++i)
            for (qint64 j = 0; j < cols; ++j)
                put(cell(i, j));
    }
    return out;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

bool matrixIsCells(const std::vector<float> &m, qint64 rows, qint64 cols, qint64 firstRow = 0)
{
    if (qint64(m.size()) != rows * cols)
        return false;
    for (qint64 i = 0; i < rows; ++i)
        for (qint64 j = 0; j < cols; ++j)
            if (m[size_t(i * cols + j)] != cell(firstRow + i, j))
                return false;
    return true;
}

const QString kPython = QStringLiteral("/usr/bin/python3");

} // namespace

class TestNpyFile final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void valid_data()
    {
        QTest::addColumn<int>("major");
        QTest::addColumn<QByteArray>("descr");
        QTest::addColumn<bool>("fortran");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");

        QTest::newRow("v1 <f4") << 1 << QByteArray("<f4") << false << 5 << 7;
        QTest::newRow("v2 <f4") << 2 << QByteArray("<f4") << false << 3 << 4;
        QTest::newRow("v3 <f4") << 3 << QByteArray("<f4") << false << 3 << 4;
        QTest::newRow("v1 <f8 converted") << 1 << QByteArray("<f8") << false << 4 << 3;
        QTest::newRow("v1 <f2 converted") << 1 << QByteArray("<f2") << false << 4 << 3;
        QTest::newRow("v1 >f4 byte-swapped") << 1 << QByteArray(">f4") << false << 4 << 3;
        QTest::newRow("v1 >f8 byte-swapped") << 1 << QByteArray(">f8") << false << 2 << 3;
        QTest::newRow("fortran order <f4") << 1 << QByteArray("<f4") << true << 6 << 5;
        QTest::newRow("fortran order <f8") << 1 << QByteArray("<f8") << true << 6 << 5;
        QTest::newRow("zero rows") << 1 << QByteArray("<f4") << false << 0 << 8;
        QTest::newRow("one column") << 1 << QByteArray("<f4") << false << 9 << 1;
    }

    void valid()
    {
        QFETCH(int, major);
        QFETCH(QByteArray, descr);
        QFETCH(bool, fortran);
        QFETCH(int, rows);
        QFETCH(int, cols);

        QTemporaryDir dir;
        const int itemSize = descr.at(2) - '0';
        const QByteArray shape = QStringLiteral("(%1, %2)").arg(rows).arg(cols).toLatin1();
        const QString path = writeFile(dir, QStringLiteral("m.npy"),
                                       makeNpy(major, dictFor(descr.constData(), fortran, shape),
                                               matrixBytes(rows, cols, itemSize, descr.at(0) == '>', fortran)));
        auto npy = NpyFile::open(path);
        QVERIFY2(npy.ok(), qPrintable(npy.errorMessage()));
        QCOMPARE(npy->rows(), rows);
        QCOMPARE(npy->columns(), cols);
        QCOMPARE(npy->header().majorVersion, major);
        QCOMPARE(npy->header().fortranOrder, fortran);
        QCOMPARE(npy->header().descr, QString::fromLatin1(descr));
        auto all = npy->readAll();
        QVERIFY2(all.ok(), qPrintable(all.errorMessage()));
        QVERIFY(matrixIsCells(*all, rows, cols));

        // A slice from the middle, as the importer reads in batches.
        if (rows >= 3) {
            std::vector<float> part(size_t(2 * cols));
            QVERIFY(npy->readRows(1, 2, part).ok());
            QVERIFY(matrixIsCells(part, 2, cols, 1));
        }
    }

    void headerVariants()
    {
        // Keys in another order, double quotes, no trailing comma, extra spaces, a
        // Python 2 long literal: all things some writer has produced.
        QTemporaryDir dir;
        const QByteArray data = matrixBytes(2, 3, 4, false, false);
        for (const QByteArray &dict : {QByteArray("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}"),
                                       QByteArray("{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,3)}"),
                                       QByteArray("  {  'descr' : '<f4' ,  'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }  "),
                                       QByteArray("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }")}) {
            const QString path = writeFile(dir, QStringLiteral("v.npy"), makeNpy(1, dict, data));
            auto npy = NpyFile::open(path);
            QVERIFY2(npy.ok(), qPrintable(dict + ": " + npy.errorMessage()));
            auto all = npy->readAll();
            QVERIFY(all.ok() && matrixIsCells(*all, 2, 3));
        }
    }

    void invalid_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");

        const QByteArray d23 = matrixBytes(2, 3, 4, false, false);
        const auto f4 = [](const QByteArray &shape) { return dictFor("<f4", false, shape); };
        const int corrupt = int(Error::Code::Corrupt);
        const int unsupported = int(Error::Code::Unsupported);
        const int tooLarge = int(Error::Code::TooLarge);

        QTest::newRow("empty file") << QByteArray() << corrupt << "no \\x93NUMPY magic";
        QTest::newRow("bad magic") << QByteArray("\x93NUMPZ\x01\x00\x10\x00{}") << corrupt << "no \\x93NUMPY magic";
        QTest::newRow("text file") << QByteArray("image_id,filename\n") << corrupt << "no \\x93NUMPY magic";
        QTest::newRow("version 4.0") << makeNpy(4, f4("(2, 3)"), d23) << unsupported << "version 4.0 is not supported";
        QTest::newRow("version 1.1") << makeNpy(1, f4("(2, 3)"), d23, 1) << unsupported << "version 1.1 is not supported";
        QTest::newRow("header cut short") << makeNpy(1, f4("(2, 3)"), {}).left(30) << corrupt << "truncated .npy header";
        QTest::newRow("no header length") << QByteArray("\x93NUMPY\x02\x00\x10", 9) << corrupt << "truncated .npy header";
        {
            QByteArray huge("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12);
            QTest::newRow("huge header length") << huge + "{}" << corrupt << "header length 4294967295 exceeds the limit";
        }
        QTest::newRow("truncated data") << makeNpy(1, f4("(2, 3)"), d23.left(20)) << corrupt << "truncated: shape (2, 3) of <f4 needs 24 data bytes, the file has 20";
        QTest::newRow("trailing bytes") << makeNpy(1, f4("(2, 3)"), d23 + "xx") << corrupt << "2 trailing bytes";
        QTest::newRow("wrong dtype int32") << makeNpy(1, dictFor("<i4", false, "(2, 3)"), d23) << unsupported << "dtype '<i4' is not supported";
        QTest::newRow("wrong dtype uint8") << makeNpy(1, dictFor("|u1", false, "(2, 3)"), QByteArray(6, 0)) << unsupported << "dtype '|u1' is not supported";
        QTest::newRow("wrong dtype complex") << makeNpy(1, dictFor("<c8", false, "(2, 3)"), QByteArray(48, 0)) << unsupported << "dtype '<c8'";
        QTest::newRow("object array") << makeNpy(1, dictFor("|O", false, "(2, 3)"), QByteArray(48, 0)) << unsupported << "dtype '|O'";
        QTest::newRow("structured dtype") << makeNpy(1, "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (3,), }", d23)
                                         << unsupported << "structured";
        QTest::newRow("1-D") << makeNpy(1, f4("(6,)"), d23) << unsupported << "shape (6) is not supported: expected a 2-D matrix";
        QTest::newRow("3-D") << makeNpy(1, f4("(1, 2, 3)"), d23) << unsupported << "shape (1, 2, 3) is not supported";
        QTest::newRow("scalar") << makeNpy(1, f4("()"), d23.left(4)) << unsupported << "shape () is not supported";
        QTest::newRow("zero-width") << makeNpy(1, f4("(5, 0)"), {}) << int(Error::Code::InvalidArgument) << "zero-length vectors";
        QTest::newRow("negative rows") << makeNpy(1, f4("(-1, 3)"), d23) << corrupt << "negative dimension in shape (-1, 3)";
        QTest::newRow("negative columns") << makeNpy(1, f4("(2, -3)"), d23) << corrupt << "negative dimension";
        QTest::newRow("huge shape") << makeNpy(1, f4("(4611686018427387904, 4611686018427387904)"), d23) << tooLarge << "exceed the limit of 65536";
        QTest::newRow("huge rows") << makeNpy(1, f4("(4611686018427387904, 3)"), d23) << tooLarge << "exceeds the limit of 8589934592 values";
        QTest::newRow("rows*cols overflow") << makeNpy(1, f4("(3074457345618258603, 3)"), d23) << tooLarge << "exceeds the limit";
        QTest::newRow("too wide") << makeNpy(1, f4("(1, 100000000)"), d23) << tooLarge << "exceed the limit of 65536";
        QTest::newRow("64-bit overflow") << makeNpy(1, f4("(99999999999999999999999, 3)"), d23) << corrupt << "does not fit in 64 bits";
        QTest::newRow("shape not a tuple") << makeNpy(1, f4("[2, 3]"), d23) << corrupt << "shape is not a tuple";
        QTest::newRow("float in shape") << makeNpy(1, f4("(2.0, 3)"), d23) << corrupt << "malformed .npy header";
        QTest::newRow("missing key") << makeNpy(1, "{'descr': '<f4', 'shape': (2, 3), }", d23) << corrupt << "needs the keys descr, fortran_order and shape";
        QTest::newRow("extra key") << makeNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", d23) << corrupt << "unexpected key 'x'";
        QTest::newRow("duplicate key") << makeNpy(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", d23) << corrupt << "key 'descr' appears twice";
        QTest::newRow("fortran_order not bool") << makeNpy(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", d23) << corrupt << "fortran_order is not True or False";
        QTest::newRow("not a dict") << makeNpy(1, "['<f4', False, (2, 3)]", d23) << corrupt << "not a Python dict";
        QTest::newRow("unterminated string") << makeNpy(1, "{'descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}", d23) << corrupt << "malformed .npy header";
        QTest::newRow("garbage after dict") << makeNpy(1, f4("(2, 3)") + " import os", d23) << corrupt << "unexpected text after the header dict";
        QTest::newRow("deep nesting") << makeNpy(1, "{'descr': [[[[[[['<f4']]]]]]], 'fortran_order': False, 'shape': (2, 3)}", d23) << corrupt << "nested too deeply";
        QTest::newRow("binary header") << makeNpy(1, QByteArray("\x00\x01\x02\xff", 4), d23) << corrupt << "not a Python dict";
    }

    void invalid()
    {
        QFETCH(QByteArray, file);
        QFETCH(int, code);
        QFETCH(QString, message);

        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("bad.npy"), file);
        auto npy = NpyFile::open(path);
        QVERIFY(!npy.ok());
        QVERIFY2(npy.errorMessage().contains(message), qPrintable(npy.errorMessage()));
        QVERIFY2(npy.errorMessage().startsWith(path), qPrintable(npy.errorMessage()));
        QCOMPARE(int(npy.error().code), code);
    }

    void missingFile()
    {
        auto npy = NpyFile::open(QStringLiteral("/nonexistent/x.npy"));
        QVERIFY(!npy.ok());
        QCOMPARE(npy.error().code, Error::Code::Io);
    }

    void readRowsBounds()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("m.npy"), makeNpy(1, dictFor("<f4", false, "(4, 2)"), matrixBytes(4, 2, 4, false, false)));
        auto npy = NpyFile::open(path);
        QVERIFY(npy.ok());
        std::vector<float> out(4);
        QVERIFY(!npy->readRows(3, 2, out).ok()); // past the end
        QVERIFY(!npy->readRows(-1, 2, out).ok());
        std::vector<float> small(3);
        QVERIFY(!npy->readRows(0, 2, small).ok()); // output too small
        QVERIFY(npy->readRows(2, 2, out).ok());
        QVERIFY(matrixIsCells(out, 2, 2, 2));
    }

    // Files written by numpy itself: C and Fortran order, float64, big-endian, format 2.0.
    // numpy is part of the test toolchain here: its absence fails the test.
    void writtenByNumpy()
    {
        QVERIFY2(QFile::exists(kPython), "/usr/bin/python3 is required");
        QTemporaryDir dir;
        const QString script = QStringLiteral(R"(
import sys, numpy as np
d = sys.argv[1]
i, j = np.meshgrid(np.arange(37), np.arange(19), indexing='ij')
a = (i * 4.0 + j * 0.25 - 3.0)
np.save(d + '/c_f4.npy', a.astype('<f4'))
np.save(d + '/c_f8.npy', a.astype('<f8'))
np.save(d + '/fortran_f4.npy', np.asfortranarray(a.astype('<f4')))
np.save(d + '/be_f4.npy', a.astype('>f4'))
with open(d + '/v2_f4.npy', 'wb') as f:
    np.lib.format.write_array(f, a.astype('<f4'), version=(2, 0))
)");
        QProcess py;
        py.start(kPython, {QStringLiteral("-c"), script, dir.path()});
        QVERIFY(py.waitForFinished(60000));
        QVERIFY2(py.exitStatus() == QProcess::NormalExit && py.exitCode() == 0, py.readAllStandardError().constData());

        for (const char *name : {"c_f4.npy", "c_f8.npy", "fortran_f4.npy", "be_f4.npy", "v2_f4.npy"}) {
            auto npy = NpyFile::open(dir.filePath(QLatin1String(name)));
            QVERIFY2(npy.ok(), qPrintable(npy.errorMessage()));
            QCOMPARE(npy->rows(), 37);
            QCOMPARE(npy->columns(), 19);
            auto all = npy->readAll();
            QVERIFY2(all.ok(), qPrintable(all.errorMessage()));
            QVERIFY2(matrixIsCells(*all, 37, 19), name);
        }
        QCOMPARE(NpyFile::open(dir.filePath(QStringLiteral("fortran_f4.npy")))->header().fortranOrder, true);
        QCOMPARE(NpyFile::open(dir.filePath(QStringLiteral("v2_f4.npy")))->header().majorVersion, 2);
    }

    void writeRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.npy"));
        std::vector<float> m;
        for (int i = 0; i < 11; ++i)
            for (int j = 0; j < 6; ++j)
                m.push_back(cell(i, j));
        QVERIFY(NpyFile::writeFloat32(path, 11, 6, m).ok());
        QVERIFY(!NpyFile::writeFloat32(path, 11, 5, m).ok());
        auto npy = NpyFile::open(path);
        QVERIFY2(npy.ok(), qPrintable(npy.errorMessage()));
        QCOMPARE(npy->header().dataOffset % 64, 0);
        QVERIFY(matrixIsCells(*npy->readAll(), 11, 6));

        // numpy reads what we wrote.
        QProcess py;
        py.start(kPython, {QStringLiteral("-c"),
                           QStringLiteral("import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype, a.shape, repr(float(a[10, 5])))"), path});
        QVERIFY(py.waitForFinished(60000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        QCOMPARE(py.readAllStandardOutput().trimmed(), QByteArray("float32 (11, 6) 38.25"));
    }
};

QTEST_GUILESS_MAIN(TestNpyFile)
#include "tst_npyfile.moc"
