#include "confirmbar.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>

namespace qd {

ConfirmBar::ConfirmBar(QWidget *parent)
    : QFrame(parent)
    , m_text(new QLabel(this))
    , m_confirm(new QPushButton(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(QStringLiteral("confirmBar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_confirm->setObjectName(QStringLiteral("confirm"));
    m_cancel->setObjectName(QStringLiteral("cancelConfirm"));
    m_text->setWordWrap(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_confirm);
    layout->addWidget(m_cancel);
    connect(m_confirm, &QPushButton::clicked, this, [this] {
        auto run = std::move(m_onConfirm);
        dismiss();
        if (run)
            run();
    });
    connect(m_cancel, &QPushButton::clicked, this, &ConfirmBar::dismiss);
    hide();
}

void ConfirmBar::ask(
    const QString &text, const QString &actionText, std::function<void()> onConfirm, bool destructive)
{
    m_text->setText(text);
    m_confirm->setText(actionText);
    m_confirm->setStyleSheet(destructive
            ? QStringLiteral("QPushButton { color: #d64545; font-weight: bold; }")
            : QStringLiteral("QPushButton { font-weight: bold; }"));
    m_onConfirm = std::move(onConfirm);
    show();
    m_confirm->setFocus(Qt::OtherFocusReason);
}

void ConfirmBar::dismiss()
{
    m_onConfirm = nullptr;
    hide();
}

QString ConfirmBar::text() const
{
    return isVisible() ? m_text->text() : QString();
}

} // namespace qd
