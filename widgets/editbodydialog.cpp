#include "editbodydialog.h"

#include "messageformat.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace qd {

namespace {
constexpr int kDelays[] = { 0, 60, 600, 3600 };
}

EditBodyDialog::EditBodyDialog(const QString &id, const QByteArray &body, ContentType type, QWidget *parent)
    : QDialog(parent)
    , m_editor(new QPlainTextEdit(this))
    , m_type(new QComboBox(this))
    , m_delay(new QComboBox(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Edit and resubmit %1").arg(id));
    m_editor->setObjectName(QStringLiteral("bodyEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setPlainText(type == ContentType::Json ? formatBody(body, type).text : QString::fromUtf8(body));
    m_type->addItem(QStringLiteral("json"), int(ContentType::Json));
    m_type->addItem(QStringLiteral("text"), int(ContentType::Text));
    m_type->setCurrentIndex(type == ContentType::Text ? 1 : 0);
    m_delay->addItems({ tr("now"), tr("in 1 minute"), tr("in 10 minutes"), tr("in 1 hour") });
    m_problem->setStyleSheet(QStringLiteral("color: #d64545;"));
    m_problem->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Content type"), m_type);
    form->addRow(tr("Deliver"), m_delay);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Resubmit"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("The original body is kept in the message's history."), this));
    layout->addWidget(m_editor, 1);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &EditBodyDialog::validate);
    connect(m_type, &QComboBox::currentIndexChanged, this, &EditBodyDialog::validate);
    resize(640, 480);
    validate();
}

QByteArray EditBodyDialog::body() const
{
    QByteArray text = m_editor->toPlainText().toUtf8();
    if (contentType() != ContentType::Json)
        return text;
    // Stored compact, as a producer would have sent it.
    const QJsonDocument doc = QJsonDocument::fromJson('[' + text + ']');
    const QByteArray compact = doc.toJson(QJsonDocument::Compact);
    return compact.size() >= 2 ? compact.mid(1, compact.size() - 2) : text;
}

ContentType EditBodyDialog::contentType() const
{
    return ContentType(m_type->currentData().toInt());
}

int EditBodyDialog::delaySeconds() const
{
    return kDelays[std::clamp(m_delay->currentIndex(), 0, 3)];
}

void EditBodyDialog::validate()
{
    QString problem;
    const QByteArray text = m_editor->toPlainText().toUtf8();
    if (contentType() == ContentType::Json) {
        QJsonParseError error;
        QJsonDocument::fromJson('[' + text + ']', &error);
        if (text.trimmed().isEmpty() || error.error != QJsonParseError::NoError)
            problem
                = tr("Not valid JSON: %1").arg(text.trimmed().isEmpty() ? tr("empty") : error.errorString());
    }
    if (problem.isEmpty() && body().size() > kMaxMessageBytes)
        problem = tr("%1 bytes: the limit is %2").arg(body().size()).arg(kMaxMessageBytes);
    m_problem->setText(problem);
    m_ok->setEnabled(problem.isEmpty());
}

} // namespace qd
