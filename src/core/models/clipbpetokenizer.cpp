#include "models/clipbpetokenizer.h"

#include "models/textcleaning.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

#include <algorithm>
#include <limits>

namespace lookalike {

namespace {

constexpr qsizetype kMaxCacheEntries = 50000;
constexpr qint64 kMaxFileBytes = 256LL << 20;

Result<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return makeError(Error::Code::NotFound, QStringLiteral("Tokenizer file not found: %1").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
    if (file.size() > kMaxFileBytes)
        return makeError(Error::Code::TooLarge, QStringLiteral("Tokenizer file is too large: %1").arg(path));
    return file.readAll();
}

Error corrupt(const QString &path, const QString &what)
{
    return makeError(Error::Code::Corrupt, QStringLiteral("Invalid tokenizer file %1: %2").arg(path, what));
}

Result<QHash<QString, int64_t>> vocabFromJson(const QJsonObject &object, const QString &path)
{
    QHash<QString, int64_t> vocab;
    vocab.reserve(object.size());
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isDouble())
            return corrupt(path, QStringLiteral("the id of \"%1\" is not a number").arg(it.key()));
        const double id = it.value().toDouble();
        if (id < 0 || id > double(std::numeric_limits<int32_t>::max()) || id != double(int64_t(id)))
            return corrupt(path, QStringLiteral("the id of \"%1\" is not a valid id").arg(it.key()));
        vocab.insert(it.key(), int64_t(id));
    }
    if (vocab.isEmpty())
        return corrupt(path, QStringLiteral("the vocabulary is empty"));
    return vocab;
}

// openai's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 bytes
// are given the code points from U+0100 upwards, so that every byte is a visible character.
void buildByteTable(QString (&table)[256])
{
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        table[b] = printable ? QString(QChar(char16_t(b))) : QString(QChar(char16_t(256 + next++)));
    }
}

} // namespace

Result<std::unique_ptr<ClipBpeTokenizer>> ClipBpeTokenizer::fromFiles(const QString &vocabJson, const QString &mergesTxt,
                                                                      const Config &config)
{
    auto vocabBytes = readFile(vocabJson);
    if (!vocabBytes)
        return vocabBytes.error();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*vocabBytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return corrupt(vocabJson, parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                              : QStringLiteral("not a JSON object"));
    auto vocab = vocabFromJson(doc.object(), vocabJson);
    if (!vocab)
        return vocab.error();

    auto mergeBytes = readFile(mergesTxt);
    if (!mergeBytes)
        return mergeBytes.error();
    std::vector<std::pair<QString, QString>> merges;
    const QString mergeText = QString::fromUtf8(*mergeBytes);
    const QStringList lines = mergeText.split(u'\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        QString line = lines[n];
        if (line.endsWith(u'\r'))
            line.chop(1);
        if (line.isEmpty() || (n == 0 && line.startsWith(QStringLiteral("#version"))))
            continue;
        const QStringList parts = line.split(u' ');
        if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
            return corrupt(mergesTxt, QStringLiteral("line %1 is not a pair of symbols").arg(n + 1));
        merges.emplace_back(parts[0], parts[1]);
    }
    return fromData(std::move(*vocab), merges, config);
}

Result<std::unique_ptr<ClipBpeTokenizer>> ClipBpeTokenizer::fromTokenizerJson(const QString &tokenizerJson,
                                                                              const Config &config)
{
    auto bytes = readFile(tokenizerJson);
    if (!bytes)
        return bytes.error();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return corrupt(tokenizerJson, parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                                  : QStringLiteral("not a JSON object"));
    const QJsonObject model = doc.object().value(QStringLiteral("model")).toObject();
    if (model.value(QStringLiteral("type")).toString() != QStringLiteral("BPE"))
        return makeError(Error::Code::Unsupported,
                         QStringLiteral("%1 does not hold a BPE model").arg(tokenizerJson));
    auto vocab = vocabFromJson(model.value(QStringLiteral("vocab")).toObject(), tokenizerJson);
    if (!vocab)
        return vocab.error();
    // Added tokens (the specials) may live outside model.vocab.
    const QJsonArray added = doc.object().value(QStringLiteral("added_tokens")).toArray();
    for (const QJsonValue &v : added) {
        const QJsonObject o = v.toObject();
        if (o.value(QStringLiteral("id")).isDouble() && o.value(QStringLiteral("content")).isString())
            vocab->insert(o.value(QStringLiteral("content")).toString(), int64_t(o.value(QStringLiteral("id")).toDouble()));
    }
    std::vector<std::pair<QString, QString>> merges;
    const QJsonArray mergeArray = model.value(QStringLiteral("merges")).toArray();
    for (qsizetype n = 0; n < mergeArray.size(); ++n) {
        const QJsonValue m = mergeArray[n];
        QStringList parts;
        if (m.isString()) // "a b" (tokenizers < 0.20)
            parts = m.toString().split(u' ');
        else if (m.isArray()) // ["a", "b"]
            for (const QJsonValue &p : m.toArray())
                parts.append(p.toString());
        if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
            return corrupt(tokenizerJson, QStringLiteral("merge %1 is not a pair of symbols").arg(n));
        merges.emplace_back(parts[0], parts[1]);
    }
    return fromData(std::move(*vocab), merges, config);
}

Result<std::unique_ptr<ClipBpeTokenizer>> ClipBpeTokenizer::fromData(QHash<QString, int64_t> vocab,
                                                                     const std::vector<std::pair<QString, QString>> &merges,
                                                                     const Config &config)
{
    std::unique_ptr<ClipBpeTokenizer> t(new ClipBpeTokenizer);
    t->m_config = config;
    buildByteTable(t->m_byteToChar);
    // Every single byte must be a symbol, or some text could not be encoded at all.
    for (const QString &c : t->m_byteToChar) {
        if (!vocab.contains(c) || !vocab.contains(c + QStringLiteral("</w>")))
            return makeError(Error::Code::Corrupt,
                             QStringLiteral("The BPE vocabulary lacks the byte symbol \"%1\"; it is not a byte-level "
                                            "CLIP vocabulary")
                                 .arg(c));
    }
    const auto special = [&vocab](const QString &token, const char *what) -> Result<int64_t> {
        const auto it = vocab.constFind(token);
        if (it == vocab.cend())
            return makeError(Error::Code::Corrupt,
                             QStringLiteral("The BPE vocabulary has no %1 token \"%2\"").arg(QLatin1String(what), token));
        return *it;
    };
    auto bos = special(config.bosToken, "start-of-text");
    if (!bos)
        return bos.error();
    auto eos = special(config.eosToken, "end-of-text");
    if (!eos)
        return eos.error();
    auto pad = special(config.padToken, "padding");
    if (!pad)
        return pad.error();
    t->m_bosId = *bos;
    t->m_eosId = *eos;
    t->m_padTokenId = *pad;

    t->m_mergeRanks.reserve(qsizetype(merges.size()));
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const QString key = merges[rank].first + u' ' + merges[rank].second;
        if (!vocab.contains(merges[rank].first + merges[rank].second))
            return makeError(Error::Code::Corrupt,
                             QStringLiteral("BPE merge %1 (\"%2\") makes a symbol the vocabulary does not have")
                                 .arg(rank)
                                 .arg(key));
        t->m_mergeRanks.insert(key, int(rank)); // a repeated pair keeps its last rank, as Python's dict
    }
    t->m_vocab = std::move(vocab);

    const QString pattern = QRegularExpression::escape(config.bosToken) + u'|' + QRegularExpression::escape(config.eosToken)
        + QStringLiteral(R"(|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+)");
    t->m_pattern = QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption
                                                   | QRegularExpression::UseUnicodePropertiesOption);
    if (!t->m_pattern.isValid())
        return makeError(Error::Code::Generic, QStringLiteral("CLIP pre-tokenizer pattern: %1").arg(t->m_pattern.errorString()));
    t->m_pattern.optimize(); // compile now, so that matching from several threads only reads it
    return t;
}

int64_t ClipBpeTokenizer::padId() const
{
    return m_config.options.clipPadding == ClipPadding::Zeros ? 0 : m_padTokenId;
}

QString ClipBpeTokenizer::normalize(const QString &text) const
{
    using namespace textcleaning;
    QString t = ftfyFixText(text);
    if (m_config.options.clipUnescapeHtml)
        t = htmlUnescape(htmlUnescape(t));
    t = pythonStrip(t);
    t = pythonStrip(collapseWhitespace(t));
    return pythonLower(t);
}

QStringList ClipBpeTokenizer::bpe(const QString &word) const
{
    {
        QMutexLocker lock(&m_cacheMutex);
        const auto it = m_cache.constFind(word);
        if (it != m_cache.cend())
            return *it;
    }
    QStringList symbols;
    symbols.reserve(word.size());
    for (QChar c : word)
        symbols.append(QString(c));
    if (!symbols.isEmpty())
        symbols.last() += QStringLiteral("</w>");

    while (symbols.size() > 1) {
        int bestRank = std::numeric_limits<int>::max();
        qsizetype best = -1;
        for (qsizetype i = 0; i + 1 < symbols.size(); ++i) {
            const auto it = m_mergeRanks.constFind(symbols[i] + u' ' + symbols[i + 1]);
            if (it != m_mergeRanks.cend() && *it < bestRank) {
                bestRank = *it;
                best = i;
            }
        }
        if (best < 0)
            break;
        const QString first = symbols[best];
        const QString second = symbols[best + 1];
        QStringList merged;
        merged.reserve(symbols.size());
        for (qsizetype i = 0; i < symbols.size();) {
            if (i + 1 < symbols.size() && symbols[i] == first && symbols[i + 1] == second) {
                merged.append(first + second);
                i += 2;
            } else {
                merged.append(symbols[i]);
                ++i;
            }
        }
        symbols = std::move(merged);
    }

    QMutexLocker lock(&m_cacheMutex);
    if (m_cache.size() >= kMaxCacheEntries)
        m_cache.clear();
    m_cache.insert(word, symbols);
    return symbols;
}

QStringList ClipBpeTokenizer::allPieces(const QString &text) const
{
    QStringList out;
    const QString normalized = normalize(text);
    auto it = m_pattern.globalMatch(normalized);
    while (it.hasNext()) {
        const QString token = it.next().captured(0);
        if (token == m_config.bosToken || token == m_config.eosToken) {
            out.append(token);
            continue;
        }
        QString mapped;
        const QByteArray utf8 = token.toUtf8();
        mapped.reserve(utf8.size());
        for (char byte : utf8)
            mapped += m_byteToChar[static_cast<unsigned char>(byte)];
        out.append(bpe(mapped));
    }
    return out;
}

QStringList ClipBpeTokenizer::pieces(const QString &text) const
{
    return allPieces(text);
}

Result<std::vector<int64_t>> ClipBpeTokenizer::encode(const QString &text) const
{
    const QStringList symbols = allPieces(text);
    std::vector<int64_t> ids;
    ids.reserve(size_t(symbols.size()));
    for (const QString &s : symbols) {
        const auto it = m_vocab.constFind(s);
        if (it == m_vocab.cend())
            return makeError(Error::Code::Corrupt, QStringLiteral("BPE symbol \"%1\" is not in the vocabulary").arg(s));
        ids.push_back(*it);
    }
    return ids;
}

Result<TokenizedText> ClipBpeTokenizer::tokenize(const QString &text, int length) const
{
    if (length < 2)
        return makeError(Error::Code::InvalidArgument, QStringLiteral("A CLIP token row needs at least 2 positions"));
    auto ids = encode(text);
    if (!ids)
        return ids.error();
    TokenizedText out;
    out.ids.reserve(size_t(length));
    out.ids.push_back(m_bosId);
    out.truncated = ids->size() > size_t(length - 2);
    const size_t kept = std::min(ids->size(), size_t(length - 2));
    out.ids.insert(out.ids.end(), ids->begin(), ids->begin() + qsizetype(kept));
    out.ids.push_back(m_eosId);
    out.attentionMask.assign(out.ids.size(), 1);
    // Where both references pool: openai at argmax(ids), HF at the first <|endoftext|>. They
    // differ from the appended EOT only when the text itself holds a literal "<|endoftext|>".
    out.eosPosition = int(std::find(out.ids.begin(), out.ids.end(), m_eosId) - out.ids.begin());
    out.ids.resize(size_t(length), padId());
    out.attentionMask.resize(size_t(length), 0);
    return out;
}

} // namespace lookalike
