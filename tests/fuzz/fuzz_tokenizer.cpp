// Arbitrary text through CLIP's tokenizer: ftfy-style cleaning, HTML unescaping, the
// pre-tokenising pattern and byte-level BPE, then a row of the model's length. A small vocabulary
// (every byte symbol, a few merges) keeps the target self-contained.
#include "fuzzsupport.h"
#include "models/clipbpetokenizer.h"

#include <memory>

using namespace lookalike;

namespace {
std::unique_ptr<ClipBpeTokenizer> g_tokenizer;

// GPT-2's byte-to-unicode table: printable bytes stand for themselves, the rest are shifted
// past U+0100, as CLIP's vocabulary spells them.
QString byteSymbol(int b)
{
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    if (printable)
        return QString(QChar(b));
    int n = 0;
    for (int i = 0; i < b; ++i) {
        const bool p = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
        if (!p)
            ++n;
    }
    return QString(QChar(256 + n));
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initialise();
    QHash<QString, int64_t> vocab;
    for (int b = 0; b < 256; ++b) {
        vocab.insert(byteSymbol(b), vocab.size());
        vocab.insert(byteSymbol(b) + QStringLiteral("</w>"), vocab.size());
    }
    const std::vector<std::pair<QString, QString>> merges = {
        {QStringLiteral("t"), QStringLiteral("h")}, {QStringLiteral("th"), QStringLiteral("e</w>")},
        {QStringLiteral("a"), QStringLiteral("n")}, {QStringLiteral("an"), QStringLiteral("d</w>")},
        {QStringLiteral("c"), QStringLiteral("a")}, {QStringLiteral("ca"), QStringLiteral("t</w>")}};
    for (const auto &[a, b] : merges)
        vocab.insert(a + b, vocab.size());
    vocab.insert(QStringLiteral("<|startoftext|>"), vocab.size());
    vocab.insert(QStringLiteral("<|endoftext|>"), vocab.size());
    ClipBpeTokenizer::Config config;
    config.maxLength = 77;
    auto t = ClipBpeTokenizer::fromData(vocab, merges, config);
    if (!t)
        qFatal("fuzz_tokenizer: %s", qPrintable(t.errorMessage()));
    g_tokenizer = std::move(*t);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    auto row = g_tokenizer->tokenize(text, 77);
    if (row && row->ids.size() != 77)
        std::abort();
    if (row) {
        for (int64_t id : row->ids)
            if (id < 0 || id >= g_tokenizer->vocabularySize())
                std::abort();
    }
    return 0;
}
