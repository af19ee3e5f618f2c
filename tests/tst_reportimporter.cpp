#include "collection/collection.h"
#include "collection/collectionwriter.h"
#include "importers/embeddingimporter.h"
#include "importers/reportimporter.h"
#include "testsupport.h"
#include "util/csvreader.h"
#include "util/npyfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <set>

using namespace lookalike;

namespace {

const QString kTestSpace = QStringLiteral("image:test");

struct SampleRow
{
    QString imagePath; // absolute
    QString imageId;
    QString uid;
    QString report;
    QString finding;
    QString view;
};

QString sampleDir()
{
    return test::testDataDir() + QStringLiteral("/cxr-sample");
}

QString sampleCsv()
{
    return sampleDir() + QStringLiteral("/cases.csv");
}

QList<SampleRow> readSample()
{
    QList<SampleRow> rows;
    auto csv = CsvReader::open(sampleCsv());
    if (!csv)
        qFatal("%s", qPrintable(csv.errorMessage()));
    CsvReader &r = **csv;
    for (;;) {
        auto row = r.next();
        if (!row || !row->has_value())
            break;
        const CsvRow &c = **row;
        rows.append({QFileInfo(sampleDir() + u'/' + c.value(r.column(u"image_path"))).absoluteFilePath(), c.value(r.column(u"image_id")),
                     c.value(r.column(u"uid")), c.value(r.column(u"report_text")), c.value(r.column(u"finding")),
                     c.value(r.column(u"view"))});
    }
    return rows;
}

std::unique_ptr<Collection> newCollection(const QTemporaryDir &dir)
{
    auto c = Collection::create(dir.filePath(QStringLiteral("collection")), {});
    if (!c)
        qFatal("cannot create collection: %s", qPrintable(c.errorMessage()));
    return std::move(*c);
}

// Items with the given uris (no bytes are read), each with a dummy 8-d vector.
std::vector<qint64> addItems(Collection &collection, const QStringList &uris)
{
    auto writer = collection.openWriter();
    if (!writer)
        qFatal("%s", qPrintable(writer.errorMessage()));
    if (auto s = (*writer)->ensureSpace(QStringLiteral("image"), QStringLiteral("test"), 8); !s)
        qFatal("%s", qPrintable(s.errorMessage()));
    std::vector<NewItem> items;
    for (int i = 0; i < uris.size(); ++i) {
        NewItem item;
        item.record.uri = uris.at(i);
        item.record.filename = uris.at(i).section(u'/', -1);
        item.spaceName = kTestSpace;
        item.embedding.assign(8, 0.f);
        item.embedding[size_t(i % 8)] = 1.f;
        items.push_back(std::move(item));
    }
    auto ids = (*writer)->writeItems(items);
    if (!ids)
        qFatal("%s", qPrintable(ids.errorMessage()));
    return *ids;
}

qint64 idOf(Collection &collection, const QString &uri)
{
    auto item = collection.itemByUri(uri);
    return item.ok() && item->has_value() ? (*item)->id : -1;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

QString errorsText(const QList<ImportRowError> &errors)
{
    QStringList lines;
    for (const ImportRowError &e : errors)
        lines.append(e.message);
    return lines.join(u'\n');
}

bool hasErrorAt(const QList<ImportRowError> &errors, qint64 line, const QString &text)
{
    for (const ImportRowError &e : errors) {
        if (e.line == line && e.message.startsWith(QStringLiteral("line %1: ").arg(line)) && e.message.contains(text))
            return true;
    }
    return false;
}

std::set<qint64> ftsIds(Collection &collection, const QString &query)
{
    std::set<qint64> ids;
    auto hits = collection.searchReports(query, 1000);
    if (!hits)
        qFatal("%s", qPrintable(hits.errorMessage()));
    for (const ScoredId &h : *hits)
        ids.insert(h.id);
    return ids;
}

// Row i of the test matrices: not unit length, and unlike every other row.
std::vector<float> matrixRows(int n, int d)
{
    std::vector<float> m(size_t(n) * size_t(d));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j)
            m[size_t(i) * d + j] = float((i + 1) * ((j * 7 + i * 3) % 11 - 5)) + (j == i % d ? 50.f : 0.f);
    return m;
}

std::vector<float> normalised(const float *v, int d)
{
    double sq = 0;
    for (int j = 0; j < d; ++j)
        sq += double(v[j]) * v[j];
    std::vector<float> out(static_cast<size_t>(d));
    for (int j = 0; j < d; ++j)
        out[size_t(j)] = float(v[j] / std::sqrt(sq));
    return out;
}

} // namespace

class TestReportImporter final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(sampleCsv()), qPrintable(sampleCsv() + QStringLiteral(" is missing")));
        m_sample = readSample();
        QCOMPARE(m_sample.size(), 50);
    }

    void importCxrSample()
    {
        QTemporaryDir tmp;
        auto collection = newCollection(tmp);
        QStringList uris;
        for (const SampleRow &r : std::as_const(m_sample))
            uris.append(r.imagePath);
        addItems(*collection, uris);

        ReportImporter importer(*collection);
        auto result = importer.importCsv(sampleCsv());
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QVERIFY2(result->errors.isEmpty(), qPrintable(errorsText(result->errors)));
        QCOMPARE(result->rowsRead, 50);
        QCOMPARE(result->matched, 50);
        QCOMPARE(result->matchedByPath, 50);
        QCOMPARE(result->reportsSet, 50);
        // image_id, uid, finding, view, modality, license, source: the non-empty cells.
        QCOMPARE(result->metadataEntries, 347);
        QVERIFY(result->unmatchedLines.isEmpty());

        // Every row's report and metadata landed on the item of its image.
        for (const SampleRow &row : std::as_const(m_sample)) {
            const qint64 id = idOf(*collection, row.imagePath);
            QVERIFY(id >= 0);
            QCOMPARE(*collection->report(id), row.report);
            const QMap<QString, QString> meta = *collection->metadata(id);
            QCOMPARE(meta.value(QStringLiteral("image_id")), row.imageId);
            QCOMPARE(meta.value(QStringLiteral("uid")), row.uid);
            QCOMPARE(meta.value(QStringLiteral("finding")), row.finding);
            QCOMPARE(meta.value(QStringLiteral("view")), row.view);
            QVERIFY(!meta.contains(QStringLiteral("report_text")));
            QVERIFY(!meta.contains(QStringLiteral("image_path")));
            QVERIFY(!meta.contains(QStringLiteral("filename")));
        }
        const qint64 ards = idOf(*collection, sampleDir() + QStringLiteral("/images/16660_5_1.jpg"));
        QCOMPARE(collection->metadata(ards)->value(QStringLiteral("finding")), QStringLiteral("COVID-19, ARDS"));
        QVERIFY(collection->report(ards)->startsWith(QStringLiteral("A 72-year-old woman admitted with acute respiratory failure")));

        // Full-text search finds exactly the rows whose report says "consolidation" (the
        // porter stemmer also admits "consolidated" and the like).
        const std::set<qint64> hits = ftsIds(*collection, QStringLiteral("\"consolidation\""));
        const QRegularExpression word(QStringLiteral("\\bconsolidation\\b"), QRegularExpression::CaseInsensitiveOption);
        int expected = 0;
        for (const SampleRow &row : std::as_const(m_sample)) {
            const qint64 id = idOf(*collection, row.imagePath);
            if (row.report.contains(word)) {
                ++expected;
                QVERIFY2(hits.count(id), qPrintable(row.imageId));
            }
            if (hits.count(id))
                QVERIFY2(row.report.contains(QStringLiteral("consolidat"), Qt::CaseInsensitive), qPrintable(row.imageId));
        }
        QCOMPARE(expected, 15);
        QVERIFY(hits.size() >= size_t(expected));
    }

    // Re-importing replaces reports, and full-text search forgets the old text.
    void reimportReplacesReports()
    {
        QTemporaryDir tmp;
        auto collection = newCollection(tmp);
        const QString a = m_sample.at(0).imagePath;
        const QString b = m_sample.at(1).imagePath;
        addItems(*collection, {a, b});
        const QString csv = tmp.filePath(QStringLiteral("r.csv"));
        ReportImportOptions options;
        options.allowOutside = true; // the images are not beside this CSV

        writeFile(csv, QStringLiteral("image_path,report_text,finding\n%1,first zebraword text,X\n%2,\"other, text\",Y\n").arg(a, b).toUtf8());
        auto r1 = ReportImporter(*collection).importCsv(csv, options);
        QVERIFY2(r1.ok() && r1->matched == 2, qPrintable(r1.errorMessage() + errorsText(r1.ok() ? r1->errors : QList<ImportRowError>{})));
        QCOMPARE(ftsIds(*collection, QStringLiteral("zebraword")), (std::set<qint64>{idOf(*collection, a)}));

        writeFile(csv, QStringLiteral("image_path,report_text,finding\n%1,second giraffeword text\r\nwith a CRLF,Z\n").arg(a).toUtf8().replace("second", "\"second").replace("CRLF,", "CRLF\","));
        auto r2 = ReportImporter(*collection).importCsv(csv, options);
        QVERIFY2(r2.ok() && r2->matched == 1, qPrintable(r2.errorMessage()));
        QCOMPARE(*collection->report(idOf(*collection, a)), QStringLiteral("second giraffeword text\nwith a CRLF"));
        QCOMPARE(collection->metadata(idOf(*collection, a))->value(QStringLiteral("finding")), QStringLiteral("Z"));
        QCOMPARE(ftsIds(*collection, QStringLiteral("giraffeword")), (std::set<qint64>{idOf(*collection, a)}));
        QCOMPARE(ftsIds(*collection, QStringLiteral("zebraword")), std::set<qint64>{});
        QCOMPARE(*collection->report(idOf(*collection, b)), QStringLiteral("other, text"));
    }

    void pathEscapeRejected()
    {
        QTemporaryDir tmp;
        const QString root = QFileInfo(tmp.path()).canonicalFilePath();
        const QString inside = root + QStringLiteral("/export/images/a.png");
        const QString outside = root + QStringLiteral("/elsewhere/b.png");
        writeFile(inside, "png");
        writeFile(outside, "png");
        QVERIFY(QFile::link(outside, root + QStringLiteral("/export/images/link.png")));
        auto collection = newCollection(tmp);
        addItems(*collection, {inside, outside});

        const QString csv = root + QStringLiteral("/export/cases.csv");
        writeFile(csv, QStringLiteral("image_id,filename,image_path,report_text\n"
                                      "a,a.png,images/a.png,inside\n"                         // 2: fine
                                      "b1,b.png,../elsewhere/b.png,dotdot\n"                  // 3: escapes
                                      "b2,b.png,%1,absolute\n"                                 // 4: absolute, outside
                                      "b3,b.png,images/link.png,symlink\n"                     // 5: link leading out
                                      "p,passwd,/etc/passwd,system file\n"                     // 6: absolute, outside
                                      "b4,b.png,images/../../elsewhere/b.png,sneaky\n"        // 7: escapes after cleaning
                                      "a2,a.png,images/../images/a.png,again\n"               // 8: inside; same item as line 2
                                      "a3,a.png,%2,absolute inside\n")                         // 9: absolute inside; same item
                           .arg(outside, inside)
                           .toUtf8());

        auto result = ReportImporter(*collection).importCsv(csv);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->rowsRead, 8);
        QCOMPARE(result->matched, 1);
        QVERIFY2(hasErrorAt(result->errors, 3, QStringLiteral("points outside the CSV's folder")), qPrintable(errorsText(result->errors)));
        QVERIFY(hasErrorAt(result->errors, 4, QStringLiteral("points outside the CSV's folder")));
        QVERIFY(hasErrorAt(result->errors, 5, QStringLiteral("through a symbolic link")));
        QVERIFY(hasErrorAt(result->errors, 6, QStringLiteral("\"/etc/passwd\" points outside")));
        QVERIFY(hasErrorAt(result->errors, 7, QStringLiteral("points outside")));
        QVERIFY(hasErrorAt(result->errors, 8, QStringLiteral("names the same item as line 2")));
        QVERIFY(hasErrorAt(result->errors, 9, QStringLiteral("names the same item as line 2")));
        QCOMPARE(result->errors.size(), 7);
        // Rejected rows do not fall back to their filename: b.png got nothing.
        QCOMPARE(*collection->report(idOf(*collection, inside)), QStringLiteral("inside"));
        QCOMPARE(*collection->report(idOf(*collection, outside)), QString());
        QVERIFY(collection->metadata(idOf(*collection, outside))->isEmpty());

        // The same rows, allowed: the first that reaches b.png wins.
        ReportImportOptions allow;
        allow.allowOutside = true;
        result = ReportImporter(*collection).importCsv(csv, allow);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->matched, 2);
        QCOMPARE(*collection->report(idOf(*collection, outside)), QStringLiteral("dotdot"));
        QVERIFY(!hasErrorAt(result->errors, 6, QStringLiteral("outside")));
        QCOMPARE(result->unmatchedLines, QList<qint64>{6}); // /etc/passwd is no item

        // imagePaths(): what the CLI ingests before importing reports.
        QList<ImportRowError> errors;
        auto paths = ReportImporter::imagePaths(csv, {}, &errors);
        QVERIFY2(paths.ok(), qPrintable(paths.errorMessage()));
        QCOMPARE(*paths, QStringList{inside});
        QCOMPARE(errors.size(), 5);
        QVERIFY(hasErrorAt(errors, 5, QStringLiteral("symbolic link")));
        paths = ReportImporter::imagePaths(csv, allow);
        QVERIFY(paths.ok());
        QCOMPARE(*paths, (QStringList{inside, root + QStringLiteral("/elsewhere/b.png"), root + QStringLiteral("/export/images/link.png"),
                                      QStringLiteral("/etc/passwd")}));
    }

    void filenameFallback()
    {
        QTemporaryDir tmp;
        auto collection = newCollection(tmp);
        // Items ingested from somewhere else than where the CSV says.
        addItems(*collection, {QStringLiteral("/data/old/x1.png"), QStringLiteral("/data/old/x2.png"), QStringLiteral("/data/old/x3.png")});
        const QString csv = tmp.filePath(QStringLiteral("cases.csv"));
        writeFile(csv, "image_id,filename,image_path,report_text\n"
                       "1,x1.png,images/x1.png,by filename column\n"   // path not an item
                       "2,,images/x2.png,by the path's last segment\n" // no filename cell
                       "3,x3.png,,no path at all\n"
                       "4,x4.png,images/x4.png,nothing matches\n");
        auto result = ReportImporter(*collection).importCsv(csv);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QVERIFY2(result->errors.isEmpty(), qPrintable(errorsText(result->errors)));
        QCOMPARE(result->matched, 3);
        QCOMPARE(result->matchedByFilename, 3);
        QCOMPARE(result->matchedByPath, 0);
        QCOMPARE(result->unmatchedLines, QList<qint64>{5});
        QCOMPARE(*collection->report(idOf(*collection, QStringLiteral("/data/old/x2.png"))), QStringLiteral("by the path's last segment"));
        QCOMPARE(collection->metadata(idOf(*collection, QStringLiteral("/data/old/x3.png")))->value(QStringLiteral("image_id")), QStringLiteral("3"));

        // A CSV with only a filename column.
        writeFile(csv, "Filename,Report_Text\nx1.png,lower-case free\n");
        result = ReportImporter(*collection).importCsv(csv);
        QVERIFY2(result.ok() && result->matched == 1, qPrintable(result.errorMessage()));
        QCOMPARE(*collection->report(idOf(*collection, QStringLiteral("/data/old/x1.png"))), QStringLiteral("lower-case free"));

        // Neither column: refused as a whole.
        writeFile(csv, "id,text\n1,x\n");
        result = ReportImporter(*collection).importCsv(csv);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, Error::Code::InvalidArgument);
        QVERIFY2(result.errorMessage().contains(QStringLiteral("neither an image_path nor a filename column")), qPrintable(result.errorMessage()));
    }

    void ambiguousFilename()
    {
        QTemporaryDir tmp;
        auto collection = newCollection(tmp);
        addItems(*collection, {QStringLiteral("/data/one/dup.png"), QStringLiteral("/data/two/dup.png"), QStringLiteral("/data/two/solo.png")});
        const QString csv = tmp.filePath(QStringLiteral("cases.csv"));
        writeFile(csv, "filename,image_path,report_text\n"
                       "dup.png,,which one?\n"
                       "dup.png,/data/two/dup.png,the path decides\n" // outside, rejected...
                       "solo.png,,unique\n");
        ReportImportOptions allow;
        allow.allowOutside = true; // ...unless allowed
        auto result = ReportImporter(*collection).importCsv(csv, allow);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->matched, 2);
        QCOMPARE(result->errors.size(), 1);
        QVERIFY2(hasErrorAt(result->errors, 2, QStringLiteral("2 items are named \"dup.png\"")), qPrintable(errorsText(result->errors)));
        QVERIFY(result->errors.first().message.contains(QStringLiteral("/data/one/dup.png")));
        QVERIFY(result->errors.first().message.contains(QStringLiteral("/data/two/dup.png")));
        QCOMPARE(*collection->report(idOf(*collection, QStringLiteral("/data/one/dup.png"))), QString());
        QCOMPARE(*collection->report(idOf(*collection, QStringLiteral("/data/two/dup.png"))), QStringLiteral("the path decides"));
    }

    void malformedCsv()
    {
        QTemporaryDir tmp;
        auto collection = newCollection(tmp);
        addItems(*collection, {QStringLiteral("/d/a.png"), QStringLiteral("/d/b.png"), QStringLiteral("/d/c.png")});
        const QString csv = tmp.filePath(QStringLiteral("cases.csv"));

        // Malformed rows are reported with their line; the others are imported.
        writeFile(csv, "filename,report_text,view\n"
                       "a.png,fine,PA\n"
                       "b.png,too,many,fields\n"
                       "c.png,\"bad \xff byte\",AP\n");
        auto result = ReportImporter(*collection).importCsv(csv);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->matched, 1);
        QVERIFY2(hasErrorAt(result->errors, 3, QStringLiteral("expected 3 fields")), qPrintable(errorsText(result->errors)));
        QVERIFY(hasErrorAt(result->errors, 4, QStringLiteral("not valid UTF-8")));
        QCOMPARE(*collection->report(idOf(*collection, QStringLiteral("/d/c.png"))), QString());

        // A quote left open: nothing at all is imported, not even the rows before it.
        writeFile(csv, "filename,report_text\nb.png,ok\nc.png,\"never closed\n");
        result = ReportImporter(*collection).importCsv(csv);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, Error::Code::Corrupt);
        QVERIFY2(result.errorMessage().contains(QStringLiteral("line 3: unterminated quoted field")), qPrintable(result.errorMessage()));
        QCOMPARE(*collection->report(idOf(*collection, QStringLiteral("/d/b.png"))), QString());

        writeFile(csv, "");
        result = ReportImporter(*collection).importCsv(csv);
        QVERIFY(!result.ok());
        QVERIFY(result.errorMessage().contains(QStringLiteral("empty")));
        QVERIFY(!ReportImporter(*collection).importCsv(tmp.filePath(QStringLiteral("missing.csv"))).ok());
    }

    void sidecars()
    {
        QTemporaryDir tmp;
        const QString d = tmp.filePath(QStringLiteral("imgs"));
        writeFile(d + QStringLiteral("/x.png.txt"), "\xEF\xBB\xBF  Report for x.\r\nSecond line.\r\n\r\n");
        writeFile(d + QStringLiteral("/y.jpg"), "jpg");
        writeFile(d + QStringLiteral("/y.txt"), "Report for y.");
        writeFile(d + QStringLiteral("/y.jpg.txt.bak"), "not this");
        writeFile(d + QStringLiteral("/both.png.txt"), "full name wins");
        writeFile(d + QStringLiteral("/both.txt"), "base name loses");
        writeFile(d + QStringLiteral("/bad.png.txt"), "caf\xe9");
        writeFile(d + QStringLiteral("/big.png.txt"), QByteArray(200, 'x'));
        writeFile(d + QStringLiteral("/empty.png.txt"), " \n ");
        writeFile(d + QStringLiteral("/has.png.txt"), "sidecar text");
        QVERIFY(QDir(d).mkdir(QStringLiteral("dir.png.txt"))); // a folder is no sidecar
        auto collection = newCollection(tmp);
        const QStringList names{"x.png", "y.jpg", "both.png", "bad.png", "big.png", "empty.png", "has.png", "none.png", "dir.png"};
        QStringList uris;
        for (const QString &n : names)
            uris.append(d + u'/' + n);
        uris.append(QStringLiteral("https://example.invalid/u.png"));
        const std::vector<qint64> ids = addItems(*collection, uris);
        {
            auto w = collection->openWriter();
            const std::pair<qint64, QString> existing{ids[6], QStringLiteral("from the CSV")};
            QVERIFY((*w)->setReports(std::span(&existing, 1), QStringLiteral("csv")).ok());
        }

        SidecarOptions options;
        options.maxBytes = 100;
        auto result = ReportImporter(*collection).importSidecars({}, options);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->itemsScanned, 10);
        QCOMPARE(result->found, 7);
        QCOMPARE(result->reportsSet, 3);
        QCOMPARE(result->skippedExisting, 1);
        QCOMPARE(result->errors.size(), 2);
        QVERIFY2(errorsText(result->errors).contains(QStringLiteral("bad.png.txt: not valid UTF-8")), qPrintable(errorsText(result->errors)));
        QVERIFY(errorsText(result->errors).contains(QStringLiteral("big.png.txt: larger than 100 bytes")));
        QCOMPARE(*collection->report(ids[0]), QStringLiteral("Report for x.\nSecond line."));
        QCOMPARE(*collection->report(ids[1]), QStringLiteral("Report for y."));
        QCOMPARE(*collection->report(ids[2]), QStringLiteral("full name wins"));
        QCOMPARE(*collection->report(ids[3]), QString());
        QCOMPARE(*collection->report(ids[5]), QString());
        QCOMPARE(*collection->report(ids[6]), QStringLiteral("from the CSV"));
        QCOMPARE(ftsIds(*collection, QStringLiteral("second")), std::set<qint64>{ids[0]});

        // Only some items, overwriting.
        options.overwrite = true;
        const std::vector<qint64> some{ids[6], ids[7]};
        result = ReportImporter(*collection).importSidecars(some, options);
        QVERIFY(result.ok());
        QCOMPARE(result->itemsScanned, 2);
        QCOMPARE(result->reportsSet, 1);
        QCOMPARE(*collection->report(ids[6]), QStringLiteral("sidecar text"));
    }

    void embeddings()
    {
        QTemporaryDir tmp;
        auto collection = newCollection(tmp);
        QStringList uris;
        for (const SampleRow &r : std::as_const(m_sample))
            uris.append(r.imagePath);
        addItems(*collection, uris);

        const int n = 50, d = 16;
        const std::vector<float> m = matrixRows(n, d);
        const QString npy = tmp.filePath(QStringLiteral("image_embeddings.npy"));
        QVERIFY(NpyFile::writeFloat32(npy, n, d, m).ok());

        EmbeddingImportOptions options;
        options.modality = QStringLiteral("image");
        options.modelId = QStringLiteral("ext-test");
        auto result = EmbeddingImporter(*collection).importNpy(npy, sampleCsv(), options);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->spaceName, QStringLiteral("image:ext-test"));
        QCOMPARE(result->dimension, d);
        QCOMPARE(result->rows, n);
        QCOMPARE(result->imported, n);
        QCOMPARE(result->skippedUnmatched, 0);
        QCOMPARE(result->rejected, 0);
        QCOMPARE(result->notUnit, n);
        QVERIFY(!result->warnings.isEmpty());

        auto space = collection->space(QStringLiteral("image:ext-test"));
        QVERIFY(space.ok() && space->has_value());
        QCOMPARE((*space)->dimension, d);
        QCOMPARE((*space)->source, QFileInfo(npy).absoluteFilePath());

        // Row i of the matrix is now the normalised vector of CSV data row i's image.
        for (int i = 0; i < n; ++i) {
            const qint64 id = idOf(*collection, m_sample.at(i).imagePath);
            auto v = collection->embedding(id, QStringLiteral("image:ext-test"));
            QVERIFY2(v.ok(), qPrintable(v.errorMessage()));
            QCOMPARE(int(v->size()), d);
            const std::vector<float> want = normalised(m.data() + size_t(i) * d, d);
            double sq = 0;
            for (int j = 0; j < d; ++j) {
                sq += double((*v)[size_t(j)]) * (*v)[size_t(j)];
                QVERIFY2(std::abs((*v)[size_t(j)] - want[size_t(j)]) < 1e-6f, qPrintable(QStringLiteral("row %1 col %2").arg(i).arg(j)));
            }
            QVERIFY(std::abs(sq - 1.0) < 1e-5);
        }

        // The space is searchable: row 7's vector finds row 7's image first.
        auto index = collection->index(QStringLiteral("image:ext-test"));
        QVERIFY2(index.ok(), qPrintable(index.errorMessage()));
        QCOMPARE((*index)->size(), n);
        const std::vector<float> q = normalised(m.data() + 7 * d, d);
        auto hits = (*index)->search(q, 3);
        QVERIFY2(hits.ok() && !hits->empty(), qPrintable(hits.errorMessage()));
        QCOMPARE(hits->front().id, idOf(*collection, m_sample.at(7).imagePath));
        QVERIFY(std::abs(hits->front().score - 1.f) < 1e-4f);

        // A second file for the report texts, as its own text space.
        options.modality = QStringLiteral("text");
        result = EmbeddingImporter(*collection).importNpy(npy, sampleCsv(), options);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->spaceName, QStringLiteral("text:ext-test"));
        QCOMPARE(result->imported, n);
    }

    void embeddingRowsRejected()
    {
        QTemporaryDir tmp;
        auto collection = newCollection(tmp);
        addItems(*collection, {QStringLiteral("/d/a.png"), QStringLiteral("/d/b.png"), QStringLiteral("/d/c.png"), QStringLiteral("/d/e.png")});
        const QString csv = tmp.filePath(QStringLiteral("cases.csv"));
        writeFile(csv, "filename,report_text\n"
                       "a.png,one\n"
                       "b.png,two\n"
                       "c.png,three\n"
                       "unknown.png,four\n"
                       "e.png,five\n");
        const int d = 4;
        std::vector<float> m = {0.6f, 0.8f, 0, 0, //
                                NAN, 1, 0, 0,    //
                                0, 0, 0, 0,      //
                                1, 0, 0, 0,      //
                                0, 0, INFINITY, 1};
        const QString npy = tmp.filePath(QStringLiteral("v.npy"));
        QVERIFY(NpyFile::writeFloat32(npy, 5, d, m).ok());
        EmbeddingImportOptions options;
        options.modelId = QStringLiteral("ext");
        auto result = EmbeddingImporter(*collection).importNpy(npy, csv, options);
        QVERIFY2(result.ok(), qPrintable(result.errorMessage()));
        QCOMPARE(result->imported, 1);
        QCOMPARE(result->rejected, 3);
        QCOMPARE(result->skippedUnmatched, 1);
        QCOMPARE(result->notUnit, 0); // (0.6, 0.8) was unit already
        QVERIFY2(hasErrorAt(result->errors, 3, QStringLiteral("NaN or infinite")), qPrintable(errorsText(result->errors)));
        QVERIFY(hasErrorAt(result->errors, 4, QStringLiteral("all zeros")));
        QVERIFY(hasErrorAt(result->errors, 6, QStringLiteral("NaN or infinite")));
        QVERIFY(collection->embedding(idOf(*collection, QStringLiteral("/d/a.png")), QStringLiteral("image:ext")).ok());
        QVERIFY(!collection->embedding(idOf(*collection, QStringLiteral("/d/b.png")), QStringLiteral("image:ext")).ok());
    }

    void embeddingMismatchRefused()
    {
        QTemporaryDir tmp;
        auto collection = newCollection(tmp);
        QStringList uris;
        for (const SampleRow &r : std::as_const(m_sample))
            uris.append(r.imagePath);
        addItems(*collection, uris);
        EmbeddingImportOptions options;
        options.modelId = QStringLiteral("ext-mismatch");

        // 49 vectors for 50 rows: nothing is written, not even the space.
        const QString npy = tmp.filePath(QStringLiteral("short.npy"));
        QVERIFY(NpyFile::writeFloat32(npy, 49, 16, matrixRows(49, 16)).ok());
        auto result = EmbeddingImporter(*collection).importNpy(npy, sampleCsv(), options);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, Error::Code::InvalidArgument);
        QVERIFY2(result.errorMessage().contains(QStringLiteral("holds 49 vectors but")) && result.errorMessage().contains(QStringLiteral("has 50 data rows")),
                 qPrintable(result.errorMessage()));
        QVERIFY(collection->space(QStringLiteral("image:ext-mismatch"))->has_value() == false);

        // Another width than the existing space's.
        const QString wide = tmp.filePath(QStringLiteral("wide.npy"));
        QVERIFY(NpyFile::writeFloat32(wide, 50, 16, matrixRows(50, 16)).ok());
        QVERIFY(EmbeddingImporter(*collection).importNpy(wide, sampleCsv(), options).ok());
        const QString narrow = tmp.filePath(QStringLiteral("narrow.npy"));
        QVERIFY(NpyFile::writeFloat32(narrow, 50, 8, matrixRows(50, 8)).ok());
        result = EmbeddingImporter(*collection).importNpy(narrow, sampleCsv(), options);
        QVERIFY(!result.ok());
        QVERIFY2(result.errorMessage().contains(QStringLiteral("holds 16-dimensional vectors")), qPrintable(result.errorMessage()));

        // Not into the collection's own embedder space, nor one computed here, nor a made-up modality.
        options.modelId = collection->embedderId();
        QVERIFY(!EmbeddingImporter(*collection).importNpy(wide, sampleCsv(), options).ok());
        {
            auto w = collection->openWriter();
            QVERIFY((*w)->ensureSpace(QStringLiteral("image"), QStringLiteral("here"), 16).ok());
        }
        options.modelId = QStringLiteral("here");
        result = EmbeddingImporter(*collection).importNpy(wide, sampleCsv(), options);
        QVERIFY(!result.ok());
        QVERIFY2(result.errorMessage().contains(QStringLiteral("computed by this application")), qPrintable(result.errorMessage()));
        options.modality = QStringLiteral("audio");
        QVERIFY(!EmbeddingImporter(*collection).importNpy(wide, sampleCsv(), options).ok());
        options.modality = QStringLiteral("image");
        options.modelId = QStringLiteral("has space");
        QVERIFY(!EmbeddingImporter(*collection).importNpy(wide, sampleCsv(), options).ok());

        // A file that is no .npy.
        options.modelId = QStringLiteral("ext-bad");
        result = EmbeddingImporter(*collection).importNpy(sampleCsv(), sampleCsv(), options);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, Error::Code::Corrupt);
    }

private:
    QList<SampleRow> m_sample;
};

QTEST_GUILESS_MAIN(TestReportImporter)
#include "tst_reportimporter.moc"
