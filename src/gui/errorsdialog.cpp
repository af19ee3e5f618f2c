#include "errorsdialog.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace lookalike {

namespace {

enum Column { FileColumn, StageColumn, MessageColumn, ColumnCount };

// A tab or line break inside a field would break the tab-separated layout.
QString tsvField(QString s)
{
    s.replace(u'\t', u' ');
    s.replace(u'\r', u' ');
    s.replace(u'\n', u' ');
    return s;
}

} // namespace

ErrorsDialog::ErrorsDialog(const QList<IngestErrorRecord> &errors, QWidget *parent)
    : QDialog(parent)
    , m_summary(new QLabel(this))
    , m_table(new QTableWidget(0, ColumnCount, this))
{
    setWindowTitle(tr("Files not added"));
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setWordWrap(true);

    m_table->setObjectName(QStringLiteral("errorsTable"));
    m_table->setHorizontalHeaderLabels({tr("File"), tr("Stage"), tr("Message")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setTextElideMode(Qt::ElideMiddle); // the end of a path is what tells files apart
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSortingEnabled(false);

    // Ctrl+C on the table copies whole selected rows, not just the current cell.
    auto *copy = new QAction(tr("Copy"), m_table);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, &ErrorsDialog::copySelected);
    m_table->addAction(copy);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *copyAllButton = buttons->addButton(tr("Copy all"), QDialogButtonBox::ActionRole);
    copyAllButton->setObjectName(QStringLiteral("copyAllButton"));
    copyAllButton->setAutoDefault(false);
    connect(copyAllButton, &QPushButton::clicked, this, &ErrorsDialog::copyAll);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    resize(760, 420);

    setErrors(errors);
}

ErrorsDialog::~ErrorsDialog() = default;

QString ErrorsDialog::stageText(const QString &stage)
{
    if (stage == QLatin1String("read"))
        return tr("Reading");
    if (stage == QLatin1String("decode"))
        return tr("Decoding");
    if (stage == QLatin1String("embed"))
        return tr("Embedding");
    if (stage == QLatin1String("write"))
        return tr("Writing");
    if (stage == QLatin1String("discover"))
        return tr("Finding files");
    return stage;
}

void ErrorsDialog::setErrors(const QList<IngestErrorRecord> &errors)
{
    m_errors = errors;
    m_summary->setText(tr("%n file(s) could not be added", nullptr, int(errors.size())));
    m_table->clearContents();
    m_table->setRowCount(int(errors.size()));
    for (int row = 0; row < errors.size(); ++row) {
        const IngestErrorRecord &e = errors.at(row);
        auto *file = new QTableWidgetItem(e.uri);
        file->setToolTip(e.uri);
        auto *message = new QTableWidgetItem(e.message);
        message->setToolTip(e.message);
        m_table->setItem(row, FileColumn, file);
        m_table->setItem(row, StageColumn, new QTableWidgetItem(stageText(e.stage)));
        m_table->setItem(row, MessageColumn, message);
    }
    m_table->resizeColumnToContents(StageColumn);
    m_table->resizeColumnToContents(FileColumn);
    m_table->setColumnWidth(FileColumn, std::min(m_table->columnWidth(FileColumn), 380));
}

QString ErrorsDialog::headerLine() const
{
    return tr("File") + u'\t' + tr("Stage") + u'\t' + tr("Message");
}

QString ErrorsDialog::rowLine(int row) const
{
    const IngestErrorRecord &e = m_errors.at(row);
    return tsvField(e.uri) + u'\t' + tsvField(stageText(e.stage)) + u'\t' + tsvField(e.message);
}

QString ErrorsDialog::allText() const
{
    QStringList lines{headerLine()};
    for (int row = 0; row < m_errors.size(); ++row)
        lines.append(rowLine(row));
    return lines.join(u'\n') + u'\n';
}

QString ErrorsDialog::selectedText() const
{
    QList<int> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &index : selected)
        rows.append(index.row());
    if (rows.isEmpty())
        return {};
    std::sort(rows.begin(), rows.end());
    QStringList lines{headerLine()};
    for (int row : std::as_const(rows))
        lines.append(rowLine(row));
    return lines.join(u'\n') + u'\n';
}

void ErrorsDialog::copyAll()
{
    QApplication::clipboard()->setText(allText());
}

void ErrorsDialog::copySelected()
{
    const QString text = selectedText();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

} // namespace lookalike
