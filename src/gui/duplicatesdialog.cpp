#include "duplicatesdialog.h"

#include "histogramwidget.h"
#include "thumbnailcache.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSlider>
#include <QThreadPool>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace lookalike {

namespace {

constexpr int kDebounceMs = 200;
constexpr int kSliderScale = 1000; // slider units per 1.0 of similarity
constexpr int kIconSide = 64;
// Bounds the work of one pass over the rows on screen.
constexpr int kMaxVisibleRows = 300;

enum Column { NameColumn, PathColumn, ColumnCount };
enum Role { IdRole = Qt::UserRole, GroupRole };

QString scoreText(double score)
{
    return QLocale().toString(score, 'f', 3);
}

} // namespace

DuplicatesDialog::DuplicatesDialog(std::shared_ptr<Collection> collection, ThumbnailCache *thumbnails, QWidget *parent)
    : QDialog(parent)
    , m_collection(std::move(collection))
    , m_thumbnails(thumbnails)
    , m_pool(new QThreadPool(this))
    , m_cancel(std::make_shared<std::atomic<bool>>(false))
    , m_debounce(new QTimer(this))
    , m_thumbnailTimer(new QTimer(this))
    , m_status(new QLabel(this))
    , m_busy(new QProgressBar(this))
    , m_histogram(new HistogramWidget(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_thresholdLabel(new QLabel(this))
    , m_leaks(new QCheckBox(tr("Only &leaks across folders"), this))
    , m_tree(new QTreeWidget(this))
    , m_notDuplicate(new QPushButton(tr("Not a duplicate"), this))
    , m_remove(new QPushButton(tr("Remove from collection…"), this))
    , m_export(new QPushButton(tr("Export…"), this))
{
    setWindowTitle(tr("Near-Duplicates"));
    m_pool->setMaxThreadCount(1);

    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);

    m_histogram->setObjectName(QStringLiteral("histogram"));
    m_histogram->setRange(kLowestThreshold, 1.0);
    m_histogram->setBinCount(50);
    m_histogram->setLogScale(true);
    m_histogram->setThreshold(m_threshold);

    m_slider->setObjectName(QStringLiteral("thresholdSlider"));
    m_slider->setRange(int(std::lround(kLowestThreshold * kSliderScale)), kSliderScale);
    m_slider->setSingleStep(5);
    m_slider->setPageStep(50);
    m_slider->setValue(int(std::lround(m_threshold * kSliderScale)));
    m_slider->setToolTip(tr("Pairs at least this similar count as near-duplicates"));
    m_thresholdLabel->setText(scoreText(m_threshold));
    m_thresholdLabel->setMinimumWidth(m_thresholdLabel->fontMetrics().horizontalAdvance(QStringLiteral("0.0000")));
    connect(m_histogram, &HistogramWidget::thresholdChanged, this, &DuplicatesDialog::setThreshold);
    connect(m_slider, &QSlider::valueChanged, this, [this](int v) { setThreshold(double(v) / kSliderScale); });

    m_leaks->setObjectName(QStringLiteral("leaksCheck"));
    m_leaks->setToolTip(tr("Only groups whose images lie in different folders below the one that holds every "
                           "file of the collection, such as the same image in train/ and in test/"));
    connect(m_leaks, &QCheckBox::toggled, this, &DuplicatesDialog::setLeaksOnly);

    m_tree->setObjectName(QStringLiteral("groupsTree"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Name"), tr("Location")});
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setIconSize(QSize(kIconSide, kIconSide));
    m_tree->setUniformRowHeights(false);
    m_tree->setTextElideMode(Qt::ElideMiddle);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(NameColumn, 260);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, &DuplicatesDialog::updateActions);
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        const qint64 id = item->data(NameColumn, IdRole).toLongLong();
        if (item->parent() && id >= 0)
            Q_EMIT itemActivated(id);
    });
    connect(m_tree->verticalScrollBar(), &QScrollBar::valueChanged, this, &DuplicatesDialog::scheduleThumbnailRequests);
    connect(m_tree, &QTreeWidget::itemExpanded, this, &DuplicatesDialog::scheduleThumbnailRequests);

    m_notDuplicate->setObjectName(QStringLiteral("notDuplicateButton"));
    m_notDuplicate->setToolTip(tr("Remember that the selected images are not duplicates of each other "
                                  "(a single image: of the rest of its group)"));
    m_remove->setObjectName(QStringLiteral("removeButton"));
    m_remove->setToolTip(tr("Remove the selected images from the collection; the files stay on disk"));
    m_export->setObjectName(QStringLiteral("exportButton"));
    m_export->setToolTip(tr("Export the selected images"));
    for (QPushButton *b : {m_notDuplicate, m_remove, m_export})
        b->setAutoDefault(false);
    connect(m_notDuplicate, &QPushButton::clicked, this, &DuplicatesDialog::markSelectedNotDuplicate);
    connect(m_remove, &QPushButton::clicked, this, &DuplicatesDialog::removeSelected);
    connect(m_export, &QPushButton::clicked, this, &DuplicatesDialog::exportSelected);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_busy);
    statusRow->addWidget(m_status, 1);
    auto *thresholdRow = new QHBoxLayout;
    auto *thresholdCaption = new QLabel(tr("&Threshold:"), this);
    thresholdCaption->setBuddy(m_slider);
    thresholdRow->addWidget(thresholdCaption);
    thresholdRow->addWidget(m_slider, 1);
    thresholdRow->addWidget(m_thresholdLabel);
    thresholdRow->addWidget(m_leaks);
    auto *actionRow = new QHBoxLayout;
    actionRow->addWidget(m_notDuplicate);
    actionRow->addWidget(m_remove);
    actionRow->addWidget(m_export);
    actionRow->addStretch(1);
    actionRow->addWidget(close);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(statusRow);
    layout->addWidget(m_histogram, 1);
    layout->addLayout(thresholdRow);
    layout->addWidget(m_tree, 3);
    layout->addLayout(actionRow);
    resize(760, 680);

    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, [this] { start(); });
    m_thumbnailTimer->setSingleShot(true);
    m_thumbnailTimer->setInterval(0);
    connect(m_thumbnailTimer, &QTimer::timeout, this, &DuplicatesDialog::requestVisibleThumbnails);
    if (m_thumbnails)
        connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &DuplicatesDialog::onThumbnailReady);
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &DuplicatesDialog::onFinished);

    updateActions();
    start();
}

DuplicatesDialog::~DuplicatesDialog()
{
    // The worker holds its own reference to the collection; waiting only lets the cancelled
    // run reach its next cancellation check so that no thread outlives the dialog.
    m_cancel->store(true);
    m_pool->waitForDone();
}

bool DuplicatesDialog::isBusy() const
{
    return m_pending || m_debounce->isActive() || m_watcher.isRunning();
}

void DuplicatesDialog::setThreshold(double threshold)
{
    if (std::isnan(threshold))
        return;
    const double t = std::clamp(threshold, kLowestThreshold, 1.0);
    {
        const QSignalBlocker blockHistogram(m_histogram);
        const QSignalBlocker blockSlider(m_slider);
        m_histogram->setThreshold(t);
        m_slider->setValue(int(std::lround(t * kSliderScale)));
    }
    if (t == m_threshold)
        return;
    m_threshold = t;
    m_thresholdLabel->setText(scoreText(t));
    m_pending = true;
    m_debounce->start();
}

void DuplicatesDialog::setLeaksOnly(bool leaksOnly)
{
    {
        const QSignalBlocker block(m_leaks);
        m_leaks->setChecked(leaksOnly);
    }
    if (leaksOnly == m_leaksOnly)
        return;
    m_leaksOnly = leaksOnly;
    start();
}

void DuplicatesDialog::refresh()
{
    m_histogramFilled = false; // the set of pairs changes with the items
    start();
}

void DuplicatesDialog::start(std::vector<std::pair<qint64, qint64>> markPairs)
{
    m_debounce->stop();
    m_cancel->store(true);
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const quint64 generation = ++m_generation;
    m_pending = true;
    setStatus(tr("Finding near-duplicates…"), true);

    auto task = [collection = m_collection, cancel = m_cancel, threshold = float(m_threshold), generation,
                 leaksOnly = m_leaksOnly, markPairs = std::move(markPairs)]() {
        Outcome outcome;
        outcome.generation = generation;
        if (!collection) {
            outcome.result = Error(tr("No collection is open."), Error::Code::InvalidArgument);
            return outcome;
        }
        for (const auto &[a, b] : markPairs) {
            if (auto marked = collection->markNotDuplicate(a, b); !marked) {
                outcome.result = marked.error();
                return outcome;
            }
        }
        DuplicateParams params;
        params.threshold = threshold;
        params.splitBy = leaksOnly ? SplitBy::TopFolder : SplitBy::None;
        auto found = DuplicateFinder::find(*collection, params, cancel.get());
        // A cancelled scan stops early and would look like a complete but smaller answer.
        if (cancel->load()) {
            outcome.result = Error(tr("Cancelled"), Error::Code::Cancelled);
            return outcome;
        }
        if (!found) {
            outcome.result = found.error();
            return outcome;
        }
        std::vector<qint64> ids;
        for (const DuplicateGroup &g : found->groups)
            ids.insert(ids.end(), g.ids.begin(), g.ids.end());
        auto items = collection->itemsByIds(ids);
        if (!items) {
            outcome.result = items.error();
            return outcome;
        }
        outcome.items = std::move(*items);
        std::sort(found->pairScores.begin(), found->pairScores.end()); // spares the GUI thread the sort
        outcome.result = std::move(found);
        return outcome;
    };
    m_watcher.setFuture(QtConcurrent::run(m_pool, std::move(task)));
}

void DuplicatesDialog::onFinished()
{
    if (m_watcher.future().isCanceled() || m_watcher.future().resultCount() == 0)
        return;
    Outcome outcome = m_watcher.result();
    if (outcome.generation != m_generation)
        return; // superseded; the newer run reports
    if (m_debounce->isActive())
        return; // the threshold moved meanwhile; the run it schedules reports
    m_pending = false;
    if (!outcome.result) {
        if (outcome.result.error().code == Error::Code::Cancelled)
            return;
        const QString message = outcome.result.errorMessage();
        setStatus(tr("Could not find near-duplicates: %1").arg(message), false);
        Q_EMIT searchFailed(message);
        return;
    }
    DuplicateResult &result = *outcome.result;
    if (!m_histogramFilled) {
        m_histogram->setValues(std::move(result.pairScores));
        m_histogramFilled = true;
    }
    m_groups = std::move(result.groups);
    m_items = std::move(outcome.items);
    populate();

    qsizetype images = 0;
    for (const DuplicateGroup &g : m_groups)
        images += qsizetype(g.ids.size());
    if (m_groups.empty() && m_leaksOnly)
        setStatus(tr("No near-duplicates across folders at or above %1.").arg(scoreText(m_threshold)), false);
    else if (m_groups.empty())
        setStatus(tr("No near-duplicates at or above %1.").arg(scoreText(m_threshold)), false);
    else if (m_leaksOnly)
        setStatus(tr("%n group(s) of near-duplicates across folders, %1 images in all.", nullptr, int(m_groups.size()))
                      .arg(images),
                  false);
    else
        setStatus(tr("%n group(s) of near-duplicates, %1 images in all.", nullptr, int(m_groups.size())).arg(images),
                  false);
    Q_EMIT groupsUpdated();
}

void DuplicatesDialog::populate()
{
    const std::vector<qint64> previouslySelected = selectedIds();
    const QFontMetrics metrics = m_tree->fontMetrics();
    m_tree->clear();
    m_rows.clear();
    QList<QTreeWidgetItem *> headers;
    headers.reserve(qsizetype(m_groups.size()));
    for (size_t gi = 0; gi < m_groups.size(); ++gi) {
        const DuplicateGroup &g = m_groups[gi];
        auto *header = new QTreeWidgetItem;
        header->setText(NameColumn, tr("Group %1 — %n image(s), similarity up to %2", nullptr, int(g.ids.size()))
                                        .arg(gi + 1)
                                        .arg(scoreText(g.maxScore)));
        header->setData(NameColumn, IdRole, qint64(-1));
        header->setData(NameColumn, GroupRole, qint64(gi));
        QFont bold = header->font(NameColumn);
        bold.setBold(true);
        header->setFont(NameColumn, bold);
        for (size_t i = 0; i < g.ids.size(); ++i) {
            const qint64 id = g.ids[i];
            auto *row = new QTreeWidgetItem(header);
            const ItemRecord item = m_items.value(id);
            QString name = !item.filename.isEmpty() ? item.filename
                           : !item.uri.isEmpty()    ? QFileInfo(item.uri).fileName()
                                                    : tr("Item %1").arg(id);
            if (i < size_t(g.splits.size()) && !g.splits[qsizetype(i)].isEmpty()) // the point of a leak
                name = tr("%1 — in %2").arg(name, g.splits[qsizetype(i)]);
            row->setText(NameColumn, name);
            row->setText(PathColumn, item.uri);
            row->setToolTip(NameColumn, item.uri);
            row->setToolTip(PathColumn, item.uri);
            row->setData(NameColumn, IdRole, id);
            row->setData(NameColumn, GroupRole, qint64(gi));
            // Room for the thumbnail from the start, so rows do not jump when it arrives.
            row->setSizeHint(NameColumn, QSize(metrics.horizontalAdvance(name) + kIconSide + 16, kIconSide + 4));
            m_rows.insert(id, row);
        }
        headers.append(header);
    }
    m_tree->addTopLevelItems(headers);
    for (QTreeWidgetItem *header : std::as_const(headers)) {
        header->setFirstColumnSpanned(true);
        header->setExpanded(true);
    }
    selectIds(previouslySelected);
    updateActions();
    scheduleThumbnailRequests();
}

void DuplicatesDialog::scheduleThumbnailRequests()
{
    if (m_thumbnails)
        m_thumbnailTimer->start();
}

void DuplicatesDialog::requestVisibleThumbnails()
{
    // Only rows on screen ask for thumbnails: a list of thousands of groups must not flood the
    // cache's queue (which keeps the newest requests) with rows nobody looks at.
    if (!m_thumbnails)
        return;
    const int bottom = m_tree->viewport()->height();
    QTreeWidgetItem *item = m_tree->itemAt(0, 0);
    for (int n = 0; item && n < kMaxVisibleRows; ++n, item = m_tree->itemBelow(item)) {
        if (m_tree->visualItemRect(item).top() > bottom)
            break;
        const qint64 id = item->data(NameColumn, IdRole).toLongLong();
        if (id < 0 || !item->icon(NameColumn).isNull() || m_thumbnails->failed(id))
            continue;
        const QPixmap pixmap = m_thumbnails->thumbnail(id);
        if (!pixmap.isNull())
            item->setIcon(NameColumn, QIcon(pixmap));
    }
}

void DuplicatesDialog::onThumbnailReady(qint64 id)
{
    QTreeWidgetItem *row = m_rows.value(id);
    if (!row || !row->icon(NameColumn).isNull() || m_thumbnails->failed(id))
        return;
    const QPixmap pixmap = m_thumbnails->thumbnail(id);
    if (!pixmap.isNull())
        row->setIcon(NameColumn, QIcon(pixmap));
}

std::vector<qint64> DuplicatesDialog::selectedIds() const
{
    std::set<qint64> ids;
    const QList<QTreeWidgetItem *> selected = m_tree->selectedItems();
    for (const QTreeWidgetItem *item : selected) {
        const qint64 id = item->data(NameColumn, IdRole).toLongLong();
        if (id >= 0) {
            ids.insert(id);
            continue;
        }
        const qint64 gi = item->data(NameColumn, GroupRole).toLongLong();
        if (gi >= 0 && size_t(gi) < m_groups.size())
            ids.insert(m_groups[size_t(gi)].ids.begin(), m_groups[size_t(gi)].ids.end());
    }
    return {ids.begin(), ids.end()};
}

void DuplicatesDialog::selectIds(const std::vector<qint64> &ids)
{
    m_tree->clearSelection();
    for (qint64 id : ids) {
        if (QTreeWidgetItem *row = m_rows.value(id))
            row->setSelected(true);
    }
}

void DuplicatesDialog::markSelectedNotDuplicate()
{
    // Group by group: pairs across groups are not linked, so there is nothing to mark there.
    std::map<qint64, std::set<qint64>> chosen;
    const QList<QTreeWidgetItem *> selected = m_tree->selectedItems();
    for (const QTreeWidgetItem *item : selected) {
        const qint64 gi = item->data(NameColumn, GroupRole).toLongLong();
        if (gi < 0 || size_t(gi) >= m_groups.size())
            continue;
        const qint64 id = item->data(NameColumn, IdRole).toLongLong();
        if (id >= 0)
            chosen[gi].insert(id);
        else
            chosen[gi].insert(m_groups[size_t(gi)].ids.begin(), m_groups[size_t(gi)].ids.end());
    }
    std::vector<std::pair<qint64, qint64>> pairs;
    for (const auto &[gi, ids] : chosen) {
        const std::vector<qint64> &group = m_groups[size_t(gi)].ids;
        if (ids.size() == 1) {
            const qint64 one = *ids.begin();
            for (qint64 other : group) {
                if (other != one)
                    pairs.emplace_back(std::min(one, other), std::max(one, other));
            }
            continue;
        }
        for (auto a = ids.begin(); a != ids.end(); ++a) {
            for (auto b = std::next(a); b != ids.end(); ++b)
                pairs.emplace_back(*a, *b);
        }
    }
    if (pairs.empty())
        return;
    start(std::move(pairs));
}

void DuplicatesDialog::removeSelected()
{
    const std::vector<qint64> ids = selectedIds();
    if (ids.empty())
        return;
    QMessageBox box(QMessageBox::Question, tr("Remove from Collection"),
                    tr("Remove %n image(s) from the collection? The files stay on disk.", nullptr, int(ids.size())),
                    QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("confirmRemoveBox"));
    QPushButton *remove = box.addButton(tr("Remove"), QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != remove)
        return;
    Q_EMIT removeRequested(ids);
}

void DuplicatesDialog::exportSelected()
{
    const std::vector<qint64> ids = selectedIds();
    if (!ids.empty())
        Q_EMIT exportRequested(ids);
}

void DuplicatesDialog::updateActions()
{
    const bool any = !m_tree->selectedItems().isEmpty();
    m_notDuplicate->setEnabled(any);
    m_remove->setEnabled(any);
    m_export->setEnabled(any);
}

void DuplicatesDialog::setStatus(const QString &text, bool busy)
{
    m_status->setText(text);
    m_busy->setVisible(busy);
}

} // namespace lookalike
