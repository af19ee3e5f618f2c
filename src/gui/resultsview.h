#pragma once

#include <QListView>

#include <vector>

namespace lookalike {

class ResultDelegate;

// The thumbnail grid: icon mode with uniform tiles (so 100,000 items lay out instantly),
// multi-selection, keyboard navigation, dragging items out (as ids and files).
class ResultsView final : public QListView
{
    Q_OBJECT

public:
    explicit ResultsView(QWidget *parent = nullptr);

    void setTileSide(int side);
    std::vector<qint64> selectedIds() const;
    qint64 currentId() const;

Q_SIGNALS:
    void currentItemChanged(qint64 id);
    void itemActivated(qint64 id);
    void previewRequested(qint64 id);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void currentChanged(const QModelIndex &current, const QModelIndex &previous) override;

private:
    ResultDelegate *m_delegate;
};

} // namespace lookalike
