// ErrorsDialog: the table, the plural summary and what "Copy all" / Ctrl+C put on the clipboard.
#include "errorsdialog.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>

using namespace lookalike;

namespace {

QList<IngestErrorRecord> sampleErrors()
{
    return {
        {QStringLiteral("/photos/truncated.jpg"), QStringLiteral("decode"), QStringLiteral("Premature end of JPEG data"), 1},
        {QStringLiteral("/photos/page.jpg"), QStringLiteral("decode"), QStringLiteral("Not an image (looks like HTML)"), 2},
        {QStringLiteral("/photos/locked.png"), QStringLiteral("read"), QStringLiteral("Permission denied"), 3},
        // A message with a tab and a line break must not break the tab-separated layout.
        {QStringLiteral("/photos/odd.webp"), QStringLiteral("embed"), QStringLiteral("first line\nsecond\tpart"), 4},
    };
}

} // namespace

class TestErrorsDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tableAndSummary()
    {
        ErrorsDialog dialog(sampleErrors());
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("errorsTable"));
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 4);
        QCOMPARE(table->columnCount(), 3);
        QCOMPARE(table->item(2, 0)->text(), QStringLiteral("/photos/locked.png"));
        QCOMPARE(table->item(2, 2)->text(), QStringLiteral("Permission denied"));
        QVERIFY(!table->item(2, 1)->text().isEmpty());
        auto *summary = dialog.findChild<QLabel *>(QStringLiteral("summaryLabel"));
        QVERIFY(summary);
        QVERIFY2(summary->text().contains(QLatin1Char('4')), qPrintable(summary->text()));

        dialog.setErrors({sampleErrors().first()});
        QCOMPARE(table->rowCount(), 1);
        QVERIFY2(summary->text().contains(QLatin1Char('1')), qPrintable(summary->text()));
    }

    void copyAllHasHeaderAndEveryRow()
    {
        ErrorsDialog dialog(sampleErrors());
        QApplication::clipboard()->clear();
        auto *button = dialog.findChild<QPushButton *>(QStringLiteral("copyAllButton"));
        QVERIFY(button);
        button->click();
        const QString text = QApplication::clipboard()->text();
        const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5); // header + 4
        QCOMPARE(lines.first().split(QLatin1Char('\t')).size(), 3);
        for (const IngestErrorRecord &e : sampleErrors()) {
            QVERIFY2(text.contains(e.uri), qPrintable(e.uri));
            QString flat = e.message;
            flat.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\t'), QLatin1Char(' '));
            QVERIFY2(text.contains(flat), qPrintable(flat));
        }
        for (const QString &line : lines)
            QCOMPARE(line.count(QLatin1Char('\t')), 2);
    }

    void ctrlCCopiesSelectedRows()
    {
        ErrorsDialog dialog(sampleErrors());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("errorsTable"));
        table->setFocus();
        table->clearSelection();
        table->selectRow(1);
        table->setSelectionMode(QAbstractItemView::MultiSelection);
        table->selectRow(3);
        QApplication::clipboard()->clear();
        QTest::keyClick(table, Qt::Key_C, Qt::ControlModifier);
        const QString text = QApplication::clipboard()->text();
        QVERIFY2(text.contains(QStringLiteral("/photos/page.jpg")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("/photos/odd.webp")));
        QVERIFY(!text.contains(QStringLiteral("/photos/truncated.jpg")));
        QVERIFY(!text.contains(QStringLiteral("/photos/locked.png")));
        QCOMPARE(text.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 3); // header + 2
    }
};

QTEST_MAIN(TestErrorsDialog)
#include "tst_errorsdialog.moc"
