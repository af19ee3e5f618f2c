#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace lookalike {

// One text as a text tower takes it: a row of exactly `length` ids.
struct TokenizedText
{
    std::vector<int64_t> ids;           // length entries, specials and padding included
    std::vector<int64_t> attentionMask; // 1 for real tokens (specials included), 0 for padding
    // The index the text tower pools at: the first end-of-text token in `ids` (for CLIP that
    // is openai's argmax(ids) and HF's first eos_token_id, which differ from the appended
    // token only when the text holds a literal "<|endoftext|>"); for SigLIP the final </s>.
    int eosPosition = -1;
    bool truncated = false;             // the text had more tokens than fit
};

// How the CLIP BPE tokenizer fills a row after its end-of-text token. The ids before it and
// the pooled output are the same either way (CLIP's text tower is causal).
enum class ClipPadding {
    Zeros,      // openai clip.tokenize: pad with 0
    EndOfText,  // Hugging Face CLIPTokenizer: pad with <|endoftext|> (its pad_token)
};

struct TokenizerOptions
{
    ClipPadding clipPadding = ClipPadding::Zeros;
    // openai's basic_clean runs html.unescape twice after ftfy; HF's CLIPTokenizer does not,
    // and ftfy leaves entities alone in text containing '<' (so "x < y &amp; z" differs).
    // true = openai, the reference the CLIP weights were trained with.
    bool clipUnescapeHtml = true;
};

// Text → ids for a text tower. Implementations are immutable after loading, and every method
// may be called from several threads at once.
class Tokenizer
{
public:
    virtual ~Tokenizer();

    // The ids of the text's tokens without any specials (no start/end token, no padding, no
    // truncation). Errors only on text that cannot be encoded at all.
    virtual Result<std::vector<int64_t>> encode(const QString &text) const = 0;

    // The row a model of context length `length` takes:
    //   CLIP:    <|startoftext|> ids… <|endoftext|> padding; when too long, the first
    //            length−2 ids are kept and <|endoftext|> is put at length−1 (as both openai's
    //            truncate=True and HF's truncation=True do).
    //   SigLIP:  ids… </s> then <pad> up to `length`; when too long, length−1 ids + </s>.
    // `length` < 2 is an InvalidArgument error.
    virtual Result<TokenizedText> tokenize(const QString &text, int length) const = 0;

    // The token strings `encode` produces, for tests and debugging (BPE symbols with "</w>",
    // SentencePiece pieces with "▁").
    virtual QStringList pieces(const QString &text) const = 0;

    // The default row length from tokenizer_config.json's model_max_length (77 for CLIP, 64
    // for the SigLIP test model), or 0 when the folder does not say.
    virtual int maxLength() const = 0;
    virtual int64_t vocabularySize() const = 0;
    virtual int64_t padId() const = 0;
    virtual int64_t eosId() const = 0;

    // Loads the tokenizer a Hugging Face model folder ships, choosing by the files present:
    // vocab.json + merges.txt, or a tokenizer.json whose model is BPE → CLIP byte-level BPE;
    // spiece.model → SentencePiece with SigLIP's normalisation. tokenizer_config.json, when
    // present, supplies model_max_length, do_lower_case and the special tokens.
    // NotFound when the folder holds none of these; Corrupt when a file cannot be parsed.
    static Result<std::unique_ptr<Tokenizer>> fromModelFolder(const QString &folder,
                                                              const TokenizerOptions &options = {});

protected:
    Tokenizer() = default;
    Tokenizer(const Tokenizer &) = delete;
    Tokenizer &operator=(const Tokenizer &) = delete;
};

} // namespace lookalike
