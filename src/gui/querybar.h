#pragma once

#include "search/query.h"

#include <QFrame>
#include <QImage>
#include <QList>

class QCheckBox;
class QDoubleSpinBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;
class QToolButton;

namespace lookalike {

class ThumbnailCache;

// One example image of the query: an item of the collection or an image from outside
// (dropped, pasted, browsed). Negative examples push results away from what they look like.
struct QueryExample
{
    qint64 itemId = -1; // >= 0: an item of the collection
    QString file;       // else a file on disk (decoded again by the search), or
    QImage image;       // pixels pasted or dropped from another application; for files, a preview
    QString label;
    bool negative = false;
    quint64 serial = 0; // set by QueryBar

    static QueryExample ofItem(qint64 id, const QString &label, bool negative = false)
    {
        QueryExample e;
        e.itemId = id;
        e.label = label;
        e.negative = negative;
        return e;
    }
    static QueryExample ofFile(const QString &path, const QString &label, bool negative = false)
    {
        QueryExample e = ofItem(-1, label, negative);
        e.file = path;
        return e;
    }
    static QueryExample ofImage(const QImage &image, const QString &label, bool negative = false)
    {
        QueryExample e = ofItem(-1, label, negative);
        e.image = image;
        return e;
    }
};

// The query: words, example images as removable chips (click the sign to flip positive ↔
// negative), the image↔text balance, k, a score threshold and metadata filters. Accepts
// images dropped onto it (files, image data, items dragged from the grid).
class QueryBar final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QueryBar)

public:
    QueryBar(ThumbnailCache *thumbnails, QWidget *parent = nullptr);

    // The query as the user set it up; filters that do not parse are reported by filterError().
    SearchQuery query() const;
    bool isEmpty() const;
    QString filterError() const;

    void addExample(const QueryExample &example);
    void addItem(qint64 id, const QString &label, bool negative = false);
    // Decodes a preview on a worker thread; a file that is not a usable image is dropped
    // again with exampleFailed().
    void addImageFile(const QString &path, bool negative = false);
    void clearExamples();
    void clearAll();
    const QList<QueryExample> &examples() const { return m_examples; }
    void setExampleNegative(int index, bool negative);
    void removeExample(int index);

    void setText(const QString &text);
    QString text() const;
    void setAlpha(double alpha);
    double alpha() const;
    void setK(int k);
    int k() const;
    void focusText();
    // Text search needs reports or a model with a text tower; says so in the placeholder.
    void setTextHint(const QString &placeholder);

Q_SIGNALS:
    void searchRequested();
    void examplesChanged();
    void browseImageRequested();
    void exampleFailed(const QString &file, const QString &message);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void rebuildChips();
    QWidget *makeChip(int index);

    ThumbnailCache *m_thumbnails;
    QList<QueryExample> m_examples;
    quint64 m_nextSerial = 1;
    QLineEdit *m_text;
    QWidget *m_chipArea;
    QHBoxLayout *m_chipLayout;
    QLabel *m_dropHint;
    QSlider *m_alpha;
    QLabel *m_alphaLabel;
    QSpinBox *m_k;
    QCheckBox *m_useThreshold;
    QDoubleSpinBox *m_threshold;
    QLineEdit *m_filters;
};

// Parses "key=value; other=value" into pairs; an entry without '=' is an error.
Result<QList<std::pair<QString, QString>>> parseFilters(const QString &text);

} // namespace lookalike
