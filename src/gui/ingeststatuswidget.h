#pragma once

#include "ingest/ingestjob.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace lookalike {

// The ingest's place in the status bar: done/total, rate and time left, Cancel, and a button
// to the per-file errors once there are any.
class IngestStatusWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IngestStatusWidget)

public:
    explicit IngestStatusWidget(QWidget *parent = nullptr);

    void start(qint64 total);
    void setProgress(const IngestProgress &progress);
    void finish(const IngestResult &result);
    void fail(const QString &message);
    QString text() const;

    static QString formatDuration(double seconds);

Q_SIGNALS:
    void cancelRequested();
    void errorsRequested();

private:
    QLabel *m_label;
    QProgressBar *m_bar;
    QToolButton *m_cancel;
    QToolButton *m_errors;
};

} // namespace lookalike
