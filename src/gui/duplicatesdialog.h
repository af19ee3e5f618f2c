#pragma once

#include "search/duplicatefinder.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QHash>

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

class QCheckBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QThreadPool;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;

namespace lookalike {

class HistogramWidget;
class ThumbnailCache;

// Near-duplicate groups of a collection. Finding them runs on a worker thread (the dialog
// stays responsive and a superseded run is cancelled); moving the threshold regroups after a
// short pause. Marking "not a duplicate" is written to the collection, so it is remembered.
// Removal and export are only requested: the window owns those operations and calls
// refresh() after a removal.
class DuplicatesDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DuplicatesDialog)

public:
    static constexpr double kLowestThreshold = 0.80;
    static constexpr double kDefaultThreshold = 0.95;

    DuplicatesDialog(std::shared_ptr<Collection> collection, ThumbnailCache *thumbnails, QWidget *parent = nullptr);
    ~DuplicatesDialog() override;

    double threshold() const { return m_threshold; }
    // Only groups that span different top folders (data/train/…, data/test/…): leaks.
    bool leaksOnly() const { return m_leaksOnly; }
    int groupCount() const { return int(m_groups.size()); }
    const std::vector<DuplicateGroup> &groups() const { return m_groups; }
    // True from a (re)grouping being asked for until its result is shown.
    bool isBusy() const;
    // The selected members, a selected group header standing for all its members; ascending.
    std::vector<qint64> selectedIds() const;
    void selectIds(const std::vector<qint64> &ids);

public Q_SLOTS:
    // Regroups at `threshold` (clamped to [kLowestThreshold, 1]) after a short pause, so that
    // dragging the marker does not start a search per pixel.
    void setThreshold(double threshold);
    void setLeaksOnly(bool leaksOnly);
    // Runs the search again now (e.g. after the window removed items).
    void refresh();
    // Marks every pair among the selected members of each group as not duplicates (a single
    // selected member: against the rest of its group), then regroups.
    void markSelectedNotDuplicate();
    // Asks for confirmation, then emits removeRequested.
    void removeSelected();
    void exportSelected();

Q_SIGNALS:
    // A search finished and the list shows its groups.
    void groupsUpdated();
    void searchFailed(const QString &message);
    void removeRequested(const std::vector<qint64> &ids);
    void exportRequested(const std::vector<qint64> &ids);
    void itemActivated(qint64 id);

private:
    struct Outcome
    {
        quint64 generation = 0;
        Result<DuplicateResult> result = Error();
        QHash<qint64, ItemRecord> items;
    };

    void start(std::vector<std::pair<qint64, qint64>> markPairs = {});
    void onFinished();
    void populate();
    void requestVisibleThumbnails();
    void scheduleThumbnailRequests();
    void onThumbnailReady(qint64 id);
    void updateActions();
    void setStatus(const QString &text, bool busy);

    std::shared_ptr<Collection> m_collection;
    ThumbnailCache *m_thumbnails;
    double m_threshold = kDefaultThreshold;
    bool m_leaksOnly = false;
    std::vector<DuplicateGroup> m_groups;
    QHash<qint64, ItemRecord> m_items;
    QHash<qint64, QTreeWidgetItem *> m_rows;
    bool m_histogramFilled = false;

    // One worker: a cancelled run finishes its current batch before the next one starts, so
    // two searches never compete for the cores.
    QThreadPool *m_pool;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    quint64 m_generation = 0;
    bool m_pending = false; // a regroup is scheduled or running
    QTimer *m_debounce;
    QTimer *m_thumbnailTimer;

    QLabel *m_status;
    QProgressBar *m_busy;
    HistogramWidget *m_histogram;
    QSlider *m_slider;
    QLabel *m_thresholdLabel;
    QCheckBox *m_leaks;
    QTreeWidget *m_tree;
    QPushButton *m_notDuplicate;
    QPushButton *m_remove;
    QPushButton *m_export;
};

} // namespace lookalike
