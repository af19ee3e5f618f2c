#pragma once

#include "models/tokenizer.h"

#include <QHash>
#include <QMutex>
#include <QRegularExpression>

namespace lookalike {

// CLIP's byte-level BPE (openai/CLIP simple_tokenizer.py; HF CLIPTokenizer): ftfy-style fixes,
// html.unescape twice (openai only), whitespace collapsed, lower-cased, split by CLIP's regex,
// each piece's UTF-8 bytes mapped to printable characters and merged by rank, with "</w>"
// marking the end of a word. "<|startoftext|>" and "<|endoftext|>" in the text are their
// special ids, as in both references.
class ClipBpeTokenizer final : public Tokenizer
{
public:
    struct Config
    {
        QString bosToken = QStringLiteral("<|startoftext|>");
        QString eosToken = QStringLiteral("<|endoftext|>");
        QString padToken = QStringLiteral("<|endoftext|>"); // used with ClipPadding::EndOfText
        int maxLength = 0;
        TokenizerOptions options;
    };

    // vocab.json + merges.txt ("#version" line optional, then one "a b" merge per line).
    static Result<std::unique_ptr<ClipBpeTokenizer>> fromFiles(const QString &vocabJson, const QString &mergesTxt,
                                                               const Config &config);
    // A Hugging Face fast-tokenizer file whose "model" is {"type": "BPE", "vocab", "merges"}.
    static Result<std::unique_ptr<ClipBpeTokenizer>> fromTokenizerJson(const QString &tokenizerJson, const Config &config);
    // From data in memory: vocab ids by token, merges in rank order as (first, second).
    static Result<std::unique_ptr<ClipBpeTokenizer>> fromData(QHash<QString, int64_t> vocab,
                                                              const std::vector<std::pair<QString, QString>> &merges,
                                                              const Config &config);

    Result<std::vector<int64_t>> encode(const QString &text) const override;
    Result<TokenizedText> tokenize(const QString &text, int length) const override;
    QStringList pieces(const QString &text) const override;
    int maxLength() const override { return m_config.maxLength; }
    int64_t vocabularySize() const override { return int64_t(m_vocab.size()); }
    int64_t padId() const override;
    int64_t eosId() const override { return m_eosId; }
    int64_t bosId() const { return m_bosId; }

    // The string the regex splits: ftfy subset, html.unescape ×2 (when enabled), whitespace
    // collapsed and stripped, lower-cased. Exposed for tests.
    QString normalize(const QString &text) const;

private:
    ClipBpeTokenizer() = default;

    // The BPE symbols of one pre-token (already byte-mapped), cached.
    QStringList bpe(const QString &word) const;
    QStringList allPieces(const QString &text) const;

    Config m_config;
    QHash<QString, int64_t> m_vocab;
    QHash<QString, int> m_mergeRanks; // "first second" → rank
    QString m_byteToChar[256];
    QRegularExpression m_pattern;
    int64_t m_bosId = -1;
    int64_t m_eosId = -1;
    int64_t m_padTokenId = -1;

    mutable QMutex m_cacheMutex;
    mutable QHash<QString, QStringList> m_cache;
};

} // namespace lookalike
