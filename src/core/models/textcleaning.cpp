#include "models/textcleaning.h"

#include <QChar>

#include <algorithm>
#include <cstring>
#include <iterator>

namespace lookalike::textcleaning {

namespace {

using U32 = std::u32string;

U32 toU32(const QString &text)
{
    U32 out;
    out.reserve(size_t(text.size()));
    for (auto it = text.cbegin(); it != text.cend(); ++it) {
        char32_t c = it->unicode();
        if (it->isHighSurrogate() && it + 1 != text.cend() && (it + 1)->isLowSurrogate()) {
            c = QChar::surrogateToUcs4(*it, *(it + 1));
            ++it;
        }
        out.push_back(c);
    }
    return out;
}

QString fromU32(const U32 &text)
{
    return QString::fromUcs4(text.data(), qsizetype(text.size()));
}

// Windows-1252 for bytes 0x80..0x9F; 0 where the code page leaves a byte undefined.
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

// ftfy's "sloppy-windows-1252": Windows-1252 with the undefined bytes read as Latin-1.
char32_t sloppyCp1252Decode(unsigned byte)
{
    if (byte >= 0x80 && byte < 0xA0 && kCp1252High[byte - 0x80] != 0)
        return kCp1252High[byte - 0x80];
    return byte;
}

// The byte `c` came from if it was decoded as sloppy Windows-1252 (or Latin-1), or -1.
int sloppyCp1252Encode(char32_t c)
{
    if (c < 0x100)
        return int(c);
    for (int i = 0; i < 32; ++i) {
        if (kCp1252High[i] == c)
            return 0x80 + i;
    }
    return -1;
}

bool isCased(char32_t c)
{
    const auto cat = QChar::category(c);
    return cat == QChar::Letter_Lowercase || cat == QChar::Letter_Uppercase || cat == QChar::Letter_Titlecase;
}

// Unicode Case_Ignorable: Mn, Me, Cf, Lm, Sk and the word-break MidLetter/MidNumLet/Single_Quote
// characters.
bool isCaseIgnorable(char32_t c)
{
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_Enclosing:
    case QChar::Other_Format:
    case QChar::Letter_Modifier:
    case QChar::Symbol_Modifier:
        return true;
    default:
        break;
    }
    static constexpr char32_t kMid[] = {0x27,   0x2E,   0x3A,   0xB7,   0x387,  0x55F,  0x5F4,  0x2018, 0x2019,
                                        0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A};
    return std::find(std::begin(kMid), std::end(kMid), c) != std::end(kMid);
}

struct Entity
{
    const char *name;
    char32_t first;
    char32_t second;
};

constexpr Entity kEntities[] = {
#include "models/htmlentities.inc"
};

const Entity *findEntity(const QString &name)
{
    const QByteArray key = name.toLatin1();
    if (key.size() != name.size())
        return nullptr;
    const auto it = std::lower_bound(std::begin(kEntities), std::end(kEntities), key,
                                     [](const Entity &e, const QByteArray &k) { return std::strcmp(e.name, k.constData()) < 0; });
    if (it != std::end(kEntities) && key == it->name)
        return it;
    return nullptr;
}

void appendEntity(QString &out, const Entity &e)
{
    out += QString::fromUcs4(&e.first, 1);
    if (e.second)
        out += QString::fromUcs4(&e.second, 1);
}

bool isInvalidCodepoint(quint32 n)
{
    return (n >= 0x1 && n <= 0x8) || n == 0xB || (n >= 0xE && n <= 0x1F) || (n >= 0x7F && n <= 0x9F)
        || (n >= 0xFDD0 && n <= 0xFDEF) || (n & 0xFFFE) == 0xFFFE;
}

// html.unescape's numeric rule: `digits` without '&#', 'x' or ';'.
QString numericReference(const QString &digits, int base)
{
    quint64 value = 0;
    for (QChar ch : digits) {
        value = value * quint64(base) + quint64(QString(ch).toInt(nullptr, base));
        if (value > 0x10FFFF)
            return QStringLiteral("\uFFFD");
    }
    const auto n = quint32(value);
    if (n == 0)
        return QStringLiteral("\uFFFD");
    if (n == 0x0D)
        return QStringLiteral("\r");
    if (n >= 0x80 && n <= 0x9F) {
        const char32_t c = sloppyCp1252Decode(n);
        return QString::fromUcs4(&c, 1);
    }
    if (n >= 0xD800 && n <= 0xDFFF)
        return QStringLiteral("\uFFFD");
    if (isInvalidCodepoint(n))
        return QString();
    const char32_t c = n;
    return QString::fromUcs4(&c, 1);
}

bool isHexDigit(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isAsciiAlnum(QChar c)
{
    return isAsciiDigit(c) || (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

// ftfy's unescape_html: whole `&…;` references only, plus named ones upper-cased by mistake
// ("&NTILDE;" → "Ñ") where the upper-case name is not itself an entity.
QString ftfyUnescapeHtml(const QString &text)
{
    if (!text.contains(u'&'))
        return text;
    QString out;
    qsizetype i = 0;
    while (i < text.size()) {
        if (text[i] != u'&') {
            out += text[i++];
            continue;
        }
        qsizetype j = i + 1;
        const bool numeric = j < text.size() && text[j] == u'#';
        if (numeric)
            ++j;
        const qsizetype nameStart = j;
        while (j < text.size() && j - nameStart < 24 && isAsciiAlnum(text[j]))
            ++j;
        if (j == nameStart || j >= text.size() || text[j] != u';') {
            out += text[i++];
            continue;
        }
        const QString match = text.mid(i, j + 1 - i);
        const QString name = text.mid(nameStart, j + 1 - nameStart); // with ';'
        QString replacement = match;
        if (!numeric) {
            if (const Entity *e = findEntity(name)) {
                replacement.clear();
                appendEntity(replacement, *e);
            } else if (name == name.toUpper()) {
                const QString lower = name.toLower();
                const Entity *e = findEntity(lower);
                if (e && htmlUnescape(match) == match) {
                    QString value;
                    appendEntity(value, *e);
                    replacement = value.toUpper();
                }
            }
        } else {
            const QString unescaped = htmlUnescape(match);
            if (!unescaped.contains(u';'))
                replacement = unescaped;
        }
        out += replacement;
        i = j + 1;
    }
    return out;
}

// Decodes complete UTF-8 sequences hidden in text that was decoded as Windows-1252 or Latin-1.
// Only sequences whose lead byte is a common mojibake lead are touched: Â/Ã/Å (Latin),
// Î/Ï (Greek), Ð/Ñ (Cyrillic), and any 3- or 4-byte lead (â€™, ðŸ˜€ …), whose two or three
// continuation characters are strong evidence by themselves.
U32 fixMojibake(const U32 &text)
{
    U32 out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const int lead = sloppyCp1252Encode(text[i]);
        int extra = 0;
        if (lead == 0xC2 || lead == 0xC3 || lead == 0xC5 || lead == 0xCE || lead == 0xCF || lead == 0xD0 || lead == 0xD1)
            extra = 1;
        else if (lead >= 0xE0 && lead <= 0xEF)
            extra = 2;
        else if (lead >= 0xF0 && lead <= 0xF4)
            extra = 3;
        bool decoded = false;
        if (extra > 0 && i + size_t(extra) < text.size()) {
            char32_t cp = char32_t(lead) & (extra == 1 ? 0x1F : extra == 2 ? 0x0F : 0x07);
            bool valid = true;
            for (int k = 1; valid && k <= extra; ++k) {
                const int b = sloppyCp1252Encode(text[i + size_t(k)]);
                if (b < 0x80 || b > 0xBF) {
                    valid = false;
                    break;
                }
                cp = (cp << 6) | char32_t(b & 0x3F);
            }
            if (valid) {
                // Reject overlong forms, surrogates and values above U+10FFFF, as a strict
                // UTF-8 decoder does.
                const char32_t minimum = extra == 1 ? 0x80 : extra == 2 ? 0x800 : 0x10000;
                valid = cp >= minimum && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
            }
            if (valid) {
                out.push_back(cp);
                i += size_t(extra) + 1;
                decoded = true;
            }
        }
        if (!decoded)
            out.push_back(text[i++]);
    }
    return out;
}

U32 fixC1Controls(U32 text)
{
    for (char32_t &c : text) {
        if (c >= 0x80 && c <= 0x9F)
            c = sloppyCp1252Decode(unsigned(c));
    }
    return text;
}

U32 fixLigatures(const U32 &text)
{
    U32 out;
    out.reserve(text.size());
    for (char32_t c : text) {
        const char32_t *rep = nullptr;
        switch (c) {
        case 0x132: rep = U"IJ"; break;
        case 0x133: rep = U"ij"; break;
        case 0x149: rep = U"\u02BCn"; break;
        case 0x1F1: rep = U"DZ"; break;
        case 0x1F2: rep = U"Dz"; break;
        case 0x1F3: rep = U"dz"; break;
        case 0x1C4: rep = U"D\u017D"; break;
        case 0x1C5: rep = U"D\u017E"; break;
        case 0x1C6: rep = U"d\u017E"; break;
        case 0x1C7: rep = U"LJ"; break;
        case 0x1C8: rep = U"Lj"; break;
        case 0x1C9: rep = U"lj"; break;
        case 0x1CA: rep = U"NJ"; break;
        case 0x1CB: rep = U"Nj"; break;
        case 0x1CC: rep = U"nj"; break;
        case 0xFB00: rep = U"ff"; break;
        case 0xFB01: rep = U"fi"; break;
        case 0xFB02: rep = U"fl"; break;
        case 0xFB03: rep = U"ffi"; break;
        case 0xFB04: rep = U"ffl"; break;
        case 0xFB05: rep = U"\u017Ft"; break;
        case 0xFB06: rep = U"st"; break;
        default: break;
        }
        if (rep)
            out += rep;
        else
            out.push_back(c);
    }
    return out;
}

// Fullwidth and halfwidth forms (U+FF01..U+FFEF) to their NFKC equivalents, and the
// ideographic space to a space.
U32 fixCharacterWidth(const U32 &text)
{
    U32 out;
    out.reserve(text.size());
    for (char32_t c : text) {
        if (c == 0x3000) {
            out.push_back(U' ');
        } else if (c >= 0xFF01 && c < 0xFFF0) {
            out += toU32(QString::fromUcs4(&c, 1).normalized(QString::NormalizationForm_KC));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

U32 uncurlQuotes(U32 text)
{
    for (char32_t &c : text) {
        if (c == 0x2BC || (c >= 0x2018 && c <= 0x201B))
            c = U'\'';
        else if (c >= 0x201C && c <= 0x201F)
            c = U'"';
    }
    return text;
}

U32 fixLineBreaks(const U32 &text)
{
    U32 out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c == U'\r') {
            out.push_back(U'\n');
            if (i + 1 < text.size() && text[i + 1] == U'\n')
                ++i;
        } else if (c == 0x2028 || c == 0x2029 || c == 0x85) {
            out.push_back(U'\n');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// ESC '[' (digits | ';')* letter
U32 removeTerminalEscapes(const U32 &text)
{
    U32 out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] == 0x1B && i + 1 < text.size() && text[i + 1] == U'[') {
            size_t j = i + 2;
            while (j < text.size() && ((text[j] >= U'0' && text[j] <= U'9') || text[j] == U';'))
                ++j;
            if (j < text.size() && ((text[j] >= U'a' && text[j] <= U'z') || (text[j] >= U'A' && text[j] <= U'Z'))) {
                i = j + 1;
                continue;
            }
        }
        out.push_back(text[i++]);
    }
    return out;
}

U32 removeControlChars(const U32 &text)
{
    U32 out;
    out.reserve(text.size());
    for (char32_t c : text) {
        const bool drop = c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F)
            || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
        if (!drop)
            out.push_back(c);
    }
    return out;
}

QString fixSegment(QString text, bool unescape)
{
    for (int round = 0; round < 16; ++round) {
        const QString before = text;
        if (unescape)
            text = ftfyUnescapeHtml(text);
        U32 u = toU32(text);
        u = fixMojibake(u);
        u = fixC1Controls(std::move(u));
        u = fixLigatures(u);
        u = fixCharacterWidth(u);
        u = uncurlQuotes(std::move(u));
        u = fixLineBreaks(u);
        u = removeTerminalEscapes(u);
        u = removeControlChars(u);
        text = fromU32(u).normalized(QString::NormalizationForm_C);
        if (text == before)
            break;
    }
    return text;
}

} // namespace

bool isPythonSpace(char32_t c)
{
    switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
    case 0x1C: case 0x1D: case 0x1E: case 0x1F: case 0x20:
    case 0x85: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

QString pythonStrip(const QString &text)
{
    const U32 u = toU32(text);
    size_t b = 0;
    size_t e = u.size();
    while (b < e && isPythonSpace(u[b]))
        ++b;
    while (e > b && isPythonSpace(u[e - 1]))
        --e;
    return fromU32(u.substr(b, e - b));
}

QString collapseWhitespace(const QString &text)
{
    const U32 u = toU32(text);
    U32 out;
    out.reserve(u.size());
    bool inSpace = false;
    for (char32_t c : u) {
        if (isPythonSpace(c)) {
            if (!inSpace)
                out.push_back(U' ');
            inSpace = true;
        } else {
            out.push_back(c);
            inSpace = false;
        }
    }
    return fromU32(out);
}

QString pythonLower(const QString &text)
{
    const U32 u = toU32(text);
    U32 out;
    out.reserve(u.size());
    for (size_t i = 0; i < u.size(); ++i) {
        const char32_t c = u[i];
        if (c == 0x130) { // the one unconditional multi-character lowercase mapping
            out.push_back(U'i');
            out.push_back(0x307);
        } else if (c == 0x3A3) {
            // Final_Sigma: cased (case-ignorable)* Σ, not followed by (case-ignorable)* cased.
            size_t j = i;
            while (j > 0 && isCaseIgnorable(u[j - 1]))
                --j;
            bool final = j > 0 && isCased(u[j - 1]);
            if (final) {
                size_t k = i + 1;
                while (k < u.size() && isCaseIgnorable(u[k]))
                    ++k;
                final = k == u.size() || !isCased(u[k]);
            }
            out.push_back(final ? char32_t(0x3C2) : char32_t(0x3C3));
        } else {
            out.push_back(QChar::toLower(c));
        }
    }
    return fromU32(out);
}

QString pythonLowerEachCharacter(const QString &text)
{
    const U32 u = toU32(text);
    QString out;
    out.reserve(text.size());
    for (char32_t c : u)
        out += c == 0x3A3 ? QString(QChar(0x3C3)) : pythonLower(QString::fromUcs4(&c, 1));
    return out;
}

QString removeAsciiPunctuation(const QString &text)
{
    static const QString punctuation = QStringLiteral("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
    QString out;
    out.reserve(text.size());
    for (QChar c : text) {
        if (!punctuation.contains(c))
            out += c;
    }
    return out;
}

QString htmlUnescape(const QString &text)
{
    if (!text.contains(u'&'))
        return text;
    QString out;
    out.reserve(text.size());
    qsizetype i = 0;
    while (i < text.size()) {
        if (text[i] != u'&') {
            out += text[i++];
            continue;
        }
        qsizetype j = i + 1;
        if (j < text.size() && text[j] == u'#') {
            // '#' digits ';'?  or  '#' [xX] hexdigits ';'?
            qsizetype k = j + 1;
            int base = 10;
            if (k < text.size() && (text[k] == u'x' || text[k] == u'X')) {
                base = 16;
                ++k;
            }
            const qsizetype digitsStart = k;
            while (k < text.size() && (base == 16 ? isHexDigit(text[k]) : isAsciiDigit(text[k])))
                ++k;
            if (k == digitsStart) {
                out += text[i++];
                continue;
            }
            out += numericReference(text.mid(digitsStart, k - digitsStart), base);
            if (k < text.size() && text[k] == u';')
                ++k;
            i = k;
            continue;
        }
        // [^\t\n\f <&#;]{1,32} ';'?
        static const QString stops = QStringLiteral("\t\n\f <&#;");
        qsizetype k = j;
        while (k < text.size() && k - j < 32 && !stops.contains(text[k]))
            ++k;
        if (k == j) {
            out += text[i++];
            continue;
        }
        if (k < text.size() && text[k] == u';')
            ++k;
        const QString name = text.mid(j, k - j);
        if (const Entity *e = findEntity(name)) {
            appendEntity(out, *e);
        } else {
            bool found = false;
            for (qsizetype x = name.size() - 1; x > 1; --x) {
                if (const Entity *p = findEntity(name.left(x))) {
                    appendEntity(out, *p);
                    out += name.mid(x);
                    found = true;
                    break;
                }
            }
            if (!found) {
                out += u'&';
                out += name;
            }
        }
        i = k;
    }
    return out;
}

QString ftfyFixText(const QString &text)
{
    QString out;
    bool unescape = true;
    qsizetype pos = 0;
    while (pos < text.size()) {
        qsizetype end = text.indexOf(u'\n', pos);
        end = end < 0 ? text.size() : end + 1;
        const QString segment = text.mid(pos, end - pos);
        if (segment.contains(u'<'))
            unescape = false; // ftfy's "auto": this may be HTML; stays off for later lines
        out += fixSegment(segment, unescape);
        pos = end;
    }
    return out;
}

} // namespace lookalike::textcleaning
