#include "resultsview.h"

#include "resultdelegate.h"
#include "resultsmodel.h"

#include <QKeyEvent>
#include <QScrollBar>

namespace lookalike {

ResultsView::ResultsView(QWidget *parent)
    : QListView(parent)
    , m_delegate(new ResultDelegate(this))
{
    setViewMode(QListView::IconMode);
    setMovement(QListView::Static);
    setResizeMode(QListView::Adjust);
    setFlow(QListView::LeftToRight);
    setWrapping(true);
    setUniformItemSizes(true); // layout is arithmetic, not one sizeHint per row
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setSelectionBehavior(QAbstractItemView::SelectItems);
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setSpacing(2);
    setItemDelegate(m_delegate);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    viewport()->setAttribute(Qt::WA_Hover); // the delegate shades the tile under the mouse
    connect(this, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT itemActivated(index.data(ResultsModel::IdRole).toLongLong());
    });
}

void ResultsView::setTileSide(int side)
{
    m_delegate->setTileSide(side);
    verticalScrollBar()->setSingleStep(std::max(8, side / 4));
    scheduleDelayedItemsLayout();
}

std::vector<qint64> ResultsView::selectedIds() const
{
    QModelIndexList rows = selectionModel() ? selectionModel()->selectedIndexes() : QModelIndexList();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    std::vector<qint64> ids;
    ids.reserve(size_t(rows.size()));
    for (const QModelIndex &i : std::as_const(rows))
        ids.push_back(i.data(ResultsModel::IdRole).toLongLong());
    return ids;
}

qint64 ResultsView::currentId() const
{
    const QModelIndex i = currentIndex();
    return i.isValid() ? i.data(ResultsModel::IdRole).toLongLong() : -1;
}

void ResultsView::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && event->modifiers() == Qt::NoModifier && currentIndex().isValid()) {
        Q_EMIT previewRequested(currentId());
        event->accept();
        return;
    }
    QListView::keyPressEvent(event);
}

void ResultsView::currentChanged(const QModelIndex &current, const QModelIndex &previous)
{
    QListView::currentChanged(current, previous);
    Q_EMIT currentItemChanged(current.isValid() ? current.data(ResultsModel::IdRole).toLongLong() : -1);
}

} // namespace lookalike
