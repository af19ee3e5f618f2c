#include "models/sentencepiecetokenizer.h"

#include "models/textcleaning.h"

#include <QFile>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lookalike {

namespace {

constexpr qint64 kMaxModelBytes = 64LL << 20;

// ---- protobuf wire format, just what ModelProto needs ----

class WireReader
{
public:
    explicit WireReader(std::string_view data) : m_data(data) {}
    bool atEnd() const { return m_pos >= m_data.size(); }
    bool failed() const { return m_failed; }

    // Reads the next field's key; false at the end or on malformed data.
    bool next(uint32_t &field, uint32_t &wireType)
    {
        if (atEnd() || m_failed)
            return false;
        uint64_t key = 0;
        if (!varint(key) || (key >> 3) == 0 || (key >> 3) > 0x1FFFFFFF)
            return fail();
        field = uint32_t(key >> 3);
        wireType = uint32_t(key & 7);
        return true;
    }
    bool varint(uint64_t &value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_data.size())
                return fail();
            const auto byte = uint8_t(m_data[m_pos++]);
            value |= uint64_t(byte & 0x7F) << shift;
            if (!(byte & 0x80))
                return true;
        }
        return fail();
    }
    bool bytes(std::string_view &out)
    {
        uint64_t length = 0;
        if (!varint(length) || length > m_data.size() - m_pos)
            return fail();
        out = m_data.substr(m_pos, size_t(length));
        m_pos += size_t(length);
        return true;
    }
    bool fixed32(uint32_t &out)
    {
        if (m_data.size() - m_pos < 4)
            return fail();
        out = uint32_t(uint8_t(m_data[m_pos])) | uint32_t(uint8_t(m_data[m_pos + 1])) << 8
            | uint32_t(uint8_t(m_data[m_pos + 2])) << 16 | uint32_t(uint8_t(m_data[m_pos + 3])) << 24;
        m_pos += 4;
        return true;
    }
    bool skip(uint32_t wireType)
    {
        uint64_t v = 0;
        std::string_view b;
        uint32_t f = 0;
        switch (wireType) {
        case 0: return varint(v);
        case 1:
            if (m_data.size() - m_pos < 8)
                return fail();
            m_pos += 8;
            return true;
        case 2: return bytes(b);
        case 5: return fixed32(f);
        default: return fail();
        }
    }

private:
    bool fail()
    {
        m_failed = true;
        return false;
    }
    std::string_view m_data;
    size_t m_pos = 0;
    bool m_failed = false;
};

enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

// Length of the UTF-8 character starting with `lead`, as SentencePiece's OneCharLen.
int oneCharLength(unsigned char lead)
{
    static constexpr int table[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return table[lead >> 4];
}

// Length of a valid UTF-8 character at the start of `s`, or 0 when it is malformed.
size_t validUtf8Length(std::string_view s)
{
    const auto b0 = uint8_t(s[0]);
    if (b0 < 0x80)
        return 1;
    size_t n = 0;
    uint32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) { n = 2; cp = b0 & 0x1F; }
    else if (b0 >= 0xE0 && b0 <= 0xEF) { n = 3; cp = b0 & 0x0F; }
    else if (b0 >= 0xF0 && b0 <= 0xF4) { n = 4; cp = b0 & 0x07; }
    else return 0;
    if (s.size() < n)
        return 0;
    for (size_t k = 1; k < n; ++k) {
        const auto b = uint8_t(s[k]);
        if ((b & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    const uint32_t minimum = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

} // namespace

// A SentencePiece unigram model: pieces, the normaliser and the Viterbi segmentation.
struct SentencePieceTokenizer::Model
{
    struct Piece
    {
        std::string text;
        float score = 0;
        int type = Normal;
    };
    std::vector<Piece> pieces;
    std::unordered_map<std::string, int> normalIds;   // normal, user-defined and unused pieces
    std::unordered_map<std::string, int> reservedIds; // control, unknown and byte pieces
    std::vector<std::string> userDefined;
    size_t maxPieceBytes = 0;
    int unkId = 0;
    float minScore = 0;
    float maxScore = 0;

    bool addDummyPrefix = true;
    bool removeExtraWhitespaces = true;
    bool escapeWhitespaces = true;
    std::vector<uint32_t> trie;    // darts-clone double array of the normalisation rules
    std::string normalizedStrings; // their replacements, NUL-separated

    static Result<std::unique_ptr<Model>> parse(std::string_view data, const QString &name);

    int pieceToId(std::string_view piece) const
    {
        const std::string key(piece);
        if (const auto it = normalIds.find(key); it != normalIds.end())
            return it->second;
        if (const auto it = reservedIds.find(key); it != reservedIds.end())
            return it->second;
        return unkId;
    }

    // The longest normalisation rule matching the start of `input`: (replacement, consumed).
    std::pair<std::string_view, size_t> normalizePrefix(std::string_view input) const
    {
        for (const std::string &u : userDefined) {
            if (input.substr(0, u.size()) == u)
                return {input.substr(0, u.size()), u.size()};
        }
        size_t longestLength = 0;
        uint32_t longestValue = 0;
        if (!trie.empty()) {
            // darts-clone commonPrefixSearch; a unit is: label (bits 0-7 and 31), has_leaf
            // (bit 8), offset (bits 10-31, shifted by 8 when bit 9 is set), value (bits 0-30).
            const auto offset = [](uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); };
            size_t node = offset(trie[0]);
            for (size_t i = 0; i < input.size(); ++i) {
                const auto c = uint8_t(input[i]);
                node ^= c;
                if (node >= trie.size())
                    break;
                const uint32_t unit = trie[node];
                if ((unit & ((1u << 31) | 0xFF)) != c)
                    break;
                node ^= offset(unit);
                if (node >= trie.size())
                    break;
                if ((unit >> 8) & 1) {
                    longestLength = i + 1;
                    longestValue = trie[node] & ((1u << 31) - 1);
                }
            }
        }
        if (longestLength > 0 && longestValue < normalizedStrings.size()) {
            const char *start = normalizedStrings.data() + longestValue;
            return {std::string_view(start, std::strlen(start)), longestLength};
        }
        const size_t length = validUtf8Length(input);
        if (length == 0)
            return {std::string_view("\xEF\xBF\xBD", 3), 1};
        return {input.substr(0, length), length};
    }

    std::string normalize(std::string_view input) const
    {
        static constexpr std::string_view kSpace = "\xE2\x96\x81";
        std::string out;
        if (removeExtraWhitespaces) {
            while (!input.empty()) {
                const auto p = normalizePrefix(input);
                if (p.first != " ")
                    break;
                input.remove_prefix(p.second);
            }
        }
        if (input.empty())
            return out;
        if (addDummyPrefix)
            out += escapeWhitespaces ? kSpace : std::string_view(" ");
        bool prevSpace = removeExtraWhitespaces;
        while (!input.empty()) {
            const auto p = normalizePrefix(input);
            std::string_view sp = p.first;
            while (prevSpace && !sp.empty() && sp.front() == ' ')
                sp.remove_prefix(1);
            if (!sp.empty()) {
                for (char c : sp) {
                    if (escapeWhitespaces && c == ' ')
                        out += kSpace;
                    else
                        out += c;
                }
                prevSpace = sp.back() == ' ';
            }
            input.remove_prefix(p.second);
            if (!removeExtraWhitespaces)
                prevSpace = false;
        }
        if (removeExtraWhitespaces) {
            const std::string_view space = escapeWhitespaces ? kSpace : std::string_view(" ");
            while (out.size() >= space.size() && std::string_view(out).substr(out.size() - space.size()) == space)
                out.resize(out.size() - space.size());
        }
        return out;
    }

    // Viterbi over the normalised text; consecutive unknown pieces are merged into one.
    std::vector<std::string> encode(std::string_view text) const
    {
        const std::string normalized = normalize(text);
        const size_t size = normalized.size();
        struct Node
        {
            int id = -1;
            float score = 0;
            long startsAt = -1;
        };
        std::vector<Node> best(size + 1);
        const float unkScore = minScore - 10.0f;
        size_t start = 0;
        while (start < size) {
            const float scoreHere = best[start].score;
            bool hasSingle = false;
            const size_t charLength = std::min<size_t>(size_t(oneCharLength(uint8_t(normalized[start]))), size - start);
            for (size_t end = start + 1; end <= size && end - start <= maxPieceBytes; ++end) {
                const auto it = normalIds.find(normalized.substr(start, end - start));
                if (it == normalIds.end())
                    continue;
                const Piece &piece = pieces[size_t(it->second)];
                if (piece.type == Unused)
                    continue;
                Node &target = best[end];
                const size_t length = end - start;
                bool better = false;
                float candidate = 0;
                if (piece.type == UserDefined) {
                    const double c = double(float(length) * maxScore) - 0.1 + double(scoreHere);
                    better = target.startsAt == -1 || c > double(target.score);
                    candidate = float(c);
                } else {
                    candidate = piece.score + scoreHere;
                    better = target.startsAt == -1 || candidate > target.score;
                }
                if (better) {
                    target.score = candidate;
                    target.startsAt = long(start);
                    target.id = it->second;
                }
                if (length == charLength)
                    hasSingle = true;
            }
            if (!hasSingle) {
                Node &target = best[start + charLength];
                const float candidate = unkScore + scoreHere;
                if (target.startsAt == -1 || candidate > target.score) {
                    target.score = candidate;
                    target.startsAt = long(start);
                    target.id = unkId;
                }
            }
            start += charLength;
        }
        std::vector<std::pair<std::string, int>> path;
        for (size_t end = size; end > 0;) {
            const Node &node = best[end];
            if (node.startsAt < 0)
                break; // cannot happen: every character has at least the unknown path
            path.emplace_back(normalized.substr(size_t(node.startsAt), end - size_t(node.startsAt)), node.id);
            end = size_t(node.startsAt);
        }
        std::reverse(path.begin(), path.end());
        std::vector<std::string> out;
        bool prevUnknown = false;
        for (const auto &[piece, id] : path) {
            const bool unknown = id == unkId;
            if (unknown && prevUnknown)
                out.back() += piece;
            else
                out.push_back(piece);
            prevUnknown = unknown;
        }
        return out;
    }
};

Result<std::unique_ptr<SentencePieceTokenizer::Model>> SentencePieceTokenizer::Model::parse(std::string_view data,
                                                                                           const QString &name)
{
    const auto corrupt = [&name](const QString &what) {
        return makeError(Error::Code::Corrupt, QStringLiteral("%1 is not a valid SentencePiece model: %2").arg(name, what));
    };
    auto model = std::make_unique<Model>();
    std::string_view charsmap;
    uint64_t modelType = 1;
    uint64_t byteFallback = 0;
    uint64_t suffix = 0;
    bool unkIdSet = false;

    WireReader top(data);
    uint32_t field = 0;
    uint32_t wire = 0;
    while (top.next(field, wire)) {
        if ((field == 1 || field == 2 || field == 3) && wire != 2)
            return corrupt(QStringLiteral("field %1 has the wrong wire type").arg(field));
        std::string_view sub;
        if (field == 1) { // repeated SentencePiece
            if (!top.bytes(sub))
                break;
            Piece piece;
            bool hasText = false;
            WireReader r(sub);
            uint32_t f = 0, w = 0;
            while (r.next(f, w)) {
                uint64_t v = 0;
                uint32_t bits = 0;
                std::string_view t;
                if (f == 1 && w == 2 && r.bytes(t)) {
                    piece.text = std::string(t);
                    hasText = true;
                } else if (f == 2 && w == 5 && r.fixed32(bits)) {
                    std::memcpy(&piece.score, &bits, 4);
                } else if (f == 3 && w == 0 && r.varint(v)) {
                    piece.type = int(v);
                } else if ((f == 1 && w == 2) || (f == 2 && w == 5) || (f == 3 && w == 0) || !r.skip(w)) {
                    break;
                }
            }
            if (r.failed() || !hasText || piece.text.empty() || piece.type < Normal || piece.type > Byte)
                return corrupt(QStringLiteral("piece %1 is malformed").arg(model->pieces.size()));
            model->pieces.push_back(std::move(piece));
        } else if (field == 2) { // TrainerSpec
            if (!top.bytes(sub))
                break;
            WireReader r(sub);
            uint32_t f = 0, w = 0;
            while (r.next(f, w)) {
                uint64_t v = 0;
                if (w == 0 && (f == 3 || f == 35 || f == 24 || f == 40)) {
                    if (!r.varint(v))
                        break;
                    if (f == 3)
                        modelType = v;
                    else if (f == 35)
                        byteFallback = v;
                    else if (f == 24)
                        suffix = v;
                    else {
                        model->unkId = int(v);
                        unkIdSet = true;
                    }
                } else if (!r.skip(w)) {
                    break;
                }
            }
            if (r.failed())
                return corrupt(QStringLiteral("the trainer spec is malformed"));
        } else if (field == 3) { // NormalizerSpec
            if (!top.bytes(sub))
                break;
            WireReader r(sub);
            uint32_t f = 0, w = 0;
            while (r.next(f, w)) {
                uint64_t v = 0;
                if (f == 2 && w == 2) {
                    if (!r.bytes(charsmap))
                        break;
                } else if (w == 0 && (f == 3 || f == 4 || f == 5)) {
                    if (!r.varint(v))
                        break;
                    (f == 3 ? model->addDummyPrefix : f == 4 ? model->removeExtraWhitespaces : model->escapeWhitespaces) = v != 0;
                } else if (!r.skip(w)) {
                    break;
                }
            }
            if (r.failed())
                return corrupt(QStringLiteral("the normalizer spec is malformed"));
        } else if (!top.skip(wire)) {
            break;
        }
    }
    if (top.failed())
        return corrupt(QStringLiteral("truncated or malformed protobuf data"));
    if (model->pieces.empty())
        return corrupt(QStringLiteral("it has no pieces"));
    if (modelType != 1)
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("%1: only unigram SentencePiece models are supported").arg(name));
    if (byteFallback || suffix)
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("%1: byte fallback and whitespace-as-suffix are not supported").arg(name));

    bool haveNormal = false;
    model->minScore = std::numeric_limits<float>::max();
    model->maxScore = std::numeric_limits<float>::lowest();
    for (size_t id = 0; id < model->pieces.size(); ++id) {
        const Piece &p = model->pieces[id];
        auto &map = (p.type == Normal || p.type == UserDefined || p.type == Unused) ? model->normalIds : model->reservedIds;
        if (!map.emplace(p.text, int(id)).second)
            return corrupt(QStringLiteral("piece \"%1\" appears twice").arg(QString::fromStdString(p.text)));
        if (p.type == Normal || p.type == UserDefined || p.type == Unused)
            model->maxPieceBytes = std::max(model->maxPieceBytes, p.text.size());
        if (p.type == UserDefined)
            model->userDefined.push_back(p.text);
        if (p.type == Normal) {
            haveNormal = true;
            model->minScore = std::min(model->minScore, p.score);
            model->maxScore = std::max(model->maxScore, p.score);
        }
    }
    if (!haveNormal)
        return corrupt(QStringLiteral("it has no normal pieces"));
    // Longest user-defined symbols first, so the first match is the longest.
    std::sort(model->userDefined.begin(), model->userDefined.end(),
              [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
    if (!unkIdSet)
        model->unkId = 0;
    if (model->unkId < 0 || size_t(model->unkId) >= model->pieces.size()
        || model->pieces[size_t(model->unkId)].type != Unknown)
        return corrupt(QStringLiteral("the unknown piece is missing"));

    if (!charsmap.empty()) {
        // uint32 little-endian trie size in bytes, the trie's units, then the replacements.
        if (charsmap.size() < 4)
            return corrupt(QStringLiteral("the normalisation rules are truncated"));
        const uint32_t trieBytes = uint32_t(uint8_t(charsmap[0])) | uint32_t(uint8_t(charsmap[1])) << 8
            | uint32_t(uint8_t(charsmap[2])) << 16 | uint32_t(uint8_t(charsmap[3])) << 24;
        if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > charsmap.size() - 4)
            return corrupt(QStringLiteral("the normalisation rules are truncated"));
        model->trie.resize(trieBytes / 4);
        for (size_t i = 0; i < model->trie.size(); ++i) {
            const char *u = charsmap.data() + 4 + 4 * i;
            model->trie[i] = uint32_t(uint8_t(u[0])) | uint32_t(uint8_t(u[1])) << 8 | uint32_t(uint8_t(u[2])) << 16
                | uint32_t(uint8_t(u[3])) << 24;
        }
        model->normalizedStrings = std::string(charsmap.substr(4 + trieBytes));
        if (!model->normalizedStrings.empty() && model->normalizedStrings.back() != '\0')
            model->normalizedStrings.push_back('\0'); // every replacement ends with a NUL
    }
    return model;
}

namespace {

struct Part
{
    QString text;
    bool special = false;
};

// HF's added-token split: leftmost, longest literal occurrence of a special token; a special
// token eats the whitespace on both sides (SigLIP's specials are lstrip/rstrip AddedTokens).
std::vector<Part> splitSpecials(const QString &text, const QStringList &specials)
{
    std::vector<Part> parts;
    QString current;
    qsizetype i = 0;
    while (i < text.size()) {
        qsizetype bestLength = 0;
        for (const QString &s : specials) {
            if (s.size() > bestLength && QStringView(text).mid(i).startsWith(s))
                bestLength = s.size();
        }
        if (bestLength == 0) {
            current += text[i++];
            continue;
        }
        parts.push_back({current, false});
        current.clear();
        parts.push_back({text.mid(i, bestLength), true});
        i += bestLength;
    }
    parts.push_back({current, false});
    for (size_t n = 0; n < parts.size(); ++n) {
        if (!parts[n].special)
            continue;
        if (n > 0 && !parts[n - 1].special) {
            QString &left = parts[n - 1].text;
            qsizetype e = left.size();
            while (e > 0 && textcleaning::isPythonSpace(left[e - 1].unicode()))
                --e;
            left.truncate(e);
        }
        if (n + 1 < parts.size() && !parts[n + 1].special) {
            QString &right = parts[n + 1].text;
            qsizetype b = 0;
            while (b < right.size() && textcleaning::isPythonSpace(right[b].unicode()))
                ++b;
            right.remove(0, b);
        }
    }
    return parts;
}

} // namespace

SentencePieceTokenizer::SentencePieceTokenizer() = default;
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::fromFile(const QString &spieceModel,
                                                                                 const Config &config)
{
    QFile file(spieceModel);
    if (!file.exists())
        return makeError(Error::Code::NotFound, QStringLiteral("SentencePiece model not found: %1").arg(spieceModel));
    if (!file.open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("Cannot read %1: %2").arg(spieceModel, file.errorString()));
    if (file.size() > kMaxModelBytes)
        return makeError(Error::Code::TooLarge, QStringLiteral("SentencePiece model is too large: %1").arg(spieceModel));
    return fromSerializedModel(file.readAll(), config, spieceModel);
}

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::fromSerializedModel(const QByteArray &model,
                                                                                            const Config &config,
                                                                                            const QString &origin)
{
    const QString name = origin.isEmpty() ? QStringLiteral("SentencePiece model") : origin;
    if (model.isEmpty())
        return makeError(Error::Code::Corrupt, QStringLiteral("%1 is empty").arg(name));

    auto parsed = Model::parse(std::string_view(model.constData(), size_t(model.size())), name);
    if (!parsed)
        return parsed.error();
    std::unique_ptr<SentencePieceTokenizer> t(new SentencePieceTokenizer);
    t->m_config = config;
    t->m_model = std::move(*parsed);
    // HF loads the model with add_dummy_prefix = false and puts the "▁" in front itself.
    t->m_model->addDummyPrefix = false;

    const auto idOf = [&](const QString &token) -> int64_t { return t->m_model->pieceToId(token.toStdString()); };
    t->m_eosId = idOf(config.eosToken);
    t->m_padId = idOf(config.padToken);
    if (t->m_eosId == t->m_model->unkId && config.eosToken != config.unkToken)
        return makeError(Error::Code::Corrupt, QStringLiteral("%1 has no end-of-text piece \"%2\"").arg(name, config.eosToken));
    if (t->m_padId == t->m_model->unkId && config.padToken != config.unkToken)
        return makeError(Error::Code::Corrupt, QStringLiteral("%1 has no padding piece \"%2\"").arg(name, config.padToken));
    for (const QString &s : {config.eosToken, config.padToken, config.unkToken}) {
        if (!s.isEmpty() && !t->m_config.specialTokens.contains(s))
            t->m_config.specialTokens.append(s);
    }
    t->m_config.specialTokens.removeAll(QString());

    const std::vector<std::string> unkPieces = t->m_model->encode(config.unkToken.toStdString());
    t->m_unkPrefixLength = int(unkPieces.size());
    return t;
}

int64_t SentencePieceTokenizer::vocabularySize() const
{
    return int64_t(m_model->pieces.size());
}

Result<QStringList> SentencePieceTokenizer::encodePart(const QString &part) const
{
    using namespace textcleaning;
    const QString canonical = pythonStrip(collapseWhitespace(removeAsciiPunctuation(part)));
    // Encoded behind the unknown token's text, whose pieces are then dropped: that way a
    // leading "▁" is kept as the text has it instead of being normalised away (HF's recipe).
    const std::vector<std::string> pieces = m_model->encode(QString(m_config.unkToken + canonical).toStdString());
    QStringList out;
    for (size_t n = size_t(pieces.size() >= size_t(m_unkPrefixLength) ? m_unkPrefixLength : 0); n < pieces.size(); ++n)
        out.append(QString::fromStdString(pieces[n]));
    return out;
}

Result<std::pair<QStringList, std::vector<int64_t>>> SentencePieceTokenizer::run(const QString &text) const
{
    static const QString underline = QStringLiteral("\u2581");
    QString prepared = underline + QString(text).replace(underline, QStringLiteral(" "));
    if (m_config.lowerCase) {
        QString lowered;
        // Lower-case everything except literal special tokens, as HF does before splitting.
        qsizetype i = 0;
        while (i < prepared.size()) {
            qsizetype match = 0;
            for (const QString &s : m_config.specialTokens) {
                if (s.size() > match && QStringView(prepared).mid(i).startsWith(s))
                    match = s.size();
            }
            if (match > 0) {
                lowered += prepared.mid(i, match);
                i += match;
                continue;
            }
            qsizetype j = i + 1;
            while (j < prepared.size()) {
                bool atSpecial = false;
                for (const QString &s : m_config.specialTokens)
                    atSpecial = atSpecial || QStringView(prepared).mid(j).startsWith(s);
                if (atSpecial)
                    break;
                ++j;
            }
            lowered += textcleaning::pythonLowerEachCharacter(prepared.mid(i, j - i));
            i = j;
        }
        prepared = lowered;
    }

    QStringList pieces;
    for (const Part &p : splitSpecials(prepared, m_config.specialTokens)) {
        if (p.text.isEmpty())
            continue;
        if (p.special) {
            pieces.append(p.text);
            continue;
        }
        auto partPieces = encodePart(p.text);
        if (!partPieces)
            return partPieces.error();
        pieces.append(*partPieces);
    }
    if (pieces.size() > 1 && pieces[0] == underline && m_config.specialTokens.contains(pieces[1]))
        pieces.removeFirst();

    std::vector<int64_t> ids;
    ids.reserve(size_t(pieces.size()));
    for (const QString &piece : pieces)
        ids.push_back(m_model->pieceToId(piece.toStdString()));
    return std::make_pair(pieces, std::move(ids));
}

Result<std::vector<int64_t>> SentencePieceTokenizer::encode(const QString &text) const
{
    auto r = run(text);
    if (!r)
        return r.error();
    return std::move(r->second);
}

QStringList SentencePieceTokenizer::pieces(const QString &text) const
{
    auto r = run(text);
    return r ? r->first : QStringList();
}

Result<TokenizedText> SentencePieceTokenizer::tokenize(const QString &text, int length) const
{
    if (length < 2)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("A token row needs at least 2 positions"));
    auto ids = encode(text);
    if (!ids)
        return ids.error();
    TokenizedText out;
    out.ids = std::move(*ids);
    // HF truncates the ids to length − 1 (room for </s>) and then appends </s> unless the ids
    // already end with it.
    out.truncated = out.ids.size() > size_t(length - 1);
    if (out.truncated)
        out.ids.resize(size_t(length - 1));
    if (out.ids.empty() || out.ids.back() != m_eosId)
        out.ids.push_back(m_eosId);
    out.eosPosition = int(out.ids.size()) - 1;
    out.attentionMask.assign(out.ids.size(), 1);
    out.ids.resize(size_t(length), m_padId);
    out.attentionMask.resize(size_t(length), 0);
    return out;
}

} // namespace lookalike
