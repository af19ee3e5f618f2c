#include "search/ftsquery.h"

#include <QTest>

using namespace lookalike;

class TestFtsQuery final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void terms_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("words") << QStringLiteral("Left lower LOBE") << QStringList{u"\"left\""_qs, u"\"lower\""_qs, u"\"lobe\""_qs};
        QTest::newRow("phrase") << QStringLiteral("\"lower lobe\" effusion") << QStringList{u"\"lower lobe\""_qs, u"\"effusion\""_qs};
        QTest::newRow("fts syntax") << QStringLiteral("NEAR( a* OR b:c") << QStringList{u"\"near\""_qs, u"\"a\""_qs, u"\"or\""_qs, u"\"b\""_qs, u"\"c\""_qs};
        QTest::newRow("unbalanced quote") << QStringLiteral("\"open") << QStringList{u"\"open\""_qs};
        QTest::newRow("only punctuation") << QStringLiteral("\"\"'-;") << QStringList{};
        QTest::newRow("sql") << QStringLiteral("x'); DROP TABLE items;--") << QStringList{u"\"x\""_qs, u"\"drop\""_qs, u"\"table\""_qs, u"\"items\""_qs};
        QTest::newRow("unicode") << QStringLiteral("Ödem Lunge") << QStringList{u"\"ödem\""_qs, u"\"lunge\""_qs};
    }
    void terms()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        QCOMPARE(FtsQuery::terms(text), expected);
    }
    void joins()
    {
        QCOMPARE(FtsQuery::allOf(u"a b"_qs), u"\"a\" AND \"b\""_qs);
        QCOMPARE(FtsQuery::anyOf(u"a b"_qs), u"\"a\" OR \"b\""_qs);
        QCOMPARE(FtsQuery::allOf(u"  "_qs), QString());
    }
};

QTEST_GUILESS_MAIN(TestFtsQuery)
#include "tst_ftsquery.moc"
