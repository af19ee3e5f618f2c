#include "svgrasteriser.h"

#include "media/imageops.h"
#include "util/logging.h"

#include <QGuiApplication>
#include <QPainter>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QXmlStreamReader>

#include <algorithm>
#include <optional>

namespace lookalike::media {

namespace {

struct SvgScan
{
    bool hasText = false;
};

Error refused(const QString &why)
{
    qCDebug(lcMedia) << "SVG refused:" << why;
    return makeError(Error::Code::Unsupported, QStringLiteral("SVG refused: ") + why);
}

QStringView localName(QStringView qualifiedName)
{
    return qualifiedName.mid(qualifiedName.lastIndexOf(u':') + 1);
}

bool isInDocumentReference(QStringView href)
{
    const QStringView value = href.trimmed();
    return value.isEmpty() || value.startsWith(u'#') || value.startsWith(u"data:", Qt::CaseInsensitive);
}

std::optional<Error> checkElement(const QXmlStreamReader &xml, SvgScan &scan)
{
    const QStringView element = localName(xml.qualifiedName());
    if (element == u"text" || element == u"textArea")
        scan.hasText = true;
    for (const QXmlStreamAttribute &attribute : xml.attributes()) {
        if (localName(attribute.qualifiedName()) == u"href" && !isInDocumentReference(attribute.value()))
            return refused(QStringLiteral("it references an external resource (%1=\"%2\")")
                               .arg(attribute.qualifiedName(), attribute.value().left(200)));
    }
    return std::nullopt;
}

// Internal entities with plain text values are allowed: Adobe Illustrator writes
// `<!ENTITY ns_svg "http://www.w3.org/2000/svg">` and friends into every SVG it exports.
// Refused: external entities (Qt would not read them, but nothing legitimate needs them),
// parameter entities, values that refer to other entities (the nesting that makes a billion
// laughs) and, counting every `&name;` in the raw bytes, more than kMaxEntityExpansion
// characters of expansion in all (one long entity used many times).
constexpr int kMaxEntities = 64;
constexpr qsizetype kMaxEntityValue = 1024;
constexpr qsizetype kMaxEntityExpansion = 1 << 20;

std::optional<Error> checkEntities(const QXmlStreamReader &xml, const QByteArray &bytes)
{
    static const QRegularExpression declaration(QStringLiteral("<!ENTITY\\s+(%)?"));
    const QXmlStreamEntityDeclarations entities = xml.entityDeclarations();
    qsizetype declared = 0;
    for (auto it = declaration.globalMatch(xml.text()); it.hasNext(); ++declared) {
        if (it.next().hasCaptured(1))
            return refused(QStringLiteral("it declares an XML parameter entity"));
    }
    // Whatever Qt did not report as a general entity is not understood here either.
    if (declared != entities.size() || entities.size() > kMaxEntities)
        return refused(QStringLiteral("it declares XML entities that cannot be checked (%1 declarations)").arg(declared));
    // References are counted in the raw bytes, which finds them only where an ASCII name is
    // spelled in ASCII: not in UTF-16 or UTF-32 (NUL bytes among the first four).
    if (!entities.isEmpty() && bytes.left(4).contains('\0'))
        return refused(QStringLiteral("it declares XML entities in a UTF-16 or UTF-32 document"));
    qsizetype expansion = 0;
    for (const QXmlStreamEntityDeclaration &entity : entities) {
        const QString name = entity.name().toString();
        if (std::any_of(name.cbegin(), name.cend(), [](QChar c) { return c.unicode() > 127; }))
            return refused(QStringLiteral("it declares an XML entity whose name is not ASCII"));
        if (!entity.systemId().isEmpty() || !entity.publicId().isEmpty() || !entity.notationName().isEmpty())
            return refused(QStringLiteral("it declares an external XML entity (%1)").arg(name));
        if (entity.value().contains(u'&') || entity.value().contains(u'%'))
            return refused(QStringLiteral("it declares a nested XML entity (%1)").arg(name));
        if (entity.value().size() > kMaxEntityValue)
            return refused(QStringLiteral("its XML entity %1 is longer than %2 characters").arg(name).arg(kMaxEntityValue));
        expansion += bytes.count(QByteArray('&' + name.toUtf8() + ';')) * entity.value().size();
    }
    if (expansion > kMaxEntityExpansion)
        return makeError(Error::Code::TooLarge, QStringLiteral("SVG entities expand to %1 characters, above the %2 limit")
                                                    .arg(expansion).arg(kMaxEntityExpansion));
    return std::nullopt;
}

// Namespace processing is off so that a prefix bound to any namespace URI (or to none,
// which Qt SVG tolerates) cannot hide an href from the check.
Result<SvgScan> scanSvg(const QByteArray &bytes, int maxElements)
{
    QXmlStreamReader xml(bytes);
    xml.setNamespaceProcessing(false);
    SvgScan scan;
    int elements = 0;
    while (!xml.atEnd()) {
        switch (xml.readNext()) {
        case QXmlStreamReader::DTD:
            if (auto error = checkEntities(xml, bytes))
                return *error;
            break;
        case QXmlStreamReader::ProcessingInstruction:
            if (xml.processingInstructionTarget() == u"xml-stylesheet")
                return refused(QStringLiteral("it links an external style sheet"));
            break;
        case QXmlStreamReader::StartElement:
            if (++elements > maxElements)
                return makeError(Error::Code::TooLarge,
                                 QStringLiteral("SVG has more than %1 elements").arg(maxElements));
            if (auto error = checkElement(xml, scan))
                return *error;
            break;
        default:
            break;
        }
    }
    if (xml.hasError())
        return makeError(Error::Code::Corrupt, QStringLiteral("malformed SVG (line %1): %2")
                                                   .arg(xml.lineNumber()).arg(xml.errorString()));
    return scan;
}

bool haveGuiApplication()
{
    return qobject_cast<QGuiApplication *>(QCoreApplication::instance()) != nullptr;
}

} // namespace

Result<DecodedImage> rasteriseSvg(const QByteArray &bytes, const DecodeOptions &options)
{
    if (bytes.size() > options.maxSvgBytes)
        return makeError(Error::Code::TooLarge, QStringLiteral("SVG is %1 bytes, above the %2-byte limit")
                                                    .arg(bytes.size()).arg(options.maxSvgBytes));
    const Result<SvgScan> scan = scanSvg(bytes, options.maxSvgElements);
    if (!scan)
        return scan.error();
    // Qt's font database calls qFatal() when it is used without a QGuiApplication.
    if (scan->hasText && !haveGuiApplication())
        return makeError(Error::Code::Unsupported, QStringLiteral("SVG with text needs a QGuiApplication"));

    QSvgRenderer renderer(bytes);
    if (!renderer.isValid())
        return makeError(Error::Code::Corrupt, QStringLiteral("invalid SVG document"));
    const QSize size = renderer.defaultSize();
    const QRectF viewBox = renderer.viewBoxF();
    if (size.isEmpty() || !(viewBox.width() > 0) || !(viewBox.height() > 0))
        return makeError(Error::Code::Corrupt, QStringLiteral("SVG has an empty size or viewBox"));

    QImage image(scaledToFit(size, options.maxSide), QImage::Format_RGB32);
    if (image.isNull())
        return makeError(Error::Code::TooLarge, QStringLiteral("cannot allocate the SVG raster"));
    image.fill(QColor(options.background.rgb()));
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    renderer.render(&painter, QRectF(QPointF(0, 0), image.size()));
    painter.end();
    return DecodedImage{image.convertToFormat(QImage::Format_RGB888), size, QStringLiteral("svg")};
}

} // namespace lookalike::media
