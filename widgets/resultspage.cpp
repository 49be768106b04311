#include "resultspage.h"

#include "resultsmodel.h"

#include <QButtonGroup>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QPainter>
#include <QSettings>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace qd {

namespace {

constexpr int kCellWidth = 160;
constexpr int kCellHeight = 178;
constexpr int kRefreshMs = 2000;

// A gallery cell: the thumbnail centred in a square, its size and user beneath. Every
// cell is the same size, so the view lays out thousands without asking for their data.
class GalleryDelegate final : public QStyledItemDelegate {
public:
    explicit GalleryDelegate(QObject *parent = nullptr)
        : QStyledItemDelegate(parent)
    {
    }

    QSize sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const override
    {
        return { m_width, kCellHeight };
    }

    // Cells share out the row's width, so the gallery fills it with no ragged gap.
    void setCellWidth(int width) { m_width = width; }

    void paint(QPainter *p, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        p->save();
        const QRect cell = option.rect.adjusted(4, 4, -4, -4);
        const QPalette &pal = option.palette;
        const bool selected = option.state & QStyle::State_Selected;
        p->setRenderHint(QPainter::Antialiasing);
        p->setPen(selected ? pal.color(QPalette::Highlight) : pal.color(QPalette::Midlight));
        p->setBrush(selected ? pal.color(QPalette::Highlight).lighter(170) : pal.color(QPalette::Base));
        p->drawRoundedRect(QRectF(cell).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);

        const int side = ResultsModel::kThumbnailSize;
        const QRect square(cell.left() + (cell.width() - side) / 2, cell.top() + 6, side, side);
        const auto thumb = qvariant_cast<QImage>(index.data(Qt::DecorationRole));
        if (!thumb.isNull()) {
            const QSize size = thumb.size().scaled(square.size(), Qt::KeepAspectRatio);
            const QRect target(square.left() + (side - size.width()) / 2,
                square.top() + (side - size.height()) / 2, size.width(), size.height());
            p->drawImage(target, thumb);
        } else {
            p->fillRect(square, pal.color(QPalette::AlternateBase));
        }
        p->setPen(pal.color(QPalette::Text));
        const QRect text(
            cell.left() + 4, square.bottom() + 4, cell.width() - 8, cell.bottom() - square.bottom() - 6);
        const QString caption = index.data(ResultsModel::CaptionRole).toString();
        const QString first = caption.section(QLatin1Char('\n'), 0, 0);
        const QString second = caption.section(QLatin1Char('\n'), 1);
        const QFontMetrics fm(option.font);
        p->drawText(
            text, Qt::AlignHCenter | Qt::AlignTop, fm.elidedText(first, Qt::ElideRight, text.width()));
        p->setPen(pal.color(QPalette::PlaceholderText));
        p->drawText(
            text, Qt::AlignHCenter | Qt::AlignBottom, fm.elidedText(second, Qt::ElideRight, text.width()));
        p->restore();
    }

private:
    int m_width = kCellWidth;
};

// The table's thumbnails fit its rows: an image's own size would be its icon's otherwise.
class FittedIconDelegate final : public QStyledItemDelegate {
public:
    explicit FittedIconDelegate(QSize size, QObject *parent = nullptr)
        : QStyledItemDelegate(parent)
        , m_size(size)
    {
    }

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (option->features & QStyleOptionViewItem::HasDecoration)
            option->decorationSize = option->decorationSize.scaled(m_size, Qt::KeepAspectRatio);
    }

private:
    QSize m_size;
};

} // namespace

ResultsPage::ResultsPage(Runtime *runtime, QWidget *parent)
    : QWidget(parent)
    , m_model(new ResultsModel(runtime, this))
    , m_user(new QLineEdit(this))
    , m_text(new QLineEdit(this))
    , m_galleryButton(new QToolButton(this))
    , m_tableButton(new QToolButton(this))
    , m_count(new QLabel(this))
    , m_stack(new QStackedWidget(this))
    , m_gallery(new QListView(this))
    , m_table(new QTableView(this))
    , m_refresh(new QTimer(this))
    , m_filterDelay(new QTimer(this))
{
    setObjectName(QStringLiteral("resultsPage"));
    m_user->setObjectName(QStringLiteral("resultsUser"));
    m_user->setPlaceholderText(tr("User"));
    m_user->setClearButtonEnabled(true);
    m_user->setMaximumWidth(180);
    m_text->setObjectName(QStringLiteral("resultsSearch"));
    m_text->setPlaceholderText(tr("Search URL, message id, hash, format…"));
    m_text->setClearButtonEnabled(true);
    m_galleryButton->setObjectName(QStringLiteral("showGallery"));
    m_galleryButton->setText(tr("Gallery"));
    m_tableButton->setObjectName(QStringLiteral("showTable"));
    m_tableButton->setText(tr("Table"));
    for (QToolButton *b : { m_galleryButton, m_tableButton }) {
        b->setCheckable(true);
        b->setAutoRaise(true);
    }
    auto *group = new QButtonGroup(this);
    group->addButton(m_galleryButton);
    group->addButton(m_tableButton);
    m_count->setObjectName(QStringLiteral("resultsCount"));

    m_gallery->setObjectName(QStringLiteral("resultsGallery"));
    m_gallery->setModel(m_model);
    m_gallery->setViewMode(QListView::IconMode);
    m_gallery->setUniformItemSizes(true);
    m_gallery->setResizeMode(QListView::Adjust);
    m_gallery->setMovement(QListView::Static);
    m_gallery->setLayoutMode(QListView::Batched);
    m_gallery->setBatchSize(500);
    m_gallery->setSpacing(0);
    m_gallery->viewport()->installEventFilter(this);
    m_gallery->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_gallery->setItemDelegate(new GalleryDelegate(m_gallery));
    m_gallery->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);

    m_table->setObjectName(QStringLiteral("resultsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setIconSize(QSize(48, 32));
    m_table->setItemDelegateForColumn(
        ResultsModel::Image, new FittedIconDelegate(m_table->iconSize(), m_table));
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(36);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(ResultsModel::Image, 220);
    m_table->horizontalHeader()->resizeSection(ResultsModel::When, 150);

    m_stack->addWidget(m_gallery);
    m_stack->addWidget(m_table);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_user);
    bar->addWidget(m_text, 1);
    bar->addWidget(m_count);
    bar->addSpacing(12);
    bar->addWidget(m_galleryButton);
    bar->addWidget(m_tableButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);

    m_filterDelay->setSingleShot(true);
    m_filterDelay->setInterval(250);
    connect(m_filterDelay, &QTimer::timeout, this, &ResultsPage::applyFilter);
    connect(m_user, &QLineEdit::textChanged, m_filterDelay, qOverload<>(&QTimer::start));
    connect(m_text, &QLineEdit::textChanged, m_filterDelay, qOverload<>(&QTimer::start));
    connect(m_user, &QLineEdit::returnPressed, this, &ResultsPage::applyFilter);
    connect(m_text, &QLineEdit::returnPressed, this, &ResultsPage::applyFilter);
    connect(m_galleryButton, &QToolButton::clicked, this, [this] { showGallery(true); });
    connect(m_tableButton, &QToolButton::clicked, this, [this] { showGallery(false); });
    connect(m_gallery, &QListView::activated, this, &ResultsPage::open);
    connect(m_table, &QTableView::activated, this, &ResultsPage::open);
    connect(m_model, &ResultsModel::counted, this, [this](qint64 total) {
        m_count->setText(
            tr("%n result(s)", nullptr, int(std::min<qint64>(total, std::numeric_limits<int>::max()))));
    });
    // Only a page that is shown asks the store for news.
    m_refresh->setInterval(kRefreshMs);
    connect(m_refresh, &QTimer::timeout, this, [this] {
        if (isVisible())
            m_model->refresh();
    });
    m_refresh->start();

    showGallery(QSettings().value(QStringLiteral("results/gallery"), true).toBool());
}

void ResultsPage::showGallery(bool gallery)
{
    m_stack->setCurrentWidget(gallery ? static_cast<QWidget *>(m_gallery) : m_table);
    m_galleryButton->setChecked(gallery);
    m_tableButton->setChecked(!gallery);
    QSettings().setValue(QStringLiteral("results/gallery"), gallery);
}

void ResultsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_model->refresh();
}

bool ResultsPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_gallery->viewport() && event->type() == QEvent::Resize)
        fitGallery();
    return QWidget::eventFilter(watched, event);
}

void ResultsPage::fitGallery()
{
    // QListView starts a new row when a cell would reach the last pixel, hence the - 1.
    const int width = m_gallery->viewport()->width() - 1;
    const int columns = std::max(1, width / kCellWidth);
    const int cell = std::max(kCellWidth, width / columns);
    if (m_gallery->gridSize().width() == cell)
        return;
    static_cast<GalleryDelegate *>(m_gallery->itemDelegate())->setCellWidth(cell);
    m_gallery->setGridSize(QSize(cell, kCellHeight));
}

void ResultsPage::applyFilter()
{
    m_filterDelay->stop();
    m_model->setFilter(m_user->text(), m_text->text());
}

void ResultsPage::open(const QModelIndex &index)
{
    const QString id = index.data(ResultsModel::MessageIdRole).toString();
    if (!id.isEmpty())
        emit openMessageRequested(id);
}

} // namespace qd
