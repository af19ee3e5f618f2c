#include "querybar.h"

#include "dropparser.h"
#include "thumbnailcache.h"
#include "media/imagedecoder.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace lookalike {

namespace {
constexpr int kChipSide = 48;
}

Result<QList<std::pair<QString, QString>>> parseFilters(const QString &text)
{
    QList<std::pair<QString, QString>> out;
    const QStringList parts = text.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const QString p = part.trimmed();
        if (p.isEmpty())
            continue;
        const qsizetype eq = p.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return Error(QueryBar::tr("A filter must look like key=value: \"%1\"").arg(p), Error::Code::InvalidArgument);
        out.append({p.left(eq).trimmed(), p.mid(eq + 1).trimmed()});
    }
    return out;
}

QueryBar::QueryBar(ThumbnailCache *thumbnails, QWidget *parent)
    : QFrame(parent)
    , m_thumbnails(thumbnails)
{
    setAcceptDrops(true);
    setFrameShape(QFrame::StyledPanel);

    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("queryText"));
    m_text->setClearButtonEnabled(true);
    m_text->setPlaceholderText(tr("Words to find in the reports"));
    connect(m_text, &QLineEdit::returnPressed, this, &QueryBar::searchRequested);

    auto *searchButton = new QPushButton(QIcon(QStringLiteral(":/icons/search.svg")), tr("Search"), this);
    searchButton->setObjectName(QStringLiteral("searchButton"));
    searchButton->setToolTip(tr("Search (Ctrl+Enter)"));
    connect(searchButton, &QPushButton::clicked, this, &QueryBar::searchRequested);
    auto *clearButton = new QPushButton(tr("Clear"), this);
    clearButton->setToolTip(tr("Clear the query and browse the whole collection"));
    connect(clearButton, &QPushButton::clicked, this, [this] {
        clearAll();
        Q_EMIT searchRequested();
    });

    // Example images as chips in a strip that scrolls sideways when there are many.
    m_chipArea = new QWidget(this);
    m_chipLayout = new QHBoxLayout(m_chipArea);
    m_chipLayout->setContentsMargins(0, 0, 0, 0);
    m_chipLayout->setSpacing(4);
    m_dropHint = new QLabel(tr("Drop, paste or browse example images here"), m_chipArea);
    m_dropHint->setEnabled(false);
    m_chipLayout->addWidget(m_dropHint);
    m_chipLayout->addStretch();
    auto *chipScroll = new QScrollArea(this);
    chipScroll->setWidget(m_chipArea);
    chipScroll->setWidgetResizable(true);
    chipScroll->setFrameShape(QFrame::NoFrame);
    chipScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    chipScroll->setFixedHeight(kChipSide + 16);
    auto *browseButton = new QToolButton(this);
    browseButton->setIcon(QIcon(QStringLiteral(":/icons/image-query.svg")));
    browseButton->setText(tr("Image…"));
    browseButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    browseButton->setToolTip(tr("Choose an example image"));
    connect(browseButton, &QToolButton::clicked, this, &QueryBar::browseImageRequested);

    m_alpha = new QSlider(Qt::Horizontal, this);
    m_alpha->setObjectName(QStringLiteral("alphaSlider"));
    m_alpha->setRange(0, 100);
    m_alpha->setValue(50);
    m_alpha->setMaximumWidth(160);
    m_alpha->setToolTip(tr("How much the image part counts against the text part when a query has both"));
    m_alphaLabel = new QLabel(this);
    auto updateAlphaLabel = [this] {
        m_alphaLabel->setText(tr("Image %1% · Text %2%").arg(m_alpha->value()).arg(100 - m_alpha->value()));
    };
    updateAlphaLabel();
    connect(m_alpha, &QSlider::valueChanged, this, updateAlphaLabel);

    m_k = new QSpinBox(this);
    m_k->setObjectName(QStringLiteral("kSpin"));
    m_k->setRange(1, 10000);
    m_k->setValue(50);
    m_k->setPrefix(tr("Top "));
    m_k->setToolTip(tr("Number of results"));

    m_useThreshold = new QCheckBox(tr("Min. score"), this);
    m_threshold = new QDoubleSpinBox(this);
    m_threshold->setRange(-1.0, 1.0);
    m_threshold->setDecimals(3);
    m_threshold->setSingleStep(0.01);
    m_threshold->setValue(0.5);
    m_threshold->setEnabled(false);
    connect(m_useThreshold, &QCheckBox::toggled, m_threshold, &QWidget::setEnabled);

    m_filters = new QLineEdit(this);
    m_filters->setObjectName(QStringLiteral("filters"));
    m_filters->setPlaceholderText(tr("Filters: key=value; key=value"));
    m_filters->setClearButtonEnabled(true);
    connect(m_filters, &QLineEdit::returnPressed, this, &QueryBar::searchRequested);

    auto *top = new QHBoxLayout;
    top->addWidget(m_text, 1);
    top->addWidget(searchButton);
    top->addWidget(clearButton);
    auto *middle = new QHBoxLayout;
    middle->addWidget(browseButton);
    middle->addWidget(chipScroll, 1);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_alpha);
    bottom->addWidget(m_alphaLabel);
    bottom->addSpacing(12);
    bottom->addWidget(m_k);
    bottom->addWidget(m_useThreshold);
    bottom->addWidget(m_threshold);
    bottom->addWidget(m_filters, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addLayout(middle);
    layout->addLayout(bottom);

    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, [this](qint64 id) {
        for (const QueryExample &e : std::as_const(m_examples)) {
            if (e.itemId == id) {
                rebuildChips();
                return;
            }
        }
    });
}

SearchQuery QueryBar::query() const
{
    SearchQuery q;
    q.text = m_text->text().trimmed();
    for (const QueryExample &e : m_examples) {
        if (e.itemId >= 0)
            (e.negative ? q.negativeIds : q.itemIds).push_back(e.itemId);
        else if (!e.file.isEmpty())
            (e.negative ? q.negativeImageFiles : q.imageFiles) << e.file;
        else if (!e.image.isNull())
            (e.negative ? q.negativeImages : q.images) << e.image;
    }
    q.alpha = m_alpha->value() / 100.0;
    q.k = m_k->value();
    if (m_useThreshold->isChecked())
        q.threshold = m_threshold->value();
    if (auto filters = parseFilters(m_filters->text()))
        q.filters = *filters;
    return q;
}

bool QueryBar::isEmpty() const
{
    return m_text->text().trimmed().isEmpty() && m_examples.isEmpty() && m_filters->text().trimmed().isEmpty();
}

QString QueryBar::filterError() const
{
    return parseFilters(m_filters->text()).errorMessage();
}

void QueryBar::addExample(const QueryExample &example)
{
    if (example.itemId >= 0) {
        for (QueryExample &e : m_examples) {
            if (e.itemId == example.itemId) { // adding again only changes its sign
                e.negative = example.negative;
                rebuildChips();
                Q_EMIT examplesChanged();
                return;
            }
        }
    }
    m_examples << example;
    m_examples.last().serial = m_nextSerial++;
    rebuildChips();
    Q_EMIT examplesChanged();
}

void QueryBar::addItem(qint64 id, const QString &label, bool negative)
{
    addExample(QueryExample::ofItem(id, label, negative));
}

void QueryBar::addImageFile(const QString &path, bool negative)
{
    addExample(QueryExample::ofFile(path, QFileInfo(path).fileName(), negative));
    const quint64 serial = m_examples.last().serial;
    auto *watcher = new QFutureWatcher<Result<DecodedImage>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, serial, path] {
        watcher->deleteLater();
        const Result<DecodedImage> decoded = watcher->result();
        for (int i = 0; i < m_examples.size(); ++i) {
            if (m_examples[i].serial != serial)
                continue;
            if (decoded) {
                m_examples[i].image = decoded->image;
                rebuildChips();
            } else {
                removeExample(i);
                Q_EMIT exampleFailed(path, decoded.errorMessage());
            }
            return;
        }
    });
    // Decoding is the same as the search's own (size caps, SVG safety), at chip size.
    watcher->setFuture(QtConcurrent::run([path] {
        DecodeOptions options;
        options.maxSide = 2 * kChipSide;
        return ImageDecoder::decodeFile(path, options);
    }));
}

void QueryBar::clearExamples()
{
    m_examples.clear();
    rebuildChips();
    Q_EMIT examplesChanged();
}

void QueryBar::clearAll()
{
    m_text->clear();
    m_filters->clear();
    clearExamples();
}

void QueryBar::setExampleNegative(int index, bool negative)
{
    if (index < 0 || index >= m_examples.size())
        return;
    m_examples[index].negative = negative;
    rebuildChips();
    Q_EMIT examplesChanged();
}

void QueryBar::removeExample(int index)
{
    if (index < 0 || index >= m_examples.size())
        return;
    m_examples.removeAt(index);
    rebuildChips();
    Q_EMIT examplesChanged();
}

void QueryBar::setText(const QString &text) { m_text->setText(text); }
QString QueryBar::text() const { return m_text->text(); }
void QueryBar::setAlpha(double alpha) { m_alpha->setValue(int(std::lround(std::clamp(alpha, 0.0, 1.0) * 100))); }
double QueryBar::alpha() const { return m_alpha->value() / 100.0; }
void QueryBar::setK(int k) { m_k->setValue(k); }
int QueryBar::k() const { return m_k->value(); }
void QueryBar::setTextHint(const QString &placeholder) { m_text->setPlaceholderText(placeholder); }

void QueryBar::focusText()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void QueryBar::rebuildChips()
{
    while (m_chipLayout->count() > 0) {
        QLayoutItem *item = m_chipLayout->takeAt(0);
        if (item->widget() && item->widget() != m_dropHint)
            item->widget()->deleteLater();
        delete item;
    }
    m_dropHint->setVisible(m_examples.isEmpty());
    m_chipLayout->addWidget(m_dropHint);
    for (int i = 0; i < m_examples.size(); ++i)
        m_chipLayout->addWidget(makeChip(i));
    m_chipLayout->addStretch();
}

QWidget *QueryBar::makeChip(int index)
{
    const QueryExample &e = m_examples[index];
    auto *chip = new QFrame(m_chipArea);
    chip->setObjectName(QStringLiteral("queryChip"));
    chip->setFrameShape(QFrame::StyledPanel);
    // Negative examples are framed in red so the query reads at a glance.
    chip->setStyleSheet(e.negative ? QStringLiteral("QFrame#queryChip { border: 2px solid #d93025; border-radius: 4px; }")
                                   : QStringLiteral("QFrame#queryChip { border: 2px solid #1a73e8; border-radius: 4px; }"));
    auto *layout = new QHBoxLayout(chip);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);

    auto *picture = new QLabel(chip);
    picture->setFixedSize(kChipSide, kChipSide);
    picture->setAlignment(Qt::AlignCenter);
    QPixmap pixmap;
    if (e.itemId >= 0)
        pixmap = m_thumbnails->thumbnail(e.itemId);
    else if (!e.image.isNull())
        pixmap = QPixmap::fromImage(e.image.scaled(kChipSide, kChipSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    if (!pixmap.isNull())
        picture->setPixmap(pixmap.scaled(kChipSide, kChipSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    else
        picture->setText(QStringLiteral("…"));
    picture->setToolTip(e.label);
    layout->addWidget(picture);

    auto *buttons = new QVBoxLayout;
    buttons->setSpacing(0);
    auto *sign = new QToolButton(chip);
    sign->setObjectName(QStringLiteral("chipSign"));
    sign->setText(e.negative ? QStringLiteral("−") : QStringLiteral("+"));
    sign->setToolTip(e.negative ? tr("Negative example: results should not look like this. Click to make it positive.")
                                : tr("Positive example: results should look like this. Click to make it negative."));
    sign->setAutoRaise(true);
    connect(sign, &QToolButton::clicked, this, [this, index] { setExampleNegative(index, !m_examples[index].negative); });
    auto *remove = new QToolButton(chip);
    remove->setObjectName(QStringLiteral("chipRemove"));
    remove->setText(QStringLiteral("×"));
    remove->setToolTip(tr("Remove this example"));
    remove->setAutoRaise(true);
    connect(remove, &QToolButton::clicked, this, [this, index] { removeExample(index); });
    buttons->addWidget(sign);
    buttons->addWidget(remove);
    layout->addLayout(buttons);
    return chip;
}

void QueryBar::dragEnterEvent(QDragEnterEvent *event)
{
    if (DropParser::canUse(event->mimeData()))
        event->acceptProposedAction();
}

void QueryBar::dropEvent(QDropEvent *event)
{
    const DropContents drop = DropParser::parse(event->mimeData());
    for (qint64 id : drop.itemIds)
        addItem(id, tr("Item %1").arg(id));
    for (const QString &path : drop.localPaths) {
        if (QFileInfo(path).isFile())
            addImageFile(path);
    }
    for (const QImage &image : drop.images)
        addExample(QueryExample::ofImage(image, tr("Dropped image")));
    event->acceptProposedAction();
    if (!drop.isEmpty())
        Q_EMIT searchRequested();
}

} // namespace lookalike
