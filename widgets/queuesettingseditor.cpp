#include "queuesettingseditor.h"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include <cmath>

namespace qd {

namespace {

QString secondsText(int ms)
{
    return ms % 1000 == 0 ? QString::number(ms / 1000) : QString::number(double(ms) / 1000.0, 'f', 3);
}

} // namespace

QueueSettingsEditor::QueueSettingsEditor(QWidget *parent)
    : QWidget(parent)
    , m_deadLetter(new QComboBox(this))
    , m_consumer(new QComboBox(this))
    , m_url(new QLineEdit(this))
    , m_title(new QLabel(this))
    , m_errorLabel(new QLabel(this))
    , m_apply(new QPushButton(tr("&Apply"), this))
    , m_revert(new QPushButton(tr("Re&vert"), this))
{
    auto *form = new QFormLayout;
    setLayout(new QVBoxLayout);
    layout()->addWidget(m_title);
    static_cast<QVBoxLayout *>(layout())->addLayout(form);
    const auto addRow = [form](const QString &label, QWidget *field) { form->addRow(label, field); };

    m_batchSize = addNumber(tr("Max batch &size"), tr("1–100"), tr("Messages in one batch (max_batch_size)"));
    addRow(tr("Max batch &size:"), m_batchSize);
    m_batchTimeout = addNumber(
        tr("Batch &timeout"), tr("0–60 seconds"), tr("Seconds to wait for a full batch (max_batch_timeout)"));
    addRow(tr("Batch &timeout (s):"), m_batchTimeout);
    m_retries = addNumber(
        tr("Max &retries"), tr("0–100"), tr("Retries before a message dead-letters (max_retries)"));
    addRow(tr("Max &retries:"), m_retries);
    m_retryDelay = addNumber(tr("Retry &delay"), tr("0–86400 seconds"),
        tr("Seconds before a retried message is due (retry_delay)"));
    addRow(tr("Retry &delay (s):"), m_retryDelay);
    m_concurrency = addNumber(tr("Max &concurrency"), tr("automatic"),
        tr("Batches in flight at once, 1–250; empty scales with the backlog (max_concurrency)"));
    addRow(tr("Max &concurrency:"), m_concurrency);

    m_deadLetter->setEditable(true);
    m_deadLetter->setObjectName(QStringLiteral("deadLetterQueue"));
    m_deadLetter->lineEdit()->setPlaceholderText(tr("none"));
    m_deadLetter->setToolTip(
        tr("Where messages go after their last retry; created if missing (dead_letter_queue)"));
    addRow(tr("Dead-&letter queue:"), m_deadLetter);
    // Every type is listed, so saving a queue never changes its consumer unasked.
    for (ConsumerType type : { ConsumerType::Image, ConsumerType::Webhook, ConsumerType::Worker,
             ConsumerType::HttpPull, ConsumerType::None })
        m_consumer->addItem(consumerTypeName(type), int(type));
    m_consumer->setObjectName(QStringLiteral("consumerType"));
    addRow(tr("C&onsumer:"), m_consumer);
    m_url->setObjectName(QStringLiteral("webhookUrl"));
    m_url->setPlaceholderText(tr("https://example.com/queue-hook"));
    m_url->setToolTip(tr("Where the webhook consumer POSTs each batch"));
    addRow(tr("&Webhook URL:"), m_url);
    m_marks.append({ m_url,
        m_url->addAction(style()->standardIcon(QStyle::SP_MessageBoxWarning), QLineEdit::TrailingPosition) });
    m_marks.append({ m_deadLetter,
        m_deadLetter->lineEdit()->addAction(
            style()->standardIcon(QStyle::SP_MessageBoxWarning), QLineEdit::TrailingPosition) });

    m_errorLabel->setObjectName(QStringLiteral("settingsError"));
    m_errorLabel->setWordWrap(true);
    QPalette errorPalette = m_errorLabel->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xdc, 0x26, 0x26));
    m_errorLabel->setPalette(errorPalette);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout()->addWidget(m_errorLabel);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_revert);
    buttons->addWidget(m_apply);
    static_cast<QVBoxLayout *>(layout())->addLayout(buttons);
    static_cast<QVBoxLayout *>(layout())->addStretch(1);
    m_apply->setDefault(true);

    connect(m_deadLetter, &QComboBox::editTextChanged, this, &QueueSettingsEditor::edited);
    connect(m_consumer, &QComboBox::activated, this, &QueueSettingsEditor::edited);
    connect(m_url, &QLineEdit::textEdited, this, &QueueSettingsEditor::edited);
    connect(m_apply, &QPushButton::clicked, this, [this] {
        if (const auto s = settings())
            emit applyRequested(m_name, *s);
    });
    connect(m_revert, &QPushButton::clicked, this, [this] {
        m_dirty = false;
        load(m_base);
    });
    clear();
}

QLineEdit *QueueSettingsEditor::addNumber(const QString &name, const QString &placeholder, const QString &tip)
{
    auto *edit = new QLineEdit(this);
    edit->setAccessibleName(name);
    edit->setPlaceholderText(placeholder);
    edit->setToolTip(tip);
    m_marks.append({ edit,
        edit->addAction(style()->standardIcon(QStyle::SP_MessageBoxWarning), QLineEdit::TrailingPosition) });
    connect(edit, &QLineEdit::textEdited, this, &QueueSettingsEditor::edited);
    return edit;
}

void QueueSettingsEditor::setQueue(
    const QString &name, const QueueSettings &settings, const QStringList &queueNames)
{
    const bool sameQueue = name == m_name;
    m_base = settings;
    m_name = name;
    m_title->setText(tr("<b>Consumer settings of %1</b>").arg(name.toHtmlEscaped()));
    setEnabled(true);
    QStringList others = queueNames;
    others.removeAll(name);
    const QString typed = m_deadLetter->currentText();
    {
        const QSignalBlocker block(m_deadLetter);
        m_deadLetter->clear();
        m_deadLetter->addItem(QString());
        m_deadLetter->addItems(others);
        m_deadLetter->setEditText(typed);
    }
    if (!sameQueue)
        m_dirty = false;
    if (!m_dirty)
        load(settings);
    else
        validate();
}

void QueueSettingsEditor::clear()
{
    m_name.clear();
    m_base = {};
    m_dirty = false;
    m_title->setText(tr("<b>Select a queue to edit its consumer settings</b>"));
    load(QueueSettings {});
    for (QLineEdit *e : { m_batchSize, m_batchTimeout, m_retries, m_retryDelay, m_concurrency, m_url })
        e->clear();
    m_errorLabel->clear();
    setEnabled(false);
}

void QueueSettingsEditor::load(const QueueSettings &s)
{
    const QSignalBlocker block(m_deadLetter);
    m_batchSize->setText(QString::number(s.maxBatchSize));
    m_batchTimeout->setText(secondsText(s.maxBatchTimeoutMs));
    m_retries->setText(QString::number(s.maxRetries));
    m_retryDelay->setText(QString::number(s.retryDelaySeconds));
    m_concurrency->setText(s.maxConcurrency > 0 ? QString::number(s.maxConcurrency) : QString());
    m_deadLetter->setEditText(s.deadLetterQueue);
    const int type = m_consumer->findData(int(s.consumerType));
    m_consumer->setCurrentIndex(type < 0 ? 0 : type);
    m_url->setText(s.webhookUrl);
    validate();
}

void QueueSettingsEditor::edited()
{
    m_dirty = true;
    validate();
}

QueueSettingsEditor::Parsed QueueSettingsEditor::parse() const
{
    Parsed p;
    p.settings = m_base;
    const auto number = [&p](QLineEdit *edit, const QString &what, int *out, bool emptyIsZero = false) {
        if (!p.error.isEmpty())
            return;
        const QString text = edit->text().trimmed();
        if (text.isEmpty() && emptyIsZero) {
            *out = 0;
            return;
        }
        bool ok = false;
        const qlonglong v = text.toLongLong(&ok);
        if (!ok || v < INT_MIN || v > INT_MAX) {
            p.error = tr("%1 must be a whole number").arg(what);
            p.field = edit;
            return;
        }
        *out = int(v);
    };
    number(m_batchSize, tr("Max batch size"), &p.settings.maxBatchSize);
    if (p.error.isEmpty()) {
        bool ok = false;
        const double seconds = m_batchTimeout->text().trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(seconds) || std::abs(seconds) > 1e6) {
            p.error = tr("Batch timeout must be a number of seconds");
            p.field = m_batchTimeout;
        } else {
            p.settings.maxBatchTimeoutMs = int(std::lround(seconds * 1000));
        }
    }
    number(m_retries, tr("Max retries"), &p.settings.maxRetries);
    number(m_retryDelay, tr("Retry delay"), &p.settings.retryDelaySeconds);
    number(m_concurrency, tr("Max concurrency"), &p.settings.maxConcurrency, true);
    if (p.error.isEmpty() && !m_concurrency->text().trimmed().isEmpty() && p.settings.maxConcurrency == 0) {
        p.error = tr("Max concurrency must be between 1 and 250, or empty for automatic");
        p.field = m_concurrency;
    }
    p.settings.deadLetterQueue = m_deadLetter->currentText().trimmed();
    p.settings.consumerType = ConsumerType(m_consumer->currentData().toInt());
    p.settings.webhookUrl = m_url->text().trimmed();
    if (!p.error.isEmpty())
        return p;
    // Then the runtime's own rules, which name the setting that is wrong.
    p.error = p.settings.validate(m_name);
    static const QList<QPair<const char *, int>> prefixes { { "max_batch_size", 0 },
        { "max_batch_timeout", 1 }, { "max_retries", 2 }, { "retry_delay", 3 }, { "max_concurrency", 4 },
        { "dead_letter_queue", 5 }, { "settings.url", 6 } };
    QWidget *fields[]
        = { m_batchSize, m_batchTimeout, m_retries, m_retryDelay, m_concurrency, m_deadLetter, m_url };
    for (const auto &[prefix, field] : prefixes) {
        if (p.error.startsWith(QLatin1String(prefix)))
            p.field = fields[field];
    }
    return p;
}

std::optional<QueueSettings> QueueSettingsEditor::settings() const
{
    Parsed p = parse();
    if (m_name.isEmpty() || !p.error.isEmpty())
        return std::nullopt;
    return p.settings;
}

QString QueueSettingsEditor::error() const
{
    return parse().error;
}

void QueueSettingsEditor::validate()
{
    const Parsed p = parse();
    m_errorLabel->setText(p.error);
    for (const auto &[field, mark] : std::as_const(m_marks)) {
        mark->setVisible(field == p.field);
        mark->setToolTip(field == p.field ? p.error : QString());
    }
    m_url->setEnabled(p.settings.consumerType == ConsumerType::Webhook);
    m_apply->setEnabled(!m_name.isEmpty() && p.error.isEmpty() && m_dirty && p.settings != m_base);
    m_revert->setEnabled(m_dirty);
}

void QueueSettingsEditor::applied(const QString &error)
{
    if (error.isEmpty()) {
        m_dirty = false;
        m_errorLabel->clear();
        m_apply->setEnabled(false);
        m_revert->setEnabled(false);
        return;
    }
    m_errorLabel->setText(error);
}

} // namespace qd
