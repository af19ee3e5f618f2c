#include "histogramwidget.h"

#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionFocusRect>

#include <algorithm>
#include <climits>
#include <cmath>

namespace lookalike {

namespace {
// User moves land on round numbers, so that 0.95 − 0.005 reads as 0.945, not 0.94499999.
double rounded(double v, double unit)
{
    return std::round(v / unit) * unit;
}
} // namespace

HistogramWidget::HistogramWidget(QWidget *parent)
    : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setCursor(Qt::SizeHorCursor);
    setToolTip(tr("Drag the marker, or use the arrow keys, to set the similarity threshold"));
    rebin();
}

HistogramWidget::~HistogramWidget() = default;

QSize HistogramWidget::sizeHint() const
{
    return {420, 150};
}

QSize HistogramWidget::minimumSizeHint() const
{
    return {160, 90};
}

void HistogramWidget::setValues(std::vector<float> values)
{
    values.erase(std::remove_if(values.begin(), values.end(), [](float v) { return std::isnan(v); }), values.end());
    std::sort(values.begin(), values.end());
    m_sorted = std::move(values);
    rebin();
    update();
}

void HistogramWidget::setRange(double lo, double hi)
{
    if (!(hi > lo))
        return;
    m_lo = lo;
    m_hi = hi;
    rebin();
    setThreshold(m_threshold); // clamps into the new range
    update();
}

void HistogramWidget::setBinCount(int bins)
{
    m_binCount = std::max(1, bins);
    rebin();
    update();
}

void HistogramWidget::setLogScale(bool log)
{
    m_log = log;
    update();
}

void HistogramWidget::setThreshold(double threshold)
{
    if (std::isnan(threshold))
        return;
    const double t = std::clamp(threshold, m_lo, m_hi);
    if (t == m_threshold)
        return;
    m_threshold = t;
    update();
    Q_EMIT thresholdChanged(m_threshold);
}

qint64 HistogramWidget::countAtOrAbove() const
{
    const float t = float(m_threshold);
    return qint64(m_sorted.end() - std::lower_bound(m_sorted.begin(), m_sorted.end(), t));
}

void HistogramWidget::rebin()
{
    m_bins.assign(size_t(m_binCount), 0);
    const double width = (m_hi - m_lo) / m_binCount;
    auto it = std::lower_bound(m_sorted.begin(), m_sorted.end(), float(m_lo));
    for (; it != m_sorted.end() && double(*it) <= m_hi; ++it) {
        // The top edge belongs to the last bin (a score of exactly 1.0 is common).
        const int bin = std::min(m_binCount - 1, int((double(*it) - m_lo) / width));
        ++m_bins[size_t(std::max(0, bin))];
    }
}

QRectF HistogramWidget::plotRect() const
{
    const int text = fontMetrics().height();
    // Room for the count line above and the axis labels below.
    return QRectF(rect()).adjusted(6, text + 6, -6, -(text + 6));
}

double HistogramWidget::xForValue(double v) const
{
    const QRectF r = plotRect();
    return r.left() + (v - m_lo) / (m_hi - m_lo) * r.width();
}

double HistogramWidget::valueAtX(double x) const
{
    const QRectF r = plotRect();
    if (r.width() <= 0)
        return m_threshold;
    return m_lo + (x - r.left()) / r.width() * (m_hi - m_lo);
}

void HistogramWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    const QRectF plot = plotRect();
    p.fillRect(plot, pal.color(QPalette::Base));

    qint64 maxCount = 0;
    for (qint64 c : m_bins)
        maxCount = std::max(maxCount, c);
    if (maxCount > 0 && plot.height() > 0) {
        const double denom = m_log ? std::log1p(double(maxCount)) : double(maxCount);
        const double binWidth = plot.width() / m_binCount;
        const QColor below = pal.color(QPalette::Mid);
        const QColor above = pal.color(QPalette::Highlight);
        for (int i = 0; i < m_binCount; ++i) {
            const qint64 c = m_bins[size_t(i)];
            if (c == 0)
                continue;
            const double h = (m_log ? std::log1p(double(c)) : double(c)) / denom * plot.height();
            const QRectF bar(plot.left() + i * binWidth, plot.bottom() - h, std::max(1.0, binWidth - 1), h);
            const double binStart = m_lo + i * (m_hi - m_lo) / m_binCount;
            p.fillRect(bar, binStart >= m_threshold ? above : below);
        }
    }
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(plot);

    // The marker: a line with a small handle on top.
    const double x = xForValue(m_threshold);
    QPen marker(pal.color(QPalette::Text), 2);
    p.setPen(marker);
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(pal.color(QPalette::Text));
    const QPointF tri[3] = {{x - 5, plot.top() - 6}, {x + 5, plot.top() - 6}, {x, plot.top()}};
    p.drawPolygon(tri, 3);
    p.setRenderHint(QPainter::Antialiasing, false);

    const QLocale locale;
    p.setPen(pal.color(QPalette::WindowText));
    const QRectF top(rect().left() + 6, 0, rect().width() - 12, plot.top() - 6);
    p.drawText(top, Qt::AlignRight | Qt::AlignVCenter,
               tr("%n pair(s) at or above %1", nullptr, int(std::min<qint64>(countAtOrAbove(), INT_MAX)))
                   .arg(locale.toString(m_threshold, 'f', 3)));
    if (m_log)
        p.drawText(top, Qt::AlignLeft | Qt::AlignVCenter, tr("log scale"));
    const QRectF bottom(plot.left(), plot.bottom() + 2, plot.width(), rect().bottom() - plot.bottom() - 2);
    p.drawText(bottom, Qt::AlignLeft | Qt::AlignTop, locale.toString(m_lo, 'f', 2));
    p.drawText(bottom, Qt::AlignRight | Qt::AlignTop, locale.toString(m_hi, 'f', 2));

    if (hasFocus()) {
        QStyleOptionFocusRect option;
        option.initFrom(this);
        option.rect = plot.toRect().adjusted(-3, -3, 3, 3);
        style()->drawPrimitive(QStyle::PE_FrameFocusRect, &option, &p, this);
    }
}

void HistogramWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    setThreshold(rounded(valueAtX(event->position().x()), 0.001));
    event->accept();
}

void HistogramWidget::mouseMoveEvent(QMouseEvent *event)
{
    if (!(event->buttons() & Qt::LeftButton)) {
        QWidget::mouseMoveEvent(event);
        return;
    }
    setThreshold(rounded(valueAtX(event->position().x()), 0.001));
    event->accept();
}

void HistogramWidget::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Left:
    case Qt::Key_Down:
        setThreshold(rounded(m_threshold - kKeyStep, 1e-4));
        break;
    case Qt::Key_Right:
    case Qt::Key_Up:
        setThreshold(rounded(m_threshold + kKeyStep, 1e-4));
        break;
    case Qt::Key_PageDown:
        setThreshold(rounded(m_threshold - kPageStep, 1e-4));
        break;
    case Qt::Key_PageUp:
        setThreshold(rounded(m_threshold + kPageStep, 1e-4));
        break;
    case Qt::Key_Home:
        setThreshold(m_lo);
        break;
    case Qt::Key_End:
        setThreshold(m_hi);
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace lookalike
