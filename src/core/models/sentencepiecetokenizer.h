#pragma once

#include "models/tokenizer.h"

namespace lookalike {

// SigLIP's tokenizer (HF SiglipTokenizer, slow), with SentencePiece's unigram encoder
// implemented here rather than taken from libsentencepiece: Debian's libsentencepiece exports a
// bundled protobuf-lite 3.14 whose symbols collide with libtorch's libprotobuf 3.21, and a
// process that loads both aborts before main(). spiece.model is read as protobuf wire data;
// the normaliser (precompiled_charsmap, a darts-clone trie), the whitespace rules and the
// Viterbi search follow SentencePiece 0.1.97.
//   1. "▁" + text with "▁" replaced by spaces; lower-cased when do_lower_case,
//   2. split at literal special tokens ("</s>", "<unk>"), which stay tokens of their own and
//      eat the whitespace beside them,
//   3. each other part: ASCII punctuation deleted, whitespace collapsed, stripped, then encoded
//      by SentencePiece without its dummy prefix (HF turns add_dummy_prefix off),
//   4. "</s>" appended unless the ids already end with it.
// tokenize() pads with the pad token (</s> = 1 for SigLIP) and truncates to length−1 ids + </s>.
class SentencePieceTokenizer final : public Tokenizer
{
public:
    struct Config
    {
        bool lowerCase = true;
        QString eosToken = QStringLiteral("</s>");
        QString padToken = QStringLiteral("</s>");
        QString unkToken = QStringLiteral("<unk>");
        // Tokens kept whole when they occur literally in the text (eos, pad, unk are added).
        QStringList specialTokens;
        int maxLength = 0;
    };

    // NotFound when the file is missing, Corrupt when it is not a valid model, Unsupported for
    // models other than unigram without byte fallback.
    static Result<std::unique_ptr<SentencePieceTokenizer>> fromFile(const QString &spieceModel, const Config &config);
    static Result<std::unique_ptr<SentencePieceTokenizer>> fromSerializedModel(const QByteArray &model,
                                                                               const Config &config,
                                                                               const QString &origin = QString());
    ~SentencePieceTokenizer() override;

    Result<std::vector<int64_t>> encode(const QString &text) const override;
    Result<TokenizedText> tokenize(const QString &text, int length) const override;
    QStringList pieces(const QString &text) const override;
    int maxLength() const override { return m_config.maxLength; }
    int64_t vocabularySize() const override;
    int64_t padId() const override { return m_padId; }
    int64_t eosId() const override { return m_eosId; }

private:
    SentencePieceTokenizer();

    // Pieces and ids of `text` without the trailing </s>.
    Result<std::pair<QStringList, std::vector<int64_t>>> run(const QString &text) const;
    Result<QStringList> encodePart(const QString &part) const;

    Config m_config;
    struct Model;
    std::unique_ptr<Model> m_model;
    int m_unkPrefixLength = 0;
    int64_t m_eosId = -1;
    int64_t m_padId = -1;
};

} // namespace lookalike
