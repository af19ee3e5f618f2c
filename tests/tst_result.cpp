#include "util/result.h"

#include <QTest>

using namespace lookalike;

class TestResult final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void valueAndError()
    {
        Result<int> ok(42);
        QVERIFY(ok.ok());
        QCOMPARE(*ok, 42);
        Result<int> bad(Error(QStringLiteral("nope"), Error::Code::NotFound));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, Error::Code::NotFound);
        QCOMPARE(bad.errorMessage(), QStringLiteral("nope"));
        Result<void> v;
        QVERIFY(v.ok());
        Result<void> e = Error(QStringLiteral("x"));
        QVERIFY(!e.ok());
    }
};

QTEST_GUILESS_MAIN(TestResult)
#include "tst_result.moc"
