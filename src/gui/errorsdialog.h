#pragma once

#include "collection/collection.h"

#include <QDialog>
#include <QList>

class QLabel;
class QTableWidget;

namespace lookalike {

// The files an ingest could not add, with the stage that failed and why. Everything can be
// copied as tab-separated text (for a bug report or a spreadsheet).
class ErrorsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ErrorsDialog)

public:
    explicit ErrorsDialog(const QList<IngestErrorRecord> &errors, QWidget *parent = nullptr);
    ~ErrorsDialog() override;

    void setErrors(const QList<IngestErrorRecord> &errors);
    QList<IngestErrorRecord> errors() const { return m_errors; }

    // A header line, then one line per error: file, stage, message, tab-separated.
    QString allText() const;
    // The same for the selected rows (in table order).
    QString selectedText() const;

    // The stage ("read", "decode", …) in words for the table.
    static QString stageText(const QString &stage);

public Q_SLOTS:
    void copyAll();
    void copySelected();

private:
    QString headerLine() const;
    QString rowLine(int row) const;

    QList<IngestErrorRecord> m_errors;
    QLabel *m_summary;
    QTableWidget *m_table;
};

} // namespace lookalike
