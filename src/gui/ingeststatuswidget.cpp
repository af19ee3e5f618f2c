#include "ingeststatuswidget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QToolButton>

namespace lookalike {

IngestStatusWidget::IngestStatusWidget(QWidget *parent)
    : QWidget(parent)
    , m_label(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
    , m_errors(new QToolButton(this))
{
    m_bar->setMaximumWidth(200);
    m_bar->setTextVisible(false);
    m_cancel->setIcon(QIcon(QStringLiteral(":/icons/cancel.svg")));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_cancel->setToolTip(tr("Stop adding; what was added so far is kept"));
    m_cancel->setObjectName(QStringLiteral("cancelIngest"));
    m_errors->setIcon(QIcon(QStringLiteral(":/icons/errors.svg")));
    m_errors->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_errors->setObjectName(QStringLiteral("ingestErrors"));
    m_errors->hide();
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        m_cancel->setEnabled(false);
        m_label->setText(tr("Stopping after the files in progress…"));
        Q_EMIT cancelRequested();
    });
    connect(m_errors, &QToolButton::clicked, this, &IngestStatusWidget::errorsRequested);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    layout->addWidget(m_errors);
    hide();
}

QString IngestStatusWidget::text() const
{
    return m_label->text();
}

QString IngestStatusWidget::formatDuration(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("–");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

void IngestStatusWidget::start(qint64 total)
{
    show();
    m_cancel->show();
    m_cancel->setEnabled(true);
    m_bar->show();
    m_errors->hide();
    m_bar->setRange(0, total > 0 ? 1000 : 0);
    m_bar->setValue(0);
    m_label->setText(total > 0 ? tr("Adding %1 files…").arg(QLocale().toString(total)) : tr("Looking for images…"));
}

void IngestStatusWidget::setProgress(const IngestProgress &p)
{
    const QLocale locale;
    if (p.total > 0) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(1000 * p.done / p.total));
    }
    QString text = tr("Adding %1 / %2 · %3 images/s · %4 left")
                       .arg(locale.toString(p.done), locale.toString(p.total))
                       .arg(p.rate, 0, 'f', 1)
                       .arg(formatDuration(p.etaSeconds));
    if (p.urlsFetched < p.urlsToFetch)
        text += QStringLiteral(" · ") + tr("Downloading %1 / %2 links").arg(locale.toString(p.urlsFetched), locale.toString(p.urlsToFetch));
    if (p.failed > 0)
        text += QStringLiteral(" · ") + tr("%n failed", nullptr, int(p.failed));
    m_label->setText(text);
}

void IngestStatusWidget::finish(const IngestResult &r)
{
    m_bar->hide();
    m_cancel->hide();
    const QLocale locale;
    QString text = r.cancelled ? tr("Stopped: %1 added, %2 updated, %3 unchanged")
                               : tr("Done: %1 added, %2 updated, %3 unchanged");
    text = text.arg(locale.toString(r.added), locale.toString(r.updated), locale.toString(r.unchanged + r.relinked));
    if (!r.missing.isEmpty())
        text += QStringLiteral(" · ") + tr("%n file(s) gone from disk", nullptr, int(r.missing.size()));
    m_label->setText(text);
    if (r.failed > 0) {
        m_errors->setText(tr("%n error(s)", nullptr, int(r.failed)));
        m_errors->show();
    }
}

void IngestStatusWidget::fail(const QString &message)
{
    show();
    m_bar->hide();
    m_cancel->hide();
    m_label->setText(tr("Adding failed: %1").arg(message));
}

} // namespace lookalike
