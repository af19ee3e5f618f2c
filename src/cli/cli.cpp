#include "cli.h"

#include "collection/collection.h"

#include <QJsonDocument>

#include <cstdio>

namespace lookalike::cli {

std::atomic<bool> g_interrupted{false};

Command::Command(const QString &name, const QString &description, const QString &positional) : m_name(name)
{
    parser.setApplicationDescription(description);
    parser.addOption(json);
    parser.addOption(help);
    if (!positional.isEmpty())
        parser.addPositionalArgument(QStringLiteral("args"), positional, positional);
}

bool Command::parse(const QStringList &args, int &exit)
{
    QStringList full = args;
    full.prepend(QStringLiteral("lookalike-cli ") + m_name);
    if (!parser.parse(full)) {
        exit = usageError(parser.errorText(), full.contains(QStringLiteral("--json")));
        return false;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        exit = Ok;
        return false;
    }
    return true;
}

void printJson(const QJsonObject &object)
{
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Indented);
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
}

void printLine(const QString &line)
{
    std::fputs(line.toUtf8().constData(), stdout);
    std::fputc('\n', stdout);
}

void printError(const QString &line)
{
    std::fputs(line.toUtf8().constData(), stderr);
    std::fputc('\n', stderr);
}

int fail(const Error &error, bool json)
{
    if (json)
        printJson({{QStringLiteral("error"), error.message}});
    printError(QStringLiteral("lookalike-cli: %1").arg(error.message));
    return Fatal;
}

int usageError(const QString &message, bool json)
{
    if (json)
        printJson({{QStringLiteral("error"), message}});
    printError(QStringLiteral("lookalike-cli: %1\nTry `lookalike-cli COMMAND --help`.").arg(message));
    return Usage;
}

QString printable(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (QChar ch : text) {
        if (ch == QLatin1Char('\n'))
            out += QLatin1String("\\n");
        else if (ch == QLatin1Char('\t'))
            out += QLatin1String("\\t");
        else if (ch.category() == QChar::Other_Control)
            out += QStringLiteral("\\x%1").arg(ch.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += ch;
    }
    return out;
}

Result<std::unique_ptr<Collection>> openCollection(const QString &dir)
{
    return Collection::open(dir);
}

} // namespace lookalike::cli
