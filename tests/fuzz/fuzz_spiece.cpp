// A SentencePiece model file (protobuf, as SigLIP ships spiece.model) read from arbitrary
// bytes, then used on a few texts: a refusal, or a tokenizer whose ids are in its vocabulary.
#include "fuzzsupport.h"
#include "models/sentencepiecetokenizer.h"

using namespace lookalike;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto t = SentencePieceTokenizer::fromSerializedModel(fuzz::bytesOf(data, size), {});
    if (!t)
        return 0;
    for (const QString &text : {QStringLiteral("a photo of a cat"), QStringLiteral("ÆØÅ ✓ \u00a0 x"), QString()}) {
        auto row = (*t)->tokenize(text, 16);
        if (!row)
            continue;
        if (row->ids.size() != 16)
            std::abort();
        for (int64_t id : row->ids)
            if (id < 0 || id >= (*t)->vocabularySize())
                std::abort();
    }
    return 0;
}
