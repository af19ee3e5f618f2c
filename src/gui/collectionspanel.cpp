#include "collectionspanel.h"

#include "collection/collection.h"

#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace lookalike {

namespace {
constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kNameRole = Qt::UserRole + 2;
} // namespace

CollectionsPanel::CollectionsPanel(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget(this))
{
    m_list->setObjectName(QStringLiteral("collectionsList"));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setWordWrap(true);
    m_list->setIconSize(QSize(24, 24));
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        Q_EMIT openRequested(item->data(kPathRole).toString());
    });
    connect(m_list, &QListWidget::itemSelectionChanged, this, &CollectionsPanel::updateButtons);

    auto makeButton = [this](const QString &icon, const QString &text, const QString &tip) {
        auto *b = new QToolButton(this);
        b->setIcon(QIcon(icon));
        b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        return b;
    };
    auto *create = makeButton(QStringLiteral(":/icons/new-collection.svg"), tr("New"), tr("Create a collection in the library folder"));
    auto *open = makeButton(QStringLiteral(":/icons/collection.svg"), tr("Open"), tr("Open a collection folder from anywhere"));
    m_rename = makeButton(QStringLiteral(":/icons/rename.svg"), tr("Rename"), tr("Rename the selected collection"));
    m_delete = makeButton(QStringLiteral(":/icons/remove.svg"), tr("Delete"), tr("Delete the selected collection"));
    m_rename->setObjectName(QStringLiteral("renameCollection"));
    m_delete->setObjectName(QStringLiteral("deleteCollection"));
    connect(create, &QToolButton::clicked, this, &CollectionsPanel::createRequested);
    connect(open, &QToolButton::clicked, this, &CollectionsPanel::openFolderRequested);
    connect(m_rename, &QToolButton::clicked, this, [this] {
        const QString path = selectedPath();
        if (path.isEmpty())
            return;
        bool ok = false;
        const QString current = m_list->currentItem()->data(kNameRole).toString();
        const QString name = QInputDialog::getText(this, tr("Rename collection"), tr("New name:"), QLineEdit::Normal,
                                                   current, &ok);
        if (ok && !name.trimmed().isEmpty() && name != current)
            Q_EMIT renameRequested(path, name.trimmed());
    });
    connect(m_delete, &QToolButton::clicked, this, [this] {
        if (const QString path = selectedPath(); !path.isEmpty())
            Q_EMIT deleteRequested(path);
    });

    auto *title = new QLabel(tr("Collections"), this);
    QFont f = title->font();
    f.setBold(true);
    title->setFont(f);
    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(0);
    for (QToolButton *b : {create, open, m_rename, m_delete})
        buttons->addWidget(b);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(title);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    updateButtons();
}

void CollectionsPanel::setLibraryFolder(const QString &folder)
{
    m_library = folder;
    refresh();
}

void CollectionsPanel::setExtraCollections(const QStringList &paths)
{
    m_extra = paths;
    refresh();
}

void CollectionsPanel::addExtraCollection(const QString &path)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    if (QFileInfo(abs).absolutePath() == QFileInfo(m_library).absoluteFilePath() || m_extra.contains(abs))
        return;
    m_extra << abs;
    refresh();
}

void CollectionsPanel::setCurrentPath(const QString &path)
{
    m_current = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        QFont font = item->font();
        font.setBold(item->data(kPathRole).toString() == m_current);
        item->setFont(font);
    }
}

QStringList CollectionsPanel::listedPaths() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        out << m_list->item(i)->data(kPathRole).toString();
    return out;
}

CollectionSummary CollectionsPanel::summarize(const QString &path)
{
    CollectionSummary s;
    s.path = path;
    s.name = QFileInfo(path).fileName();
    auto c = Collection::open(path);
    if (!c) {
        s.error = c.errorMessage();
        return s;
    }
    s.name = (*c)->name();
    s.embedderId = (*c)->embedderId();
    if (auto n = (*c)->itemCount())
        s.items = *n;
    return s;
}

void CollectionsPanel::refresh()
{
    QStringList paths;
    if (!m_library.isEmpty()) {
        const QDir lib(m_library);
        const QStringList subdirs = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        for (const QString &sub : subdirs) {
            if (Collection::isCollection(lib.filePath(sub)))
                paths << QFileInfo(lib.filePath(sub)).absoluteFilePath();
        }
    }
    for (const QString &p : std::as_const(m_extra)) {
        if (Collection::isCollection(p) && !paths.contains(p))
            paths << p;
    }
    // Opening each collection to count its items takes a moment on a slow disk: off the GUI
    // thread, newest refresh wins.
    const quint64 generation = ++m_refreshGeneration;
    auto *watcher = new QFutureWatcher<QList<CollectionSummary>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation == m_refreshGeneration)
            fill(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([paths] {
        QList<CollectionSummary> out;
        for (const QString &p : paths)
            out << summarize(p);
        return out;
    }));
}

void CollectionsPanel::fill(const QList<CollectionSummary> &summaries)
{
    const QString selected = selectedPath();
    m_list->clear();
    const QLocale locale;
    for (const CollectionSummary &s : summaries) {
        auto *item = new QListWidgetItem(QIcon(QStringLiteral(":/icons/collection.svg")), QString(), m_list);
        QString detail;
        if (!s.error.isEmpty())
            detail = tr("cannot be opened");
        else
            detail = tr("%n item(s)", nullptr, int(std::min<qint64>(s.items, INT_MAX))) + QStringLiteral(" · ") + s.embedderId;
        item->setText(s.name + QLatin1Char('\n') + detail);
        item->setToolTip(s.error.isEmpty() ? QDir::toNativeSeparators(s.path) : s.error);
        item->setData(kPathRole, s.path);
        item->setData(kNameRole, s.name);
        if (s.path == selected)
            m_list->setCurrentItem(item);
    }
    setCurrentPath(m_current);
    updateButtons();
    Q_EMIT refreshed();
}

QString CollectionsPanel::selectedPath() const
{
    const QListWidgetItem *item = m_list->currentItem();
    return item && item->isSelected() ? item->data(kPathRole).toString() : QString();
}

void CollectionsPanel::updateButtons()
{
    const bool any = !selectedPath().isEmpty();
    m_rename->setEnabled(any);
    m_delete->setEnabled(any);
}

} // namespace lookalike
