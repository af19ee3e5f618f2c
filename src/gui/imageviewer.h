#pragma once

#include <QAbstractScrollArea>
#include <QImage>

#include <vector>

namespace lookalike {

// A zoomable, pannable preview of one image. Fit-to-window is the default mode and survives
// setImage(); any explicit zoom leaves it. Only the visible part is painted, and downscaled
// views are drawn from a half-size pyramid built on demand, so large images stay responsive
// and small zoom factors do not alias.
class ImageViewer final : public QAbstractScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageViewer)

public:
    static constexpr double kMinZoom = 1.0 / 16;
    static constexpr double kMaxZoom = 32.0;
    static constexpr double kZoomStep = 1.25;

    explicit ImageViewer(QWidget *parent = nullptr);
    ~ImageViewer() override;

    void setImage(const QImage &image);
    QImage image() const { return m_image; }
    void clear();

    double zoomFactor() const { return m_zoom; }
    bool fitsToWindow() const { return m_fit; }
    // The factor fit-to-window uses at the current viewport size. Images smaller than the
    // viewport are not enlarged unless setEnlargeSmallImages(true).
    double fitFactor() const;
    void setEnlargeSmallImages(bool enlarge);

    // Image pixel coordinates under a viewport position (may lie outside the image).
    QPointF mapToImage(const QPointF &viewportPos) const;
    QPointF mapFromImage(const QPointF &imagePos) const;

    QSize sizeHint() const override;

public Q_SLOTS:
    void setFitToWindow();
    void zoomToOriginal();
    void zoomIn();
    void zoomOut();
    // Zooms keeping the image point under `anchor` (viewport coordinates) where it is, as far
    // as the scroll range allows. Clamped to [kMinZoom, kMaxZoom] (or the fit factor when
    // that is smaller, so that zooming out never jumps away from a fitted huge image).
    void setZoomFactor(double factor, const QPointF &anchor);
    void setZoomFactor(double factor);

Q_SIGNALS:
    void zoomChanged(double factor);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    QPointF imageOrigin() const;
    QSizeF scaledSize() const;
    void updateScrollBars();
    void applyZoom(double factor, const QPointF &anchor, bool fit);
    double clampZoom(double factor) const;
    // The pyramid level to sample from at the current zoom, built if needed; `scale` is its
    // size relative to the image.
    const QImage &levelForZoom(double &scale);
    QPointF viewportCentre() const;

    QImage m_image;
    std::vector<QImage> m_levels; // [0] = half size, [1] = quarter, …
    double m_zoom = 1.0;
    bool m_fit = true;
    bool m_enlargeSmall = false;
    bool m_panning = false;
    QPoint m_panStart;
    QPoint m_panScrollStart;
};

} // namespace lookalike
