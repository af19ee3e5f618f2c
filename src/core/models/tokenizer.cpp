#include "models/tokenizer.h"

#include "models/clipbpetokenizer.h"
#include "models/sentencepiecetokenizer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lookalike {

namespace {

// What tokenizer_config.json (and special_tokens_map.json) say; absent keys stay empty.
struct FolderConfig
{
    QString tokenizerClass;
    int maxLength = 0;
    bool lowerCase = true;
    QString bos;
    QString eos;
    QString pad;
    QString unk;
    QStringList specials;
};

// A token is written either as a string or as {"content": …} (an AddedToken).
QString tokenText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    return v.toObject().value(QStringLiteral("content")).toString();
}

Result<QJsonObject> readJsonObject(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(Error::Code::Io, QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
    if (file.size() > (16LL << 20))
        return makeError(Error::Code::TooLarge, QStringLiteral("%1 is too large").arg(path));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(Error::Code::Corrupt,
                         QStringLiteral("%1 is not a valid JSON object: %2").arg(path, error.errorString()));
    return doc.object();
}

Result<FolderConfig> readFolderConfig(const QDir &dir)
{
    FolderConfig config;
    const auto takeTokens = [&config](const QJsonObject &o) {
        const auto set = [&o](QString &target, const char *key) {
            const QString value = tokenText(o.value(QLatin1String(key)));
            if (!value.isEmpty())
                target = value;
        };
        set(config.bos, "bos_token");
        set(config.eos, "eos_token");
        set(config.pad, "pad_token");
        set(config.unk, "unk_token");
        for (const QJsonValue &v : o.value(QStringLiteral("additional_special_tokens")).toArray()) {
            const QString s = tokenText(v);
            if (!s.isEmpty() && !config.specials.contains(s))
                config.specials.append(s);
        }
    };

    const QString mapPath = dir.filePath(QStringLiteral("special_tokens_map.json"));
    if (QFileInfo::exists(mapPath)) {
        auto map = readJsonObject(mapPath);
        if (!map)
            return map.error();
        takeTokens(*map);
    }
    const QString configPath = dir.filePath(QStringLiteral("tokenizer_config.json"));
    if (QFileInfo::exists(configPath)) {
        auto o = readJsonObject(configPath);
        if (!o)
            return o.error();
        takeTokens(*o);
        config.tokenizerClass = o->value(QStringLiteral("tokenizer_class")).toString();
        // HF writes a huge number (int(1e30)) when a tokenizer has no limit.
        const double maxLength = o->value(QStringLiteral("model_max_length")).toDouble(0);
        if (maxLength >= 2 && maxLength <= 1e6)
            config.maxLength = int(maxLength);
        config.lowerCase = o->value(QStringLiteral("do_lower_case")).toBool(true);
        const QJsonObject added = o->value(QStringLiteral("added_tokens_decoder")).toObject();
        for (auto it = added.begin(); it != added.end(); ++it) {
            const QJsonObject token = it.value().toObject();
            const QString s = token.value(QStringLiteral("content")).toString();
            if (!s.isEmpty() && token.value(QStringLiteral("special")).toBool(true) && !config.specials.contains(s))
                config.specials.append(s);
        }
    }
    return config;
}

template <typename T>
Result<std::unique_ptr<Tokenizer>> upcast(Result<std::unique_ptr<T>> r)
{
    if (!r)
        return r.error();
    return std::unique_ptr<Tokenizer>(std::move(*r));
}

} // namespace

Tokenizer::~Tokenizer() = default;

Result<std::unique_ptr<Tokenizer>> Tokenizer::fromModelFolder(const QString &folder, const TokenizerOptions &options)
{
    const QDir dir(folder);
    if (!dir.exists())
        return makeError(Error::Code::NotFound, QStringLiteral("Model folder not found: %1").arg(folder));
    auto config = readFolderConfig(dir);
    if (!config)
        return config.error();

    const QString vocab = dir.filePath(QStringLiteral("vocab.json"));
    const QString merges = dir.filePath(QStringLiteral("merges.txt"));
    const QString tokenizerJson = dir.filePath(QStringLiteral("tokenizer.json"));
    const QString spiece = dir.filePath(QStringLiteral("spiece.model"));
    const bool hasBpeFiles = QFileInfo::exists(vocab) && QFileInfo::exists(merges);
    const bool hasSpiece = QFileInfo::exists(spiece);
    const bool wantsSiglip = config->tokenizerClass.startsWith(QStringLiteral("Siglip"));

    if (hasSpiece && (wantsSiglip || !hasBpeFiles)) {
        SentencePieceTokenizer::Config c;
        c.lowerCase = config->lowerCase;
        if (!config->eos.isEmpty())
            c.eosToken = config->eos;
        c.padToken = config->pad.isEmpty() ? c.eosToken : config->pad;
        if (!config->unk.isEmpty())
            c.unkToken = config->unk;
        c.specialTokens = config->specials;
        c.maxLength = config->maxLength;
        return upcast(SentencePieceTokenizer::fromFile(spiece, c));
    }

    ClipBpeTokenizer::Config c;
    if (!config->bos.isEmpty())
        c.bosToken = config->bos;
    if (!config->eos.isEmpty())
        c.eosToken = config->eos;
    c.padToken = config->pad.isEmpty() ? c.eosToken : config->pad;
    c.maxLength = config->maxLength;
    c.options = options;
    if (hasBpeFiles)
        return upcast(ClipBpeTokenizer::fromFiles(vocab, merges, c));
    if (QFileInfo::exists(tokenizerJson))
        return upcast(ClipBpeTokenizer::fromTokenizerJson(tokenizerJson, c));
    return makeError(Error::Code::NotFound,
                     QStringLiteral("No tokenizer in %1: expected vocab.json and merges.txt, tokenizer.json or "
                                    "spiece.model")
                         .arg(folder));
}

} // namespace lookalike
