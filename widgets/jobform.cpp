#include "jobform.h"

#include "producervalidation.h"
#include "runtime.h"

#include <QComboBox>
#include <QFormLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace qd {

namespace {

const QString kUserKey = QStringLiteral("submit/userId");
const QString kQueueKey = QStringLiteral("submit/queue");

} // namespace

JobForm::JobForm(Runtime *runtime, QWidget *parent)
    : QWidget(parent)
    , m_runtime(runtime)
    , m_url(new QLineEdit(this))
    , m_user(new QLineEdit(this))
    , m_queue(new QComboBox(this))
    , m_delay(new QSpinBox(this))
    , m_preview(new QPlainTextEdit(this))
    , m_validation(new QLabel(this))
    , m_send(new QPushButton(tr("&Send"), this))
    , m_sentLink(new QLabel(this))
{
    m_url->setObjectName(QStringLiteral("imageUrl"));
    m_url->setPlaceholderText(tr("https://example.com/photo.jpg"));
    m_url->setClearButtonEnabled(true);
    m_user->setObjectName(QStringLiteral("userId"));
    m_user->setPlaceholderText(tr("who the job is for, e.g. alice"));
    m_queue->setObjectName(QStringLiteral("queue"));
    m_delay->setObjectName(QStringLiteral("delay"));
    m_delay->setRange(0, 86'400);
    m_delay->setSuffix(tr(" s"));
    m_delay->setSpecialValueText(tr("none"));
    m_preview->setObjectName(QStringLiteral("preview"));
    m_preview->setReadOnly(true);
    m_preview->setMaximumHeight(90);
    m_preview->setFont(QFont(QStringLiteral("monospace")));
    m_validation->setObjectName(QStringLiteral("validation"));
    m_validation->setWordWrap(true);
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setDefault(true);
    m_sentLink->setObjectName(QStringLiteral("sentLink"));
    m_sentLink->setTextFormat(Qt::RichText);
    m_sentLink->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    m_sentLink->setWordWrap(true);

    auto *form = new QFormLayout(this);
    form->addRow(tr("Image &URL:"), m_url);
    form->addRow(tr("&User id:"), m_user);
    form->addRow(tr("&Queue:"), m_queue);
    form->addRow(tr("&Delay:"), m_delay);
    form->addRow(tr("Body:"), m_preview);
    form->addRow(m_validation);
    form->addRow(m_send);
    form->addRow(m_sentLink);

    QSettings settings;
    m_user->setText(settings.value(kUserKey).toString());

    connect(m_url, &QLineEdit::textChanged, this, &JobForm::validate);
    connect(m_user, &QLineEdit::textChanged, this, &JobForm::validate);
    connect(m_user, &QLineEdit::textEdited, this,
        [](const QString &text) { QSettings().setValue(kUserKey, text.trimmed()); });
    connect(m_queue, &QComboBox::currentTextChanged, this, &JobForm::validate);
    connect(m_queue, &QComboBox::activated, this,
        [this] { QSettings().setValue(kQueueKey, m_queue->currentText()); });
    connect(m_delay, &QSpinBox::valueChanged, this, &JobForm::validate);
    connect(m_url, &QLineEdit::returnPressed, this, &JobForm::send);
    connect(m_user, &QLineEdit::returnPressed, this, &JobForm::send);
    connect(m_send, &QPushButton::clicked, this, &JobForm::send);
    connect(m_sentLink, &QLabel::linkActivated, this,
        [this](const QString &link) { emit openMessageRequested(link.section(QLatin1Char(':'), 1)); });
    validate();
}

void JobForm::setQueues(const QStringList &names)
{
    QStringList current;
    for (int i = 0; i < m_queue->count(); ++i)
        current.append(m_queue->itemText(i));
    if (current == names)
        return;
    const QString chosen
        = m_queue->currentText().isEmpty() ? QSettings().value(kQueueKey).toString() : m_queue->currentText();
    const QSignalBlocker blocker(m_queue);
    m_queue->clear();
    m_queue->addItems(names);
    const int at = m_queue->findText(chosen);
    m_queue->setCurrentIndex(at >= 0 ? at : m_queue->findText(m_runtime->options().defaultQueue));
    validate();
}

QString JobForm::queue() const
{
    return m_queue->currentText();
}

QString JobForm::userId() const
{
    return m_user->text().trimmed();
}

QByteArray JobForm::body() const
{
    const QJsonObject job { { QStringLiteral("imageUrl"), m_url->text().trimmed() },
        { QStringLiteral("userId"), m_user->text().trimmed() } };
    return QJsonDocument(job).toJson(QJsonDocument::Compact);
}

void JobForm::validate()
{
    const QByteArray json = body();
    // The producer's own check, word for word: what passes here passes POST /.
    m_error = validateImageJob(json, m_runtime->blobBaseUrl()).error;
    if (m_error.isEmpty() && m_queue->currentText().isEmpty())
        m_error = tr("choose a queue");
    m_validation->setText(m_error.isEmpty() ? tr("Ready to send.") : m_error);
    // A form not yet filled in is not an error; a URL typed wrong is.
    const bool pristine = m_url->text().isEmpty();
    m_validation->setStyleSheet(
        m_error.isEmpty() || pristine ? QString() : QStringLiteral("color: #c0392b;"));
    m_send->setEnabled(m_error.isEmpty() && !m_sending);
    QString preview
        = QString::fromUtf8(QJsonDocument::fromJson(json).toJson(QJsonDocument::Indented)).trimmed();
    if (m_delay->value() > 0)
        preview += tr("\n// delivered %1 s after it is sent").arg(m_delay->value());
    m_preview->setPlainText(preview);
    emit targetChanged(queue(), userId());
}

void JobForm::send()
{
    validate();
    if (!m_error.isEmpty() || m_sending)
        return;
    Broker *broker = m_runtime->broker();
    if (!broker)
        return;
    m_sending = true;
    m_send->setEnabled(false);
    m_sentLink->setText(tr("Sending…"));
    const QString queue = this->queue();
    const QByteArray json = body();
    const std::optional<int> delay
        = m_delay->value() > 0 ? std::optional<int>(m_delay->value()) : std::nullopt;
    QPointer<JobForm> self(this);
    Runtime *runtime = m_runtime;
    const auto answer = [self, runtime](const QString &id, const QString &error) {
        QMetaObject::invokeMethod(
            runtime,
            [self, id, error] {
                if (self)
                    self->sendFinished(id, error);
            },
            Qt::QueuedConnection);
    };
    QMetaObject::invokeMethod(
        broker,
        [broker, queue, json, delay, answer] {
            auto ids = std::make_shared<QStringList>();
            const Error error = broker->send(
                queue, { SendItem { json, ContentType::Json, delay } }, std::nullopt,
                [ids, answer](const Error &commitError) { answer(ids->value(0), commitError.message); },
                ids.get());
            if (error)
                answer({}, error.message);
        },
        Qt::QueuedConnection);
}

void JobForm::sendFinished(const QString &messageId, const QString &error)
{
    m_sending = false;
    if (!error.isEmpty() || messageId.isEmpty()) {
        m_sentLink->setText(tr("Not sent: %1").arg(error.toHtmlEscaped()));
    } else {
        m_sentLink->setText(tr("Queued as <a href=\"message:%1\">%1</a>").arg(messageId));
        emit sent(messageId);
    }
    validate();
}

} // namespace qd
