#include "detailspanel.h"

#include "imageviewer.h"
#include "scoretext.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace lookalike {

namespace {

QToolButton *zoomButton(const QString &icon, const QString &fallbackText, const QString &toolTip, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setIcon(QIcon(icon));
    // Without the icon resource the button would be blank; text keeps it usable.
    if (b->icon().isNull())
        b->setText(fallbackText);
    b->setToolTip(toolTip);
    b->setAutoRaise(true);
    return b;
}

QString scoreText(float score)
{
    return QLocale().toString(double(score), 'f', 3);
}

// The regex piece for one term: words of a phrase separated by any whitespace, the last word
// matched as a prefix and extended to the end of its word.
QString termPattern(const QString &term)
{
    QStringList words;
    const QStringList parts = term.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        // Quotes and other punctuation around words are query syntax, not text to find.
        qsizetype b = 0, e = part.size();
        while (b < e && !part.at(b).isLetterOrNumber())
            ++b;
        while (e > b && !part.at(e - 1).isLetterOrNumber())
            --e;
        if (e > b)
            words.append(QRegularExpression::escape(part.mid(b, e - b)));
    }
    if (words.isEmpty())
        return {};
    return words.join(QStringLiteral("\\s+"));
}

} // namespace

DetailsPanel::DetailsPanel(QWidget *parent)
    : QWidget(parent)
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_viewer(new ImageViewer(this))
    , m_zoomLabel(new QLabel(this))
    , m_nameLabel(new QLabel(this))
    , m_pathEdit(new QLineEdit(this))
    , m_factsLabel(new QLabel(this))
    , m_scoreLabel(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_report(new QTextBrowser(this))
    , m_metadata(new QTableWidget(0, 2, this))
{
    // --- preview with its zoom controls
    auto *preview = new QWidget(m_splitter);
    auto *previewLayout = new QVBoxLayout(preview);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    previewLayout->setSpacing(2);
    m_viewer->setObjectName(QStringLiteral("previewViewer"));
    m_viewer->setMinimumHeight(120);
    previewLayout->addWidget(m_viewer, 1);
    auto *zoomRow = new QHBoxLayout;
    auto *fit = zoomButton(QStringLiteral(":/icons/zoom-fit.svg"), tr("Fit"), tr("Fit to window"), preview);
    auto *original = zoomButton(QStringLiteral(":/icons/zoom-original.svg"), tr("1:1"), tr("Original size"), preview);
    auto *zoomIn = zoomButton(QStringLiteral(":/icons/zoom-in.svg"), tr("+"), tr("Zoom in"), preview);
    auto *zoomOut = zoomButton(QStringLiteral(":/icons/zoom-out.svg"), tr("−"), tr("Zoom out"), preview);
    fit->setObjectName(QStringLiteral("zoomFitButton"));
    original->setObjectName(QStringLiteral("zoomOriginalButton"));
    zoomIn->setObjectName(QStringLiteral("zoomInButton"));
    zoomOut->setObjectName(QStringLiteral("zoomOutButton"));
    connect(fit, &QToolButton::clicked, m_viewer, &ImageViewer::setFitToWindow);
    connect(original, &QToolButton::clicked, m_viewer, &ImageViewer::zoomToOriginal);
    connect(zoomIn, &QToolButton::clicked, m_viewer, &ImageViewer::zoomIn);
    connect(zoomOut, &QToolButton::clicked, m_viewer, &ImageViewer::zoomOut);
    connect(m_viewer, &ImageViewer::zoomChanged, this, &DetailsPanel::updateZoomLabel);
    zoomRow->addWidget(fit);
    zoomRow->addWidget(original);
    zoomRow->addWidget(zoomIn);
    zoomRow->addWidget(zoomOut);
    zoomRow->addStretch(1);
    zoomRow->addWidget(m_zoomLabel);
    previewLayout->addLayout(zoomRow);

    // --- facts, scores, actions, report and metadata
    auto *info = new QWidget(m_splitter);
    auto *infoLayout = new QVBoxLayout(info);
    infoLayout->setContentsMargins(0, 0, 0, 0);
    m_nameLabel->setObjectName(QStringLiteral("nameLabel"));
    QFont bold = m_nameLabel->font();
    bold.setBold(true);
    m_nameLabel->setFont(bold);
    // Long file names must not force the panel wider than a narrow dock; the tooltip has it all.
    m_nameLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_nameLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pathEdit->setObjectName(QStringLiteral("pathEdit"));
    m_pathEdit->setReadOnly(true);
    m_pathEdit->setFrame(false);
    m_factsLabel->setObjectName(QStringLiteral("factsLabel"));
    m_factsLabel->setWordWrap(true);
    m_scoreLabel->setObjectName(QStringLiteral("scoreLabel"));
    m_scoreLabel->setWordWrap(true);
    m_scoreLabel->setTextFormat(Qt::PlainText);
    infoLayout->addWidget(m_nameLabel);
    infoLayout->addWidget(m_pathEdit);
    infoLayout->addWidget(m_factsLabel);
    infoLayout->addWidget(m_scoreLabel);

    // Two rows of three so that the buttons fit a 320 px wide panel.
    auto *actions = new QGridLayout;
    auto addAction = [&](const char *objectName, const QString &text, const QString &toolTip, int row, int column,
                         auto &&onClick) {
        auto *b = new QPushButton(text, info);
        b->setObjectName(QString::fromLatin1(objectName));
        b->setToolTip(toolTip);
        b->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        connect(b, &QPushButton::clicked, this, [this, onClick] {
            if (m_id >= 0)
                onClick(m_id);
        });
        actions->addWidget(b, row, column);
        m_actions.append(b);
    };
    addAction("findSimilarButton", tr("Find similar"), tr("Search for images that look like this one"), 0, 0,
              [this](qint64 id) { Q_EMIT findSimilarRequested(id); });
    addAction("addToQueryButton", tr("Add to query"), tr("Use this image as a further example in the query"), 0, 1,
              [this](qint64 id) { Q_EMIT addToQueryRequested(id, false); });
    addAction("excludeButton", tr("Exclude"), tr("Add this image to the query as a negative example"), 0, 2,
              [this](qint64 id) { Q_EMIT addToQueryRequested(id, true); });
    addAction("openButton", tr("Open"), tr("Open the file in the default application"), 1, 0,
              [this](qint64 id) { Q_EMIT openRequested(id); });
    addAction("showInFolderButton", tr("Show in folder"), tr("Show the file in the file manager"), 1, 1,
              [this](qint64 id) { Q_EMIT showInFolderRequested(id); });
    addAction("removeButton", tr("Remove…"), tr("Remove this item from the collection (the file stays on disk)"), 1, 2,
              [this](qint64 id) { Q_EMIT removeRequested(id); });
    infoLayout->addLayout(actions);

    m_report->setObjectName(QStringLiteral("reportBrowser"));
    m_report->setReadOnly(true);
    m_report->setOpenLinks(false);
    m_metadata->setObjectName(QStringLiteral("metadataTable"));
    m_metadata->setHorizontalHeaderLabels({tr("Field"), tr("Value")});
    m_metadata->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_metadata->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_metadata->verticalHeader()->hide();
    m_metadata->horizontalHeader()->setStretchLastSection(true);
    m_metadata->setWordWrap(true);
    m_tabs->setObjectName(QStringLiteral("detailsTabs"));
    m_tabs->addTab(m_report, tr("Report"));
    m_tabs->addTab(m_metadata, tr("Metadata"));
    infoLayout->addWidget(m_tabs, 1);

    m_splitter->addWidget(preview);
    m_splitter->addWidget(info);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
    setMinimumWidth(240);

    clear();
}

DetailsPanel::~DetailsPanel() = default;

void DetailsPanel::showItem(const ItemDetails &d)
{
    if (d.item.id != m_id)
        m_viewer->clear();
    m_id = d.item.id;
    const ItemRecord &item = d.item;
    const QString name = item.filename.isEmpty() ? QFileInfo(item.uri).fileName() : item.filename;
    m_nameLabel->setText(name);
    m_nameLabel->setToolTip(name);
    m_pathEdit->setText(item.uri);
    m_pathEdit->setCursorPosition(0);
    m_pathEdit->setToolTip(item.uri);

    const QLocale locale;
    const QString format = item.format.isEmpty() ? tr("unknown format") : item.format.toUpper();
    const QString size = locale.formattedDataSize(item.size);
    if (item.width > 0 && item.height > 0)
        m_factsLabel->setText(tr("%1 × %2 pixels, %3, %4").arg(item.width).arg(item.height).arg(format, size));
    else
        m_factsLabel->setText(tr("%1, %2").arg(format, size));

    if (d.hit) {
        const SearchHit &h = *d.hit;
        QString text = tr("Score %1 (image %2, text %3)")
                           .arg(scoreText(h.score), scoreText(h.imageScore),
                                h.matchedText || h.textImageScore ? scoreText(h.textScore) : tr("no match"));
        if (const QString parts = ScoreText::textParts(h); !parts.isEmpty())
            text += u'\n' + tr("Text: %1").arg(parts);
        if (!d.fusion.isEmpty())
            text += u'\n' + d.fusion;
        m_scoreLabel->setText(text);
    } else {
        m_scoreLabel->setText(tr("Not from a search"));
    }

    if (d.report.isEmpty())
        m_report->setHtml(QStringLiteral("<i>%1</i>").arg(tr("No report").toHtmlEscaped()));
    else
        m_report->setHtml(highlightedHtml(d.report, d.highlightTerms));

    m_metadata->clearContents();
    m_metadata->setRowCount(int(d.metadata.size()));
    int row = 0;
    for (auto it = d.metadata.cbegin(); it != d.metadata.cend(); ++it, ++row) {
        auto *key = new QTableWidgetItem(it.key());
        auto *value = new QTableWidgetItem(it.value());
        value->setToolTip(it.value());
        m_metadata->setItem(row, 0, key);
        m_metadata->setItem(row, 1, value);
    }
    m_metadata->resizeColumnToContents(0);
    setActionsEnabled(m_id >= 0);
}

void DetailsPanel::setPreview(const QImage &image)
{
    m_viewer->setImage(image);
}

void DetailsPanel::clear()
{
    m_id = -1;
    m_viewer->clear();
    m_nameLabel->setText(tr("No item selected"));
    m_nameLabel->setToolTip({});
    m_pathEdit->clear();
    m_factsLabel->clear();
    m_scoreLabel->clear();
    m_report->clear();
    m_metadata->clearContents();
    m_metadata->setRowCount(0);
    setActionsEnabled(false);
    updateZoomLabel(m_viewer->zoomFactor());
}

void DetailsPanel::setActionsEnabled(bool enabled)
{
    for (QPushButton *b : std::as_const(m_actions))
        b->setEnabled(enabled);
}

void DetailsPanel::updateZoomLabel(double factor)
{
    m_zoomLabel->setText(tr("%1%").arg(qRound(factor * 100)));
}

QString DetailsPanel::highlightedHtml(const QString &text, const QStringList &terms)
{
    QStringList patterns;
    for (const QString &term : terms) {
        const QString p = termPattern(term);
        if (!p.isEmpty())
            patterns.append(p);
    }
    // Longer alternatives first, so that a phrase wins over its own first word.
    std::sort(patterns.begin(), patterns.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
    patterns.removeDuplicates();

    QString html;
    html.reserve(text.size() + text.size() / 8);
    auto appendPlain = [&html](QStringView part) {
        html += part.toString().toHtmlEscaped().replace(u'\n', QStringLiteral("<br/>"));
    };
    qsizetype pos = 0;
    if (!patterns.isEmpty()) {
        const QRegularExpression re(QStringLiteral("\\b(?:%1)\\w*").arg(patterns.join(u'|')),
                                    QRegularExpression::CaseInsensitiveOption |
                                        QRegularExpression::UseUnicodePropertiesOption);
        auto it = re.globalMatch(text);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            if (m.capturedLength() == 0)
                continue;
            appendPlain(QStringView(text).mid(pos, m.capturedStart() - pos));
            html += QStringLiteral("<span style=\"background-color:#ffe066; color:#000000; font-weight:bold\">");
            appendPlain(m.capturedView());
            html += QStringLiteral("</span>");
            pos = m.capturedEnd();
        }
    }
    appendPlain(QStringView(text).mid(pos));
    return html;
}

} // namespace lookalike
