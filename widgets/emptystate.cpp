#include "emptystate.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace qd {

EmptyState::EmptyState(const QString &title, const QString &text, QWidget *parent)
    : QFrame(parent)
    , m_title(new QLabel(title, this))
    , m_text(new QLabel(text, this))
    , m_command(new QLabel(this))
    , m_copy(new QPushButton(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("&Copy"), this))
    , m_buttons(new QWidget(this))
{
    setObjectName(QStringLiteral("emptyState"));
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_title->setFont(big);
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setWordWrap(true);
    m_text->setAlignment(Qt::AlignCenter);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_text->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_text->setOpenExternalLinks(false);
    m_command->setObjectName(QStringLiteral("emptyStateCommand"));
    // Wrapped rather than scrolled, so the whole command can be read before it is run.
    m_command->setTextFormat(Qt::PlainText);
    m_command->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_command->setWordWrap(true);
    m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_command->setFrameShape(QFrame::StyledPanel);
    m_command->setMargin(6);
    m_command->setAutoFillBackground(true);
    m_command->setBackgroundRole(QPalette::AlternateBase);
    m_copy->setObjectName(QStringLiteral("emptyStateCopy"));
    m_copy->setAutoDefault(false);
    m_copy->setToolTip(tr("Copy the command to the clipboard"));

    auto *commandRow = new QHBoxLayout;
    commandRow->addWidget(m_command, 1);
    commandRow->addWidget(m_copy);
    auto *buttons = new QHBoxLayout(m_buttons);
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addStretch(1);

    auto *column = new QVBoxLayout;
    column->addStretch(1);
    column->addWidget(m_title);
    column->addSpacing(6);
    column->addWidget(m_text);
    column->addSpacing(6);
    column->addLayout(commandRow);
    column->addSpacing(6);
    column->addWidget(m_buttons);
    column->addStretch(2);
    // Readable lines: the text keeps to a column in the middle however wide the page is.
    auto *outer = new QHBoxLayout(this);
    outer->addStretch(1);
    outer->addLayout(column, 4);
    outer->addStretch(1);

    m_command->hide();
    m_copy->hide();
    m_buttons->hide();
    connect(
        m_copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(command()); });
}

void EmptyState::setText(const QString &text)
{
    m_text->setText(text);
}

void EmptyState::setCommand(const QString &command)
{
    m_command->setText(command);
    m_command->setVisible(!command.isEmpty());
    m_copy->setVisible(!command.isEmpty());
}

QString EmptyState::command() const
{
    return m_command->text();
}

QPushButton *EmptyState::addButton(const QString &text, const QIcon &icon)
{
    auto *button = new QPushButton(icon, text, m_buttons);
    button->setAutoDefault(false);
    auto *row = static_cast<QHBoxLayout *>(m_buttons->layout());
    row->insertWidget(row->count() - 1, button);
    if (row->count() == 2)
        row->insertStretch(0, 1);
    m_buttons->show();
    return button;
}

void EmptyState::watch(QAbstractItemView *view)
{
    m_view = view;
    setParent(view->viewport());
    view->viewport()->installEventFilter(this);
    QAbstractItemModel *model = view->model();
    connect(model, &QAbstractItemModel::rowsInserted, this, &EmptyState::updateShown);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &EmptyState::updateShown);
    connect(model, &QAbstractItemModel::modelReset, this, &EmptyState::updateShown);
    connect(model, &QAbstractItemModel::layoutChanged, this, &EmptyState::updateShown);
    setGeometry(view->viewport()->rect());
    updateShown();
}

void EmptyState::updateShown()
{
    if (!m_view || !m_view->model())
        return;
    setVisible(m_view->model()->rowCount() == 0);
}

bool EmptyState::eventFilter(QObject *watched, QEvent *event)
{
    if (m_view && watched == m_view->viewport() && event->type() == QEvent::Resize)
        setGeometry(m_view->viewport()->rect());
    return QFrame::eventFilter(watched, event);
}

} // namespace qd
