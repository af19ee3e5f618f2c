#pragma once

#include <QWidget>

#include <vector>

namespace lookalike {

// A histogram of scores in [lo, hi] with a draggable threshold marker: click or drag to move
// it, or use the arrow keys (fine steps) and Page Up/Down (coarse). Shows how many values lie
// at or above the threshold. Values outside the range are not drawn but still counted.
class HistogramWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistogramWidget)

public:
    static constexpr double kKeyStep = 0.005;
    static constexpr double kPageStep = 0.05;

    explicit HistogramWidget(QWidget *parent = nullptr);
    ~HistogramWidget() override;

    void setValues(std::vector<float> values);
    void setRange(double lo, double hi);
    double lowerBound() const { return m_lo; }
    double upperBound() const { return m_hi; }
    void setBinCount(int bins);
    int binCount() const { return m_binCount; }
    // Bar heights proportional to log(1 + count), so that a few rare high scores stay visible
    // beside the mass of unrelated pairs.
    void setLogScale(bool log);
    bool logScale() const { return m_log; }

    double threshold() const { return m_threshold; }
    // Values v with float(v) >= float(threshold), the comparison DuplicateFinder makes.
    qint64 countAtOrAbove() const;
    const std::vector<qint64> &bins() const { return m_bins; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    // Clamped to the range; emits thresholdChanged when the value changes.
    void setThreshold(double threshold);

Q_SIGNALS:
    void thresholdChanged(double threshold);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void rebin();
    QRectF plotRect() const;
    double valueAtX(double x) const;
    double xForValue(double v) const;

    std::vector<float> m_sorted;
    std::vector<qint64> m_bins;
    int m_binCount = 50;
    double m_lo = 0.5;
    double m_hi = 1.0;
    double m_threshold = 0.95;
    bool m_log = true;
};

} // namespace lookalike
