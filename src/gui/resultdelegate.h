#pragma once

#include <QStyledItemDelegate>

namespace lookalike {

// One tile of the grid: the thumbnail centred in a square, the final score as a badge in its
// corner (search results only) and the file name elided below.
class ResultDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit ResultDelegate(QObject *parent = nullptr);

    void setTileSide(int side);
    int tileSide() const { return m_side; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static constexpr int kMargin = 6;

private:
    int m_side = 160;
};

} // namespace lookalike
