// DetailsPanel: report highlighting (escaping, matching), what showItem fills in, and the ids
// the action buttons carry.
#include "detailspanel.h"
#include "scoretext.h"
#include "imageviewer.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>
#include <QToolButton>

using namespace lookalike;

namespace {

const QString kMarkStart = QStringLiteral("<span style=");

// The highlighted words, in order, from highlightedHtml's output.
QStringList highlighted(const QString &html)
{
    QStringList words;
    qsizetype pos = 0;
    while ((pos = html.indexOf(kMarkStart, pos)) >= 0) {
        const qsizetype open = html.indexOf(QLatin1Char('>'), pos) + 1;
        const qsizetype close = html.indexOf(QStringLiteral("</span>"), open);
        words.append(html.mid(open, close - open));
        pos = close;
    }
    return words;
}

ItemDetails sampleDetails()
{
    ItemDetails d;
    d.item.id = 42;
    d.item.uri = QStringLiteral("/cases/2024/chest-pa-0042.png");
    d.item.filename = QStringLiteral("chest-pa-0042.png");
    d.item.size = 2 * 1024 * 1024;
    d.item.width = 2048;
    d.item.height = 1536;
    d.item.format = QStringLiteral("png");
    d.report = QStringLiteral("Left lower lobe consolidation.\nNo effusion.");
    d.metadata = {{QStringLiteral("case_id"), QStringLiteral("C-0042")}, {QStringLiteral("age"), QStringLiteral("67")}};
    SearchHit hit;
    hit.id = 42;
    hit.score = 0.8125f;
    hit.imageScore = 0.75f;
    hit.textScore = 0.875f;
    hit.matchedText = true;
    d.hit = hit;
    d.fusion = QStringLiteral("final = 0.5 × image + 0.5 × text");
    d.highlightTerms = {QStringLiteral("consolid")};
    return d;
}

} // namespace

class TestDetailsPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsTheTextScoreParts()
    {
        DetailsPanel panel;
        ItemDetails d = sampleDetails();
        // Word-only text scores have no parts to list.
        panel.showItem(d);
        QVERIFY(!panel.findChild<QLabel *>(QStringLiteral("scoreLabel"))->text().contains(QStringLiteral("cosine")));

        d.hit->textImageScore = 0.28125f;
        d.hit->textReportScore = 0.3f;
        d.hit->wordScore = 0.5f;
        panel.showItem(d);
        QString scores = panel.findChild<QLabel *>(QStringLiteral("scoreLabel"))->text();
        for (const char *part : {"text↔image cosine 0.281", "text↔report cosine 0.300", "report words 0.500"})
            QVERIFY2(scores.contains(QString::fromUtf8(part)), qPrintable(scores));
        QVERIFY2(scores.contains(d.fusion), qPrintable(scores));

        d.hit->matchedText = false;
        d.hit->textReportScore.reset();
        panel.showItem(d);
        scores = panel.findChild<QLabel *>(QStringLiteral("scoreLabel"))->text();
        QVERIFY2(scores.contains(QStringLiteral("report words: no match")), qPrintable(scores));
        QVERIFY2(!scores.contains(QStringLiteral("text↔report")), qPrintable(scores));
    }

    void wordsTheFusionRule_data()
    {
        QTest::addColumn<bool>("image");
        QTest::addColumn<bool>("semantic");
        QTest::addColumn<bool>("words");
        QTest::addColumn<QString>("expected");
        QTest::newRow("words only") << false << false << true << QStringLiteral("score = text relevance (BM25, relative to the best match)");
        QTest::newRow("text tower and words") << false << true << true
                                              << QStringLiteral("score = mean of text↔image, text↔report, report words");
        QTest::newRow("text tower, no word matched") << false << true << false << QStringLiteral("score = mean of text↔image, text↔report");
        QTest::newRow("image and text") << true << true << true
                                        << QStringLiteral("score = 0.7 × image + 0.3 × text (text = mean of text↔image, text↔report, report words)");
        QTest::newRow("image and words") << true << false << true << QStringLiteral("score = 0.7 × image + 0.3 × text");
    }

    void wordsTheFusionRule()
    {
        QFETCH(bool, image);
        QFETCH(bool, semantic);
        QFETCH(bool, words);
        QFETCH(QString, expected);
        SearchQuery query;
        query.text = QStringLiteral("effusion");
        query.alpha = 0.7;
        if (image)
            query.itemIds = {1};
        SearchResult result;
        SearchHit hit;
        hit.matchedText = words;
        if (semantic) {
            hit.textImageScore = 0.25f;
            hit.textReportScore = 0.5f;
        }
        result.hits << hit;
        QCOMPARE(ScoreText::fusion(query, result), expected);
        query.text.clear();
        // Hits without any query part are the outliers list.
        QCOMPARE(ScoreText::fusion(query, result),
                 image ? QStringLiteral("score = image similarity (cosine)")
                       : QStringLiteral("score = mean similarity to the nearest neighbours; lowest = most unusual"));
        if (!image)
            QCOMPARE(ScoreText::fusion(query, SearchResult{}), QString());
    }

    void escapesMarkup()
    {
        const QString text = QStringLiteral("<script>alert(1)</script> & \"quoted\" <b>bold</b>");
        const QString html = DetailsPanel::highlightedHtml(text, {QStringLiteral("script"), QStringLiteral("b")});
        QVERIFY2(!html.contains(QStringLiteral("<script")), qPrintable(html));
        QVERIFY(!html.contains(QStringLiteral("<b>")));
        QVERIFY(html.contains(QStringLiteral("&amp;")));
        // What the user sees is the text itself, character for character.
        QTextDocument doc;
        doc.setHtml(html);
        QCOMPARE(doc.toPlainText(), text);
    }

    void highlights_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("terms");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("case-insensitive") << QStringLiteral("Effusion and effusion and EFFUSION")
                                          << QStringList{QStringLiteral("effusion")}
                                          << QStringList{QStringLiteral("Effusion"), QStringLiteral("effusion"),
                                                         QStringLiteral("EFFUSION")};
        QTest::newRow("prefix extends to the word")
            << QStringLiteral("consolidation, consolidated") << QStringList{QStringLiteral("consolid")}
            << QStringList{QStringLiteral("consolidation"), QStringLiteral("consolidated")};
        QTest::newRow("not inside a word") << QStringLiteral("pleural effusion, reconsolidation")
                                           << QStringList{QStringLiteral("ural"), QStringLiteral("consolid")}
                                           << QStringList{};
        QTest::newRow("phrase across whitespace")
            << QStringLiteral("left  lower\nlobe; left upper lobe") << QStringList{QStringLiteral("\"left lower lobe\"")}
            << QStringList{QStringLiteral("left  lower<br/>lobe")};
        QTest::newRow("regex characters are literal")
            << QStringLiteral("a+b (c) a.b") << QStringList{QStringLiteral("a.b"), QStringLiteral("(c")}
            << QStringList{QStringLiteral("c"), QStringLiteral("a.b")};
        QTest::newRow("empty terms ignored") << QStringLiteral("nothing here")
                                             << QStringList{QString(), QStringLiteral("  "), QStringLiteral("\"")}
                                             << QStringList{};
        QTest::newRow("escaped inside a highlight")
            << QStringLiteral("R&D department") << QStringList{QStringLiteral("r")}
            << QStringList{QStringLiteral("R")};
        QTest::newRow("unicode words") << QStringLiteral("Größe der Läsion, läsionsfrei")
                                       << QStringList{QStringLiteral("LÄSION")}
                                       << QStringList{QStringLiteral("Läsion"), QStringLiteral("läsionsfrei")};
    }
    void highlights()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, terms);
        QFETCH(QStringList, expected);
        const QString html = DetailsPanel::highlightedHtml(text, terms);
        QCOMPARE(highlighted(html), expected);
        QTextDocument doc;
        doc.setHtml(html);
        QCOMPARE(doc.toPlainText().simplified(), text.simplified());
    }

    void showItemFillsEverything()
    {
        DetailsPanel panel;
        panel.resize(320, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const ItemDetails d = sampleDetails();
        panel.showItem(d);
        QCOMPARE(panel.currentId(), qint64(42));

        QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("nameLabel"))->text(), d.item.filename);
        QCOMPARE(panel.findChild<QLineEdit *>(QStringLiteral("pathEdit"))->text(), d.item.uri);
        const QString facts = panel.findChild<QLabel *>(QStringLiteral("factsLabel"))->text();
        QVERIFY2(facts.contains(QStringLiteral("2048")) && facts.contains(QStringLiteral("1536")), qPrintable(facts));
        QVERIFY2(facts.contains(QStringLiteral("PNG")), qPrintable(facts));
        QVERIFY2(facts.contains(QStringLiteral("2.0")) || facts.contains(QStringLiteral("2,0")), qPrintable(facts));
        const QString scores = panel.findChild<QLabel *>(QStringLiteral("scoreLabel"))->text();
        QVERIFY2(scores.contains(QStringLiteral("0.812")) || scores.contains(QStringLiteral("0.813")), qPrintable(scores));
        QVERIFY2(scores.contains(QStringLiteral("0.750")), qPrintable(scores));
        QVERIFY2(scores.contains(QStringLiteral("0.875")), qPrintable(scores));
        QVERIFY2(scores.contains(d.fusion), qPrintable(scores));

        auto *table = panel.findChild<QTableWidget *>(QStringLiteral("metadataTable"));
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("age")); // sorted by key
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("67"));
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("case_id"));
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("C-0042"));
        QVERIFY(table->editTriggers() == QAbstractItemView::NoEditTriggers);

        auto *report = panel.findChild<QTextBrowser *>(QStringLiteral("reportBrowser"));
        QVERIFY(report->isReadOnly());
        QCOMPARE(report->toPlainText(), d.report);
        QVERIFY(report->toHtml().contains(QStringLiteral("background-color:#ffe066")));

        // From browsing, not a search; a report with markup shows literally.
        ItemDetails plain = d;
        plain.hit.reset();
        plain.item.id = 43;
        plain.report = QStringLiteral("<img src=x onerror=alert(1)> & more");
        plain.metadata.clear();
        panel.showItem(plain);
        QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("scoreLabel"))->text(), QStringLiteral("Not from a search"));
        QCOMPARE(report->toPlainText(), plain.report);
        QCOMPARE(table->rowCount(), 0);

        panel.clear();
        QCOMPARE(panel.currentId(), qint64(-1));
        QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("findSimilarButton"))->isEnabled());
    }

    void buttonsCarryTheId()
    {
        DetailsPanel panel;
        panel.showItem(sampleDetails());
        QSignalSpy similar(&panel, &DetailsPanel::findSimilarRequested);
        QSignalSpy add(&panel, &DetailsPanel::addToQueryRequested);
        QSignalSpy open(&panel, &DetailsPanel::openRequested);
        QSignalSpy folder(&panel, &DetailsPanel::showInFolderRequested);
        QSignalSpy remove(&panel, &DetailsPanel::removeRequested);
        auto click = [&](const char *name) {
            auto *b = panel.findChild<QPushButton *>(QString::fromLatin1(name));
            QVERIFY2(b && b->isEnabled(), name);
            b->click();
        };
        click("findSimilarButton");
        click("addToQueryButton");
        click("excludeButton");
        click("openButton");
        click("showInFolderButton");
        click("removeButton");
        QCOMPARE(similar.count(), 1);
        QCOMPARE(similar.at(0).at(0).toLongLong(), qint64(42));
        QCOMPARE(add.count(), 2);
        QCOMPARE(add.at(0).at(0).toLongLong(), qint64(42));
        QCOMPARE(add.at(0).at(1).toBool(), false);
        QCOMPARE(add.at(1).at(1).toBool(), true);
        QCOMPARE(open.at(0).at(0).toLongLong(), qint64(42));
        QCOMPARE(folder.at(0).at(0).toLongLong(), qint64(42));
        QCOMPARE(remove.at(0).at(0).toLongLong(), qint64(42));
    }

    void previewAndZoomButtons()
    {
        DetailsPanel panel;
        panel.resize(320, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.showItem(sampleDetails());
        QImage image(2000, 1000, QImage::Format_RGB32);
        image.fill(Qt::darkCyan);
        panel.setPreview(image);
        ImageViewer *viewer = panel.viewer();
        QVERIFY(viewer->fitsToWindow());
        QVERIFY(viewer->zoomFactor() < 1.0);
        panel.findChild<QToolButton *>(QStringLiteral("zoomOriginalButton"))->click();
        QCOMPARE(viewer->zoomFactor(), 1.0);
        panel.findChild<QToolButton *>(QStringLiteral("zoomInButton"))->click();
        QCOMPARE(viewer->zoomFactor(), 1.25);
        panel.findChild<QToolButton *>(QStringLiteral("zoomOutButton"))->click();
        panel.findChild<QToolButton *>(QStringLiteral("zoomOutButton"))->click();
        QCOMPARE(viewer->zoomFactor(), 0.8);
        panel.findChild<QToolButton *>(QStringLiteral("zoomFitButton"))->click();
        QVERIFY(viewer->fitsToWindow());
        // Another item clears the old preview until its own image arrives.
        ItemDetails other = sampleDetails();
        other.item.id = 7;
        panel.showItem(other);
        QVERIFY(viewer->image().isNull());
        // Usable at 320 px: the panel does not demand more.
        QVERIFY2(panel.minimumSizeHint().width() <= 320, qPrintable(QString::number(panel.minimumSizeHint().width())));
    }
};

QTEST_MAIN(TestDetailsPanel)
#include "tst_detailspanel.moc"
