#include "queuedialogs.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace qd {

ConfirmNameDialog::ConfirmNameDialog(
    const QString &name, const QString &question, const QString &action, QWidget *parent)
    : QDialog(parent)
    , m_name(name)
    , m_edit(new QLineEdit(this))
{
    setWindowTitle(action);
    auto *text = new QLabel(
        question + QStringLiteral("<br><br>") + tr("Type <b>%1</b> to confirm.").arg(name.toHtmlEscaped()),
        this);
    text->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_confirm = buttons->addButton(action, QDialogButtonBox::DestructiveRole);
    m_confirm->setEnabled(false);
    m_edit->setPlaceholderText(name);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_edit);
    layout->addWidget(buttons);
    connect(m_edit, &QLineEdit::textChanged, this,
        [this](const QString &t) { m_confirm->setEnabled(t == m_name); });
    connect(m_confirm, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

NewQueueDialog::NewQueueDialog(QStringList existing, QWidget *parent)
    : QDialog(parent)
    , m_existing(std::move(existing))
    , m_edit(new QLineEdit(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("New queue"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_create = buttons->addButton(tr("&Create"), QDialogButtonBox::AcceptRole);
    m_create->setDefault(true);
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, QColor(0xdc, 0x26, 0x26));
    m_error->setPalette(p);
    m_error->setWordWrap(true);
    auto *label = new QLabel(tr("&Name:"), this);
    label->setBuddy(m_edit);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_edit);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    connect(m_edit, &QLineEdit::textChanged, this, &NewQueueDialog::validate);
    connect(m_create, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    validate();
}

QString NewQueueDialog::name() const
{
    return m_edit->text().trimmed();
}

void NewQueueDialog::validate()
{
    const QString n = name();
    QString error;
    if (n.size() > 255)
        error = tr("A queue name has at most 255 characters.");
    else if (m_existing.contains(n))
        error = tr("There is already a queue named “%1”.").arg(n);
    m_error->setText(error);
    m_create->setEnabled(!n.isEmpty() && error.isEmpty());
}

} // namespace qd
