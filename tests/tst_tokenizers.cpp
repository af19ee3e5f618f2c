// Token ids against the reference tokenizers: openai CLIP's SimpleTokenizer (and HF's
// CLIPTokenizer) and HF's SiglipTokenizer, on the cases in ../shared/testdata/models.

#include "models/clipbpetokenizer.h"
#include "models/sentencepiecetokenizer.h"
#include "models/textcleaning.h"
#include "models/tokenizer.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent>

using namespace lookalike;

namespace {

QString modelsDir()
{
    return test::testDataDir() + QStringLiteral("/models");
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return QJsonDocument::fromJson(f.readAll()).object();
}

std::vector<int64_t> toIds(const QJsonValue &v)
{
    std::vector<int64_t> out;
    for (const QJsonValue &x : v.toArray())
        out.push_back(int64_t(x.toDouble()));
    return out;
}

QStringList toStrings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toString());
    return out;
}

std::unique_ptr<Tokenizer> load(const QString &folder, const TokenizerOptions &options = {})
{
    auto t = Tokenizer::fromModelFolder(folder, options);
    if (!t)
        qFatal("loading %s: %s", qPrintable(folder), qPrintable(t.errorMessage()));
    return std::move(*t);
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

class TstTokenizers : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Tokenizer> m_clip;   // openai flavour, from clip-tokenizer/
    std::unique_ptr<Tokenizer> m_clipHf; // HF flavour
    std::unique_ptr<Tokenizer> m_siglip;

private Q_SLOTS:
    void initTestCase();

    void pythonSemantics_data();
    void pythonSemantics();

    void clipCases_data();
    void clipCases();
    void clipDocumentedHfDifference();
    void clipTinyFolder();

    void siglipCases_data();
    void siglipCases();
    void siglipTinyFolder();

    void malformedFilesAreErrors_data();
    void malformedFilesAreErrors();
    void missingTokenizerIsNotFound();
    void damagedSentencePieceModels();
    void invalidLength();

    void concurrentUse();
};

void TstTokenizers::initTestCase()
{
    QVERIFY2(!test::testDataDir().isEmpty(), "LOOKALIKE_TESTDATA not set");
    QVERIFY2(QFile::exists(modelsDir() + QStringLiteral("/clip-tokenizer/tokenizer_tests.json")), "test data missing");
    m_clip = load(modelsDir() + QStringLiteral("/clip-tokenizer"));
    TokenizerOptions hf;
    hf.clipPadding = ClipPadding::EndOfText;
    hf.clipUnescapeHtml = false;
    m_clipHf = load(modelsDir() + QStringLiteral("/clip-tokenizer"), hf);
    m_siglip = load(modelsDir() + QStringLiteral("/siglip-tiny"));
    QCOMPARE(m_clip->maxLength(), 77);
    QCOMPARE(m_clip->vocabularySize(), 49408);
    QCOMPARE(m_clip->eosId(), 49407);
    QCOMPARE(m_clip->padId(), 0);
    QCOMPARE(m_clipHf->padId(), 49407);
    QCOMPARE(m_siglip->maxLength(), 64);
    QCOMPARE(m_siglip->vocabularySize(), 4000);
    QCOMPARE(m_siglip->eosId(), 1);
    QCOMPARE(m_siglip->padId(), 1);
}

// Expected values are what Python 3.11 returns for the same calls.
void TstTokenizers::pythonSemantics_data()
{
    QTest::addColumn<QString>("function");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");

    QTest::newRow("unescape nested") << "unescape" << "&amp;lt;" << "&lt;";
    QTest::newRow("unescape longest prefix") << "unescape" << "&notit;" << QString::fromUtf8("¬it;");
    QTest::newRow("unescape legacy no semicolon") << "unescape" << "&ampx &AMP" << "&x &";
    QTest::newRow("unescape out of range") << "unescape" << "&#x110000;" << QStringLiteral("\uFFFD");
    QTest::newRow("unescape cp1252 ref") << "unescape" << "&#128;" << QString::fromUtf8("€");
    QTest::newRow("unescape null") << "unescape" << "&#0;" << QStringLiteral("\uFFFD");
    QTest::newRow("unescape invalid codepoint") << "unescape" << "a&#1;b" << "ab";
    QTest::newRow("unescape surrogate") << "unescape" << "&#xD800;" << QStringLiteral("\uFFFD");
    QTest::newRow("unescape mixed") << "unescape" << "x &#39;q&#39; &unknown; &#65" << "x 'q' &unknown; A";
    QTest::newRow("unescape longest name") << "unescape" << "&CounterClockwiseContourIntegral;" << QString::fromUtf8("∳");
    QTest::newRow("unescape no digits") << "unescape" << "&#x; &#;" << "&#x; &#;";
    QTest::newRow("lower final sigma") << "lower" << QString::fromUtf8("ΣΑ ΟΔΥΣΣΕΥΣ. Σ ΑΣ'Σ")
                                       << QString::fromUtf8("σα οδυσσευς. σ ασ'ς");
    QTest::newRow("lower dotted I") << "lower" << QString::fromUtf8("İ") << QString::fromUtf8("i\u0307");
    QTest::newRow("lower sharp s") << "lower" << QString::fromUtf8("STRASSE Straße") << QString::fromUtf8("strasse straße");
    QTest::newRow("ftfy mojibake quote") << "ftfy" << QString::fromUtf8("itâ€™s") << "it's";
    QTest::newRow("ftfy mojibake emoji") << "ftfy" << QString::fromUtf8("ðŸ˜€") << QString::fromUtf8("😀");
    QTest::newRow("ftfy fullwidth") << "ftfy" << QString::fromUtf8("ＬＯＵＤ　ＮＯＩＳＥＳ") << "LOUD NOISES";
    QTest::newRow("ftfy uppercased entity") << "ftfy" << "&NTILDE;" << QString::fromUtf8("Ñ");
    QTest::newRow("ftfy entities off after <") << "ftfy" << "a < b\n&amp;" << "a < b\n&amp;";
    QTest::newRow("ftfy legit latin-1") << "ftfy" << QString::fromUtf8("naïve façade Ångström À")
                                        << QString::fromUtf8("naïve façade Ångström À");
    QTest::newRow("ftfy terminal escape") << "ftfy" << "\x1b[36;44mblue\x1b[0m" << "blue";
    QTest::newRow("ftfy controls") << "ftfy" << QStringLiteral("a\u0001b\uFEFFc\r\nd") << "abc\nd";
    QTest::newRow("space python") << "collapse" << QStringLiteral("a\u001c\u2003b\u200bc") << QStringLiteral("a b\u200bc");
}

void TstTokenizers::pythonSemantics()
{
    QFETCH(QString, function);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QString actual;
    if (function == QLatin1String("unescape"))
        actual = textcleaning::htmlUnescape(input);
    else if (function == QLatin1String("lower"))
        actual = textcleaning::pythonLower(input);
    else if (function == QLatin1String("ftfy"))
        actual = textcleaning::ftfyFixText(input);
    else
        actual = textcleaning::collapseWhitespace(input);
    QCOMPARE(actual, expected);
}

void TstTokenizers::clipCases_data()
{
    QTest::addColumn<QJsonObject>("c");
    const QJsonObject root = readJson(modelsDir() + QStringLiteral("/clip-tokenizer/tokenizer_tests.json"));
    const QJsonArray cases = root.value(QStringLiteral("cases")).toArray();
    QCOMPARE(cases.size(), 44);
    int n = 0;
    for (const QJsonValue &v : cases)
        QTest::addRow("%02d %s", n++, qPrintable(v.toObject().value(QStringLiteral("text")).toString().simplified().left(30)))
            << v.toObject();
}

void TstTokenizers::clipCases()
{
    QFETCH(QJsonObject, c);
    const QString text = c.value(QStringLiteral("text")).toString();
    const auto &clip = static_cast<const ClipBpeTokenizer &>(*m_clip);

    QCOMPARE(clip.normalize(text), c.value(QStringLiteral("normalized")).toString());
    QCOMPARE(m_clip->pieces(text), toStrings(c.value(QStringLiteral("bpe_tokens"))));
    auto ids = m_clip->encode(text);
    QVERIFY2(ids, qPrintable(ids.errorMessage()));
    QCOMPARE(*ids, toIds(c.value(QStringLiteral("ids"))));

    // openai clip.tokenize(text, truncate=True)
    auto row = m_clip->tokenize(text, 77);
    QVERIFY2(row, qPrintable(row.errorMessage()));
    const std::vector<int64_t> expected = toIds(c.value(QStringLiteral("input_ids_77")));
    QCOMPARE(row->ids, expected);
    QCOMPARE(row->truncated, c.value(QStringLiteral("truncated_at_77")).toBool());
    // openai pools at argmax(ids), which is the EOT.
    QCOMPARE(row->eosPosition, int(std::max_element(expected.begin(), expected.end()) - expected.begin()));

    // HF CLIPTokenizer(padding="max_length", truncation=True): all 44, including the case
    // where HF differs from openai (clipUnescapeHtml = false reproduces HF).
    auto hf = m_clipHf->tokenize(text, 77);
    QVERIFY2(hf, qPrintable(hf.errorMessage()));
    QCOMPARE(hf->ids, toIds(c.value(QStringLiteral("hf_input_ids_77"))));
    QCOMPARE(hf->attentionMask, toIds(c.value(QStringLiteral("hf_attention_mask_77"))));
    if (c.value(QStringLiteral("hf_ids_match_openai")).toBool()) {
        // Same ids up to and including EOT; only the padding differs.
        QCOMPARE(hf->eosPosition, row->eosPosition);
        QVERIFY(std::equal(row->ids.begin(), row->ids.begin() + row->eosPosition + 1, hf->ids.begin()));
        QCOMPARE(hf->attentionMask, row->attentionMask);
    }
}

void TstTokenizers::clipDocumentedHfDifference()
{
    // README: HF differs from openai only on this text; openai unescapes twice, HF relies on
    // ftfy, which leaves entities alone in text containing '<'.
    const QString text = QStringLiteral("x < y &amp; z &#39;quoted&#39;");
    const auto &openai = static_cast<const ClipBpeTokenizer &>(*m_clip);
    const auto &hf = static_cast<const ClipBpeTokenizer &>(*m_clipHf);
    QCOMPARE(openai.normalize(text), QStringLiteral("x < y & z 'quoted'"));
    QCOMPARE(hf.normalize(text), QStringLiteral("x < y &amp; z &#39;quoted&#39;"));
    QVERIFY(*m_clip->encode(text) != *m_clipHf->encode(text));
}

void TstTokenizers::clipTinyFolder()
{
    const QString folder = modelsDir() + QStringLiteral("/clip-tiny");
    const QJsonObject summary = readJson(folder + QStringLiteral("/expected_summary.json"));
    const QStringList texts = toStrings(summary.value(QStringLiteral("texts")));
    const QJsonArray rows = summary.value(QStringLiteral("input_ids")).toArray();
    const std::vector<int64_t> eos = toIds(summary.value(QStringLiteral("eos_positions")));
    QCOMPARE(texts.size(), 4);
    QCOMPARE(rows.size(), 4);

    auto openai = load(folder);
    TokenizerOptions hfOptions;
    hfOptions.clipPadding = ClipPadding::EndOfText;
    auto hf = load(folder, hfOptions);
    QCOMPARE(openai->maxLength(), 77);
    for (int i = 0; i < 4; ++i) {
        auto row = openai->tokenize(texts[i], openai->maxLength());
        QVERIFY2(row, qPrintable(row.errorMessage()));
        QCOMPARE(row->ids, toIds(rows[i]));
        QCOMPARE(row->eosPosition, int(eos[size_t(i)]));
        QCOMPARE(row->truncated, i == 3);

        // input_ids_hf_padding: the same ids, 49407 after the EOT, mask up to the EOT.
        auto hfRow = hf->tokenize(texts[i], 77);
        QVERIFY(hfRow);
        std::vector<int64_t> expected = toIds(rows[i]);
        std::vector<int64_t> mask(77, 0);
        for (size_t p = 0; p < 77; ++p) {
            if (int(p) > eos[size_t(i)])
                expected[p] = 49407;
            else
                mask[p] = 1;
        }
        QCOMPARE(hfRow->ids, expected);
        QCOMPARE(hfRow->attentionMask, mask);
    }
}

void TstTokenizers::siglipCases_data()
{
    QTest::addColumn<QJsonObject>("c");
    const QJsonObject root = readJson(modelsDir() + QStringLiteral("/siglip-tiny/tokenizer_tests.json"));
    const QJsonArray cases = root.value(QStringLiteral("cases")).toArray();
    QCOMPARE(cases.size(), 50);
    int n = 0;
    for (const QJsonValue &v : cases)
        QTest::addRow("%02d %s", n++, qPrintable(v.toObject().value(QStringLiteral("text")).toString().simplified().left(30)))
            << v.toObject();
}

void TstTokenizers::siglipCases()
{
    QFETCH(QJsonObject, c);
    const QString text = c.value(QStringLiteral("text")).toString();
    QCOMPARE(m_siglip->pieces(text), toStrings(c.value(QStringLiteral("pieces"))));

    // `ids` of the reference include the final </s>.
    auto ids = m_siglip->encode(text);
    QVERIFY2(ids, qPrintable(ids.errorMessage()));
    std::vector<int64_t> withEos = *ids;
    if (withEos.empty() || withEos.back() != 1)
        withEos.push_back(1);
    QCOMPARE(withEos, toIds(c.value(QStringLiteral("ids"))));

    auto row = m_siglip->tokenize(text, 64);
    QVERIFY2(row, qPrintable(row.errorMessage()));
    QCOMPARE(row->ids, toIds(c.value(QStringLiteral("input_ids_64"))));
    QCOMPARE(row->attentionMask, toIds(c.value(QStringLiteral("attention_mask_64"))));
    QCOMPARE(row->truncated, c.value(QStringLiteral("truncated_at_64")).toBool());
    QCOMPARE(row->ids[size_t(row->eosPosition)], 1);
}

void TstTokenizers::siglipTinyFolder()
{
    const QString folder = modelsDir() + QStringLiteral("/siglip-tiny");
    const QJsonObject summary = readJson(folder + QStringLiteral("/expected_summary.json"));
    const QStringList texts = toStrings(summary.value(QStringLiteral("texts")));
    const QJsonArray rows = summary.value(QStringLiteral("input_ids")).toArray();
    QCOMPARE(texts.size(), 4);
    QCOMPARE(rows.size(), 4);
    for (int i = 0; i < 4; ++i) {
        auto row = m_siglip->tokenize(texts[i], m_siglip->maxLength());
        QVERIFY2(row, qPrintable(row.errorMessage()));
        QCOMPARE(row->ids, toIds(rows[i]));
    }
}

void TstTokenizers::malformedFilesAreErrors_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("code");

    const auto corrupt = int(Error::Code::Corrupt);
    QTest::newRow("vocab not json") << "vocab.json" << QByteArray("{\"a\": 1,") << corrupt;
    QTest::newRow("vocab array") << "vocab.json" << QByteArray("[1, 2]") << corrupt;
    QTest::newRow("vocab string id") << "vocab.json" << QByteArray("{\"a\": \"x\"}") << corrupt;
    QTest::newRow("vocab negative id") << "vocab.json" << QByteArray("{\"a\": -4}") << corrupt;
    QTest::newRow("vocab without bytes") << "vocab.json" << QByteArray("{\"a\": 0, \"<|endoftext|>\": 1}") << corrupt;
    QTest::newRow("vocab empty file") << "vocab.json" << QByteArray() << corrupt;
    QTest::newRow("merges three symbols") << "merges.txt" << QByteArray("#version: 0.2\ni n x\n") << corrupt;
    QTest::newRow("merges one symbol") << "merges.txt" << QByteArray("#version: 0.2\ni\n") << corrupt;
    QTest::newRow("merges unknown symbol") << "merges.txt" << QByteArray("#version: 0.2\n\xe2\x82\xac q\n") << corrupt;
    QTest::newRow("merges binary") << "merges.txt" << QByteArray("\x00\x01\x02 \xff\xfe", 7) << corrupt;
    QTest::newRow("spiece random") << "spiece.model" << QByteArray("this is not a protobuf at all \x01\x02\xff") << corrupt;
    QTest::newRow("spiece empty") << "spiece.model" << QByteArray() << corrupt;
    QTest::newRow("tokenizer_config not json") << "tokenizer_config.json" << QByteArray("{oops") << corrupt;
}

void TstTokenizers::malformedFilesAreErrors()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(int, code);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const bool sentencePiece = file == QLatin1String("spiece.model");
    const QString source = modelsDir() + (sentencePiece ? QStringLiteral("/siglip-tiny/") : QStringLiteral("/clip-tokenizer/"));
    const QStringList files = sentencePiece
        ? QStringList{QStringLiteral("spiece.model"), QStringLiteral("tokenizer_config.json")}
        : QStringList{QStringLiteral("vocab.json"), QStringLiteral("merges.txt"), QStringLiteral("tokenizer_config.json")};
    for (const QString &f : files)
        QVERIFY(QFile::copy(source + f, dir.filePath(f)));
    QVERIFY(QFile::remove(dir.filePath(file)));
    QVERIFY(writeFile(dir.filePath(file), content));

    auto t = Tokenizer::fromModelFolder(dir.path());
    QVERIFY(!t);
    QCOMPARE(int(t.error().code), code);
    QVERIFY(!t.errorMessage().isEmpty());
}

void TstTokenizers::missingTokenizerIsNotFound()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto none = Tokenizer::fromModelFolder(dir.path());
    QVERIFY(!none);
    QCOMPARE(none.error().code, Error::Code::NotFound);

    auto noFolder = Tokenizer::fromModelFolder(dir.filePath(QStringLiteral("absent")));
    QVERIFY(!noFolder);
    QCOMPARE(noFolder.error().code, Error::Code::NotFound);

    // A truncated spiece.model (half of the real one).
    QFile real(modelsDir() + QStringLiteral("/siglip-tiny/spiece.model"));
    QVERIFY(real.open(QIODevice::ReadOnly));
    const QByteArray bytes = real.readAll();
    auto truncated = SentencePieceTokenizer::fromSerializedModel(bytes.left(bytes.size() / 2), {});
    QVERIFY(!truncated);
    QCOMPARE(truncated.error().code, Error::Code::Corrupt);

    auto missing = SentencePieceTokenizer::fromFile(dir.filePath(QStringLiteral("spiece.model")), {});
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Error::Code::NotFound);
}

// Byte flips and truncations of a real spiece.model: each one loads or is refused, and what
// loads can encode; nothing crashes or reads out of bounds (run under the asan preset).
void TstTokenizers::damagedSentencePieceModels()
{
    QFile real(modelsDir() + QStringLiteral("/siglip-tiny/spiece.model"));
    QVERIFY(real.open(QIODevice::ReadOnly));
    const QByteArray bytes = real.readAll();
    quint32 state = 12345;
    const auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    int refused = 0;
    for (int i = 0; i < 300; ++i) {
        QByteArray damaged = bytes;
        if (i % 3 == 0) {
            damaged.truncate(qsizetype(next() % quint32(bytes.size())));
        } else {
            for (int k = 0; k < 4; ++k)
                damaged[qsizetype(next() % quint32(bytes.size()))] = char(next());
        }
        auto t = SentencePieceTokenizer::fromSerializedModel(damaged, {});
        if (!t) {
            ++refused;
            QVERIFY(!t.errorMessage().isEmpty());
            continue;
        }
        auto row = (*t)->tokenize(QString::fromUtf8("Hello wörld, 日本語 </s> 123"), 16);
        QVERIFY(row);
        QCOMPARE(row->ids.size(), size_t(16));
    }
    QVERIFY(refused > 0);
}

void TstTokenizers::invalidLength()
{
    QCOMPARE(m_clip->tokenize(QStringLiteral("a"), 1).error().code, Error::Code::InvalidArgument);
    QCOMPARE(m_siglip->tokenize(QStringLiteral("a"), 0).error().code, Error::Code::InvalidArgument);
    // The shortest legal rows.
    QCOMPARE(m_clip->tokenize(QStringLiteral("a photo"), 2)->ids, (std::vector<int64_t>{49406, 49407}));
    QCOMPARE(m_siglip->tokenize(QStringLiteral("a photo"), 2)->ids.back(), 1);
}

void TstTokenizers::concurrentUse()
{
    QStringList texts;
    const QJsonArray cases = readJson(modelsDir() + QStringLiteral("/siglip-tiny/tokenizer_tests.json"))
                                 .value(QStringLiteral("cases"))
                                 .toArray();
    for (const QJsonValue &v : cases)
        texts.append(v.toObject().value(QStringLiteral("text")).toString());
    // Fresh tokenizers, so that the BPE cache fills while four threads use it.
    auto clip = load(modelsDir() + QStringLiteral("/clip-tiny"));
    std::vector<std::vector<int64_t>> expectedClip;
    std::vector<std::vector<int64_t>> expectedSiglip;
    for (const QString &t : texts) {
        expectedClip.push_back(m_clip->tokenize(t, 77)->ids);
        expectedSiglip.push_back(m_siglip->tokenize(t, 64)->ids);
    }

    QStringList work;
    for (int round = 0; round < 20; ++round)
        work += texts;
    QThreadPool pool;
    pool.setMaxThreadCount(4);
    const auto results = QtConcurrent::blockingMapped<QList<std::pair<std::vector<int64_t>, std::vector<int64_t>>>>(
        &pool, work, [&](const QString &t) {
            return std::make_pair(clip->tokenize(t, 77)->ids, m_siglip->tokenize(t, 64)->ids);
        });
    QCOMPARE(results.size(), work.size());
    for (qsizetype i = 0; i < results.size(); ++i) {
        const auto n = size_t(i % texts.size());
        QCOMPARE(results[i].first, expectedClip[n]);
        QCOMPARE(results[i].second, expectedSiglip[n]);
    }
}

QTEST_GUILESS_MAIN(TstTokenizers)
#include "tst_tokenizers.moc"
