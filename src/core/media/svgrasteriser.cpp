#include "svgrasteriser.h"

#include "media/imageops.h"
#include "util/logging.h"

#include <QGuiApplication>
#include <QPainter>
#include <QSvgRenderer>
#include <QXmlStreamReader>

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
            if (!xml.entityDeclarations().isEmpty() || xml.text().contains(u"<!ENTITY"))
                return refused(QStringLiteral("it declares XML entities"));
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
