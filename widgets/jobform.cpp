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
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QUrl>

namespace qd {

namespace {

const QString kUserKey = QStringLiteral("submit/userId");
const QString kQueueKey = QStringLiteral("submit/queue");

// The producer's rule for URLs (validateImageUrl), said the way a person fixes it.
QString urlInWords(const QString &text, const QString &blobBase)
{
    const QString url = text.trimmed();
    if (url.isEmpty())
        return QObject::tr("Enter the address of an image, such as https://example.com/cat.jpg.");
    if (validateImageUrl(url, blobBase).isEmpty())
        return {};
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.isRelative())
        return QObject::tr("Enter a whole address, starting with http:// or https://.");
    const QString scheme = parsed.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return QObject::tr("Only http and https addresses can be fetched, not %1.").arg(scheme);
    return QObject::tr("The address needs a host name after the //, as in https://example.com/cat.jpg.");
}

QLabel *errorLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #c0392b;"));
    label->hide();
    return label;
}

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
    , m_urlError(errorLabel(QStringLiteral("imageUrlError"), this))
    , m_userError(errorLabel(QStringLiteral("userIdError"), this))
    , m_queueError(errorLabel(QStringLiteral("queueError"), this))
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
    form->addRow(QString(), m_urlError);
    form->addRow(tr("&User id:"), m_user);
    form->addRow(QString(), m_userError);
    form->addRow(tr("&Queue:"), m_queue);
    form->addRow(QString(), m_queueError);
    form->addRow(tr("&Delay:"), m_delay);
    form->addRow(tr("Body:"), m_preview);
    form->addRow(m_validation);
    form->addRow(m_send);
    form->addRow(m_sentLink);

    QSettings settings;
    m_user->setText(settings.value(kUserKey).toString());

    // A field is judged once the person typed in it or left it, never before.
    for (QLineEdit *edit : { m_url, m_user }) {
        connect(edit, &QLineEdit::textEdited, this, [this, edit] { touch(edit); });
        connect(edit, &QLineEdit::editingFinished, this, [this, edit] { touch(edit); });
    }
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

QString JobForm::urlProblem() const
{
    return m_touched.contains(m_url) ? urlInWords(m_url->text(), m_runtime->blobBaseUrl()) : QString();
}

QString JobForm::userProblem() const
{
    if (!m_touched.contains(m_user) || !userId().isEmpty())
        return {};
    return tr("Say who the job is for, such as alice.");
}

void JobForm::touch(QWidget *field)
{
    if (!m_touched.contains(field))
        m_touched.append(field);
    validate();
}

void JobForm::validate()
{
    const QByteArray json = body();
    // The producer's own check, word for word: what passes here passes POST /.
    m_error = validateImageJob(json, m_runtime->blobBaseUrl()).error;
    if (m_error.isEmpty() && m_queue->currentText().isEmpty())
        m_error = tr("choose a queue");
    m_validation->setText(m_error.isEmpty() ? tr("Ready to send.") : QString());
    const auto show = [](QLabel *label, const QString &problem) {
        label->setText(problem);
        label->setVisible(!problem.isEmpty());
    };
    show(m_urlError, urlProblem());
    show(m_userError, userProblem());
    show(m_queueError,
        m_touched.contains(m_queue) && m_queue->currentText().isEmpty() ? tr("Choose a queue to send to.")
                                                                        : QString());
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
    // Trying to send is looking at every field: each says what it lacks.
    for (QWidget *field :
        { static_cast<QWidget *>(m_url), static_cast<QWidget *>(m_user), static_cast<QWidget *>(m_queue) }) {
        if (!m_touched.contains(field))
            m_touched.append(field);
    }
    validate();
    if (!m_error.isEmpty() || m_sending)
        return;
    const QString queue = this->queue();
    const QByteArray json = body();
    const std::optional<int> delay
        = m_delay->value() > 0 ? std::optional<int>(m_delay->value()) : std::nullopt;
    const bool asked = m_runtime->askLater(
        this,
        [queue, json, delay](Broker &broker, auto &answer) {
            auto ids = std::make_shared<QStringList>();
            const Error error = broker.send(
                queue, { SendItem { json, ContentType::Json, delay } }, std::nullopt,
                [ids, answer](const Error &commitError) { answer(ids->value(0), commitError.message); },
                ids.get());
            if (error.isError())
                answer(QString(), error.message);
        },
        [this](const QString &id, const QString &error) { sendFinished(id, error); });
    if (!asked)
        return;
    m_sending = true;
    m_send->setEnabled(false);
    m_sentLink->setText(tr("Sending…"));
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
