#include "imageviewer.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace lookalike {

namespace {
// Below this edge a pyramid level is not worth building; the painter's bilinear filter copes.
constexpr int kMinLevelSide = 32;
} // namespace

ImageViewer::ImageViewer(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setCursor(Qt::OpenHandCursor);
    // Scroll positions are set explicitly when zooming; the default steps suit arrow keys.
    horizontalScrollBar()->setSingleStep(20);
    verticalScrollBar()->setSingleStep(20);
}

ImageViewer::~ImageViewer() = default;

QSize ImageViewer::sizeHint() const
{
    return {320, 240};
}

void ImageViewer::setImage(const QImage &image)
{
    // Premultiplied ARGB / RGB32 are what the raster engine blends fastest.
    if (image.isNull())
        m_image = QImage();
    else if (image.hasAlphaChannel())
        m_image = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
    else
        m_image = image.convertToFormat(QImage::Format_RGB32);
    m_levels.clear();
    if (m_fit)
        applyZoom(fitFactor(), viewportCentre(), true);
    else
        applyZoom(m_zoom, viewportCentre(), false);
    viewport()->update();
}

void ImageViewer::clear()
{
    setImage(QImage());
}

double ImageViewer::fitFactor() const
{
    if (m_image.isNull())
        return 1.0;
    const QSize vp = viewport()->size();
    const double f = std::min(double(vp.width()) / m_image.width(), double(vp.height()) / m_image.height());
    if (f <= 0)
        return 1.0;
    return m_enlargeSmall ? std::min(f, kMaxZoom) : std::min(f, 1.0);
}

void ImageViewer::setEnlargeSmallImages(bool enlarge)
{
    m_enlargeSmall = enlarge;
    if (m_fit)
        applyZoom(fitFactor(), viewportCentre(), true);
}

void ImageViewer::setFitToWindow()
{
    applyZoom(fitFactor(), viewportCentre(), true);
}

void ImageViewer::zoomToOriginal()
{
    applyZoom(1.0, viewportCentre(), false);
}

void ImageViewer::zoomIn()
{
    setZoomFactor(m_zoom * kZoomStep);
}

void ImageViewer::zoomOut()
{
    setZoomFactor(m_zoom / kZoomStep);
}

void ImageViewer::setZoomFactor(double factor)
{
    setZoomFactor(factor, viewportCentre());
}

void ImageViewer::setZoomFactor(double factor, const QPointF &anchor)
{
    applyZoom(clampZoom(factor), anchor, false);
}

double ImageViewer::clampZoom(double factor) const
{
    const double lo = std::min(kMinZoom, fitFactor());
    if (!std::isfinite(factor))
        return m_zoom;
    return std::clamp(factor, lo, kMaxZoom);
}

QPointF ImageViewer::viewportCentre() const
{
    return QRectF(viewport()->rect()).center();
}

QSizeF ImageViewer::scaledSize() const
{
    return QSizeF(m_image.size()) * m_zoom;
}

QPointF ImageViewer::imageOrigin() const
{
    // Centred along an axis where the image is smaller than the viewport, else scrolled.
    const QSizeF content = scaledSize();
    const QSize vp = viewport()->size();
    const double x = content.width() <= vp.width() ? (vp.width() - content.width()) / 2
                                                   : -double(horizontalScrollBar()->value());
    const double y = content.height() <= vp.height() ? (vp.height() - content.height()) / 2
                                                     : -double(verticalScrollBar()->value());
    return {x, y};
}

QPointF ImageViewer::mapToImage(const QPointF &viewportPos) const
{
    return (viewportPos - imageOrigin()) / m_zoom;
}

QPointF ImageViewer::mapFromImage(const QPointF &imagePos) const
{
    return imagePos * m_zoom + imageOrigin();
}

void ImageViewer::updateScrollBars()
{
    // ceil: the last partial pixel column must be reachable; in fit mode the image fits by
    // definition, and a rounding artefact must not summon scroll bars (which would shrink the
    // viewport and change the fit factor again).
    const QSize vp = viewport()->size();
    const QSizeF content = scaledSize();
    const int w = m_fit ? 0 : std::max(0, int(std::ceil(content.width() - 1e-6)) - vp.width());
    const int h = m_fit ? 0 : std::max(0, int(std::ceil(content.height() - 1e-6)) - vp.height());
    horizontalScrollBar()->setRange(0, w);
    horizontalScrollBar()->setPageStep(std::max(1, vp.width()));
    verticalScrollBar()->setRange(0, h);
    verticalScrollBar()->setPageStep(std::max(1, vp.height()));
}

void ImageViewer::applyZoom(double factor, const QPointF &anchor, bool fit)
{
    const QPointF imagePoint = mapToImage(anchor);
    const double old = m_zoom;
    m_fit = fit;
    m_zoom = factor;
    updateScrollBars();
    // Showing or hiding a scroll bar resizes the viewport, and with it the ranges: settle them.
    updateScrollBars();
    if (!fit) {
        const QPointF wanted = imagePoint * m_zoom; // where the anchor must be, in content coords
        horizontalScrollBar()->setValue(qRound(wanted.x() - anchor.x()));
        verticalScrollBar()->setValue(qRound(wanted.y() - anchor.y()));
    }
    viewport()->update();
    if (!qFuzzyCompare(old, m_zoom))
        Q_EMIT zoomChanged(m_zoom);
}

const QImage &ImageViewer::levelForZoom(double &scale)
{
    scale = 1.0;
    if (m_zoom >= 0.5)
        return m_image;
    // The smallest level still at least as large as what is shown: bilinear filtering from
    // there loses nothing, unlike sampling a much larger image sparsely.
    const QImage *level = &m_image;
    size_t i = 0;
    while (scale / 2 >= m_zoom) {
        if (i == m_levels.size()) {
            const QSize half = level->size() / 2;
            if (half.width() < kMinLevelSide || half.height() < kMinLevelSide)
                break;
            m_levels.push_back(level->scaled(half, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
        }
        level = &m_levels[i];
        scale = double(level->width()) / m_image.width();
        ++i;
    }
    return *level;
}

void ImageViewer::paintEvent(QPaintEvent *event)
{
    QPainter painter(viewport());
    painter.fillRect(event->rect(), palette().color(QPalette::Base));
    if (m_image.isNull())
        return;

    const QPointF origin = imageOrigin();
    const QRectF shown(origin, scaledSize());
    const QRectF visible = shown.intersected(QRectF(event->rect()));
    if (visible.isEmpty())
        return;
    // Whole source pixels covering the visible part.
    const QRectF src = QRectF((visible.topLeft() - origin) / m_zoom, visible.size() / m_zoom);
    const int x0 = std::max(0, int(std::floor(src.left())));
    const int y0 = std::max(0, int(std::floor(src.top())));
    const int x1 = std::min(m_image.width(), int(std::ceil(src.right())));
    const int y1 = std::min(m_image.height(), int(std::ceil(src.bottom())));
    if (x1 <= x0 || y1 <= y0)
        return;
    const QRectF target(origin + QPointF(x0, y0) * m_zoom, QSizeF(x1 - x0, y1 - y0) * m_zoom);

    // Smooth when downscaling; nearest neighbour when enlarging, so pixels can be inspected.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom < 1.0);
    double scale = 1.0;
    const QImage &level = levelForZoom(scale);
    const QRectF levelSrc(x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale);
    painter.drawImage(target, level, levelSrc.intersected(QRectF(level.rect())));
}

void ImageViewer::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    if (m_fit) {
        const double f = fitFactor();
        if (!qFuzzyCompare(f, m_zoom)) {
            m_zoom = f;
            Q_EMIT zoomChanged(m_zoom);
        }
    }
    updateScrollBars();
    viewport()->update();
}

void ImageViewer::scrollContentsBy(int, int)
{
    viewport()->update();
}

void ImageViewer::wheelEvent(QWheelEvent *event)
{
    const int dy = event->angleDelta().y();
    if (dy == 0 || m_image.isNull()) {
        QAbstractScrollArea::wheelEvent(event);
        return;
    }
    // One notch (120) is one zoom step; touchpads send fractions of a notch.
    const double factor = m_zoom * std::pow(kZoomStep, dy / 120.0);
    setZoomFactor(factor, event->position());
    event->accept();
}

void ImageViewer::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    m_panning = true;
    m_panStart = event->position().toPoint();
    m_panScrollStart = {horizontalScrollBar()->value(), verticalScrollBar()->value()};
    viewport()->setCursor(Qt::ClosedHandCursor);
    event->accept();
}

void ImageViewer::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_panning) {
        QAbstractScrollArea::mouseMoveEvent(event);
        return;
    }
    const QPoint delta = event->position().toPoint() - m_panStart;
    horizontalScrollBar()->setValue(m_panScrollStart.x() - delta.x());
    verticalScrollBar()->setValue(m_panScrollStart.y() - delta.y());
    event->accept();
}

void ImageViewer::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_panning) {
        m_panning = false;
        viewport()->setCursor(Qt::OpenHandCursor);
        event->accept();
        return;
    }
    QAbstractScrollArea::mouseReleaseEvent(event);
}

void ImageViewer::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_image.isNull()) {
        QAbstractScrollArea::mouseDoubleClickEvent(event);
        return;
    }
    if (m_fit)
        applyZoom(1.0, event->position(), false);
    else
        setFitToWindow();
    event->accept();
}

void ImageViewer::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
        zoomOut();
        break;
    case Qt::Key_0:
        zoomToOriginal();
        break;
    case Qt::Key_F:
        setFitToWindow();
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace lookalike
