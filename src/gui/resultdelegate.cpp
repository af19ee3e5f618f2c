#include "resultdelegate.h"

#include "resultsmodel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace lookalike {

ResultDelegate::ResultDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

void ResultDelegate::setTileSide(int side)
{
    m_side = std::clamp(side, 48, 512);
}

QSize ResultDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int text = option.fontMetrics.height();
    return {m_side + 2 * kMargin, m_side + text + 3 * kMargin};
}

void ResultDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);

    // Selection and hover are drawn here, in the palette's colours: styles paint icon-mode
    // selection around the icon and the text separately, which looks broken on wide tiles.
    const QRectF tile = QRectF(opt.rect).adjusted(1.5, 1.5, -1.5, -1.5);
    const bool selected = opt.state & QStyle::State_Selected;
    if (selected || (opt.state & QStyle::State_MouseOver)) {
        QColor fill = opt.palette.color(QPalette::Highlight);
        fill.setAlphaF(selected ? 0.28f : 0.10f);
        painter->setPen(selected ? QPen(opt.palette.color(QPalette::Highlight), 1.5) : QPen(Qt::NoPen));
        painter->setBrush(fill);
        painter->drawRoundedRect(tile, 6, 6);
    }
    if (opt.state & QStyle::State_HasFocus) {
        painter->setPen(QPen(opt.palette.color(QPalette::Highlight), 1, Qt::DotLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(tile.adjusted(2, 2, -2, -2), 5, 5);
    }

    const QRect square(opt.rect.x() + (opt.rect.width() - m_side) / 2, opt.rect.y() + kMargin, m_side, m_side);
    const QPixmap pixmap = index.data(Qt::DecorationRole).value<QPixmap>();
    QRect imageRect = square;
    if (!pixmap.isNull()) {
        QSize size = pixmap.size();
        size.scale(square.size(), Qt::KeepAspectRatio);
        if (size.width() > pixmap.width() * 2) // tiny images stay crisp rather than blurred
            size = pixmap.size() * std::max(1, std::min(square.width() / pixmap.width(), square.height() / pixmap.height()));
        QRect target(QPoint(), size);
        target.moveCenter(square.center());
        painter->setRenderHint(QPainter::SmoothPixmapTransform, size.width() < pixmap.width());
        painter->drawPixmap(target, pixmap);
        imageRect = target;
    } else {
        // Placeholder while the thumbnail loads (or when it cannot be read).
        painter->setPen(Qt::NoPen);
        painter->setBrush(opt.palette.color(QPalette::Midlight));
        painter->drawRoundedRect(square.adjusted(8, 8, -8, -8), 6, 6);
    }

    if (index.data(ResultsModel::HasScoreRole).toBool()) {
        const QString badge = QString::number(index.data(ResultsModel::ScoreRole).toDouble(), 'f', 3);
        QFont font = opt.font;
        font.setPointSizeF(font.pointSizeF() * 0.85);
        font.setBold(true);
        const QFontMetrics fm(font);
        QRect badgeRect(0, 0, fm.horizontalAdvance(badge) + 10, fm.height() + 4);
        badgeRect.moveTopRight(imageRect.topRight() + QPoint(-3, 3));
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0, 0, 0, 170));
        painter->drawRoundedRect(badgeRect, 4, 4);
        painter->setFont(font);
        painter->setPen(Qt::white);
        painter->drawText(badgeRect, Qt::AlignCenter, badge);
    }

    const QRect textRect(opt.rect.x() + kMargin, square.bottom() + kMargin, opt.rect.width() - 2 * kMargin,
                         opt.fontMetrics.height());
    painter->setFont(opt.font);
    painter->setPen(opt.palette.color(QPalette::Text));
    const QString name = index.data(Qt::DisplayRole).toString();
    painter->drawText(textRect, Qt::AlignHCenter | Qt::AlignVCenter,
                      opt.fontMetrics.elidedText(name, Qt::ElideMiddle, textRect.width()));
    painter->restore();
}

} // namespace lookalike
