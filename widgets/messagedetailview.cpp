#include "messagedetailview.h"

#include "attempthistory.h"
#include "messagetableview.h"

#include "messagetablemodel.h"

#include "messageformat.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTextDocument>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace qd {

namespace {

// What the pane shows changed: state, attempts, result, operator history.
bool sameDetail(const MessageDetail &a, const MessageDetail &b)
{
    return a.message.id == b.message.id && a.state == b.state && a.queue == b.queue
        && a.message.attempts == b.message.attempts && a.message.updatedMs == b.message.updatedMs
        && a.message.visibleAtMs == b.message.visibleAtMs && a.message.lastError == b.message.lastError
        && a.message.body == b.message.body && a.attempts.size() == b.attempts.size()
        && a.history.size() == b.history.size() && a.result.has_value() == b.result.has_value();
}

QLabel *sectionLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(QStringLiteral("<b>%1</b>").arg(text.toHtmlEscaped()), parent);
    label->setContentsMargins(0, 6, 0, 0);
    return label;
}

QString attemptDuration(const AttemptRecord &a)
{
    return a.endedMs >= a.startedMs && a.startedMs > 0 ? formatDuration(a.endedMs - a.startedMs) : QString();
}
} // namespace

MessageDetailView::MessageDetailView(MessageQuery *query, QWidget *parent)
    : QWidget(parent)
    , m_query(query)
    , m_title(new QLabel(this))
    , m_facts(new QLabel(this))
    , m_bodyKind(new QLabel(this))
    , m_body(new QPlainTextEdit(this))
    , m_thumbnail(new QLabel(this))
    , m_result(new QLabel(this))
    , m_attempts(new QTreeWidget(this))
    , m_history(new QLabel(this))
    , m_copyId(new QPushButton(tr("Copy ID"), this))
    , m_copyBody(new QPushButton(tr("Copy body"), this))
    , m_copyError(new QPushButton(tr("Copy error"), this))
{
    setObjectName(QStringLiteral("messageDetail"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setWordWrap(true);
    m_bodyKind->setObjectName(QStringLiteral("bodyKind"));
    m_body->setObjectName(QStringLiteral("body"));
    m_body->setReadOnly(true);
    m_body->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_thumbnail->setFixedSize(96, 96);
    m_thumbnail->setAlignment(Qt::AlignCenter);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_attempts->setObjectName(QStringLiteral("attempts"));
    m_attempts->setColumnCount(5);
    m_attempts->setHeaderLabels({ tr("Attempt"), tr("Outcome"), tr("Started"), tr("Took"), tr("Error") });
    m_attempts->setRootIsDecorated(true);
    // Not uniform: an attempt's console lines show in a box taller than a row.
    m_attempts->setUniformRowHeights(false);
    m_attempts->header()->setStretchLastSection(true);
    m_history->setWordWrap(true);
    m_history->setTextInteractionFlags(Qt::TextSelectableByMouse);
    for (QPushButton *b : { m_copyId, m_copyBody, m_copyError })
        b->setAutoDefault(false);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_copyId);
    buttons->addWidget(m_copyBody);
    buttons->addWidget(m_copyError);
    buttons->addStretch();

    auto *resultRow = new QHBoxLayout;
    resultRow->addWidget(m_thumbnail, 0, Qt::AlignTop);
    resultRow->addWidget(m_result, 1);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_title);
    topLayout->addWidget(m_facts);
    topLayout->addLayout(buttons);
    topLayout->addWidget(m_bodyKind);
    topLayout->addWidget(m_body, 1);
    topLayout->addLayout(resultRow);

    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(sectionLabel(tr("Attempts, newest first"), bottom));
    bottomLayout->addWidget(m_attempts, 1);
    bottomLayout->addWidget(m_history);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 0, 0, 0);
    layout->addWidget(split);

    connect(m_copyId, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(m_id); });
    connect(m_copyBody, &QPushButton::clicked, this, [this] {
        if (m_detail)
            QGuiApplication::clipboard()->setText(
                formatBody(m_detail->message.body, m_detail->message.contentType).text);
    });
    connect(m_copyError, &QPushButton::clicked, this, [this] {
        if (m_detail)
            QGuiApplication::clipboard()->setText(m_detail->message.lastError);
    });
    connect(&m_live, &QTimer::timeout, this, [this] {
        if (!m_waiting && isVisible())
            reload();
    });
    connect(m_query, &MessageQuery::detailReady, this, [this](quint64 ticket, const MessageDetail &d) {
        if (ticket != m_ticket)
            return;
        m_waiting = false;
        if (d.found && m_detail && sameDetail(*m_detail, d))
            return; // nothing moved: the reader's place in the pane stays
        if (!d.found) {
            clear(tr("Message %1 is gone: deleted, purged or past retention.").arg(m_id));
            return;
        }
        present(d);
    });
    clear(tr("Select a message to see its body, attempts and batches."));
}

void MessageDetailView::follow(MessageTableView *table, MessageTableModel *model)
{
    m_followDelay.setSingleShot(true);
    m_followDelay.setInterval(120);
    connect(&m_followDelay, &QTimer::timeout, this, [this, table, model] {
        const QModelIndex current = table->currentIndex();
        const QString id
            = current.isValid() ? model->data(current, MessageTableModel::IdRole).toString() : QString();
        if (!id.isEmpty() && id != m_id)
            showMessage(id);
    });
    connect(table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this] { m_followDelay.start(); });
    connect(table, &MessageTableView::openRequested, this, [this, model](int row) {
        const QString id = model->data(model->index(row, 0), MessageTableModel::IdRole).toString();
        if (!id.isEmpty())
            showMessage(id);
    });
}

void MessageDetailView::showMessage(const QString &id)
{
    m_id = id;
    if (id.isEmpty()) {
        clear(tr("Select a message to see its body, attempts and batches."));
        return;
    }
    reload();
}

void MessageDetailView::setLiveInterval(int ms)
{
    if (ms > 0)
        m_live.start(ms);
    else
        m_live.stop();
}

void MessageDetailView::reload()
{
    if (m_id.isEmpty())
        return;
    m_waiting = true;
    // Tickets only need to be unique among this view's own requests: answers carry them back.
    m_ticket = (quint64(reinterpret_cast<quintptr>(this)) << 20) ^ (m_ticket + 1);
    m_query->requestDetail(m_ticket, m_id);
}

void MessageDetailView::clear(const QString &text)
{
    m_detail.reset();
    m_title->setText(text);
    m_facts->clear();
    m_bodyKind->clear();
    m_body->clear();
    m_thumbnail->clear();
    m_thumbnail->hide();
    m_result->clear();
    m_result->hide();
    m_attempts->clear();
    m_history->clear();
    for (QPushButton *b : { m_copyId, m_copyBody, m_copyError })
        b->setEnabled(false);
}

void MessageDetailView::changeEvent(QEvent *event)
{
    // The state badge and the outcomes are coloured for the palette they were drawn on.
    if (event->type() == QEvent::PaletteChange && m_detail)
        present(*m_detail);
    QWidget::changeEvent(event);
}

void MessageDetailView::present(const MessageDetail &d)
{
    m_detail = d;
    const Message &m = d.message;
    const QString state = stateText(d.state, d.sourceQueue);
    m_title->setText(QStringLiteral("<b>%1</b> &nbsp; <span style='color:%2'>%3</span>")
                         .arg(m.id, stateColor(d.state, d.sourceQueue).name(), state.toHtmlEscaped()));
    QStringList facts;
    facts << tr("Queue: %1").arg(d.queue.toHtmlEscaped());
    if (!d.sourceQueue.isEmpty())
        facts << tr("dead-lettered from %1").arg(d.sourceQueue.toHtmlEscaped());
    facts << tr("attempts: %1").arg(m.attempts);
    facts << tr("sent %1").arg(formatTimestamp(m.timestampMs));
    if (m.state == MessageState::Pending)
        facts << tr("visible at %1").arg(formatTimestamp(m.visibleAtMs));
    facts << tr("updated %1").arg(formatTimestamp(m.updatedMs));
    if (!m.lastError.isEmpty())
        facts << tr("<br>Last error: <span style='color:#d64545'>%1</span>").arg(m.lastError.toHtmlEscaped());
    m_facts->setText(facts.join(QStringLiteral(" · ")));

    const BodyView body = formatBody(m.body, m.contentType);
    QString kind = tr("Body — %1, %2 bytes").arg(body.kind, QLocale().toString(m.body.size()));
    if (!body.note.isEmpty())
        kind += tr(" (%1)").arg(body.note);
    m_bodyKind->setText(kind);
    m_body->setPlainText(body.text);

    if (d.result) {
        const ImageResult &r = *d.result;
        QPixmap thumb;
        if (!r.thumbnail.isEmpty() && thumb.loadFromData(r.thumbnail))
            m_thumbnail->setPixmap(
                thumb.scaled(m_thumbnail->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
        m_thumbnail->setVisible(!thumb.isNull());
        m_result->setText(tr("<b>Result</b>: %1 %2×%3, %4 bytes, fetched in %5, decoded in %6<br>SHA-256 %7…")
                              .arg(r.format.toHtmlEscaped())
                              .arg(r.width)
                              .arg(r.height)
                              .arg(QLocale().toString(r.bytes), formatDuration(r.fetchMs),
                                  formatDuration(r.decodeMs), r.sha256.left(16)));
        m_result->setToolTip(tr("SHA-256 %1\n%2").arg(r.sha256, r.finalUrl.isEmpty() ? r.url : r.finalUrl));
        m_result->show();
    } else {
        m_thumbnail->hide();
        m_result->hide();
    }

    m_attempts->clear();
    for (const HistoryLine &line : attemptHistory(d.attempts, d.history)) {
        if (line.kind == HistoryLine::OperatorRetry) {
            auto *marker = new QTreeWidgetItem(m_attempts,
                { tr("retried"), tr("by an operator"), formatTimestamp(line.atMs), QString(),
                    line.action == QLatin1String("edit_resubmit") ? tr("body edited and resubmitted")
                                                                  : tr("attempts start again from here") });
            QFont italic = marker->font(0);
            italic.setItalic(true);
            for (int c = 0; c < m_attempts->columnCount(); ++c)
                marker->setFont(c, italic);
            marker->setData(0, Qt::UserRole, QStringLiteral("operator"));
            continue;
        }
        const AttemptView &v = d.attempts.at(line.attemptIndex);
        const AttemptRecord &a = v.attempt;
        auto *item = new QTreeWidgetItem(m_attempts,
            { QString::number(line.number), attemptOutcomeName(a.outcome), formatTimestamp(a.startedMs),
                attemptDuration(a), firstLine(a.error) });
        if (line.number != a.attempt)
            item->setToolTip(0,
                tr("Attempt %1 overall; the queue counts it as attempt %2 since the "
                   "operator's retry.")
                    .arg(line.number)
                    .arg(a.attempt));
        item->setToolTip(4, a.error);
        item->setForeground(1, outcomeColor(a.outcome));
        if (!a.logs.isEmpty()) {
            // What the Worker printed is read and copied as text, so it gets a text box of
            // its own, across the row, rather than a row per line.
            auto *console = new QTreeWidgetItem(item);
            console->setFirstColumnSpanned(true);
            console->setData(0, Qt::UserRole, QStringLiteral("logs"));
            auto *text = new QPlainTextEdit(m_attempts);
            text->setObjectName(QStringLiteral("attemptLogs"));
            text->setReadOnly(true);
            text->setLineWrapMode(QPlainTextEdit::NoWrap);
            text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
            text->setPlainText(a.logs.join(QLatin1Char('\n')));
            const int lines = std::min(int(text->document()->lineCount()), 8);
            text->setFixedHeight(text->fontMetrics().lineSpacing() * lines + 2 * text->frameWidth()
                + int(2 * text->document()->documentMargin()) + 4);
            m_attempts->setItemWidget(console, 0, text);
            item->setExpanded(true);
        }
        if (v.batch) {
            const BatchRecord &b = *v.batch;
            auto *batch = new QTreeWidgetItem(item,
                { tr("batch %1").arg(b.id),
                    countText(b.size, tr("%1 message"), tr("%1 messages"))
                        + tr(", cut by %1").arg(batchCutName(b.cut)),
                    formatTimestamp(b.createdMs),
                    b.endedMs > 0 ? formatDuration(b.endedMs - b.createdMs) : QString(),
                    tr("%1 acked, %2 retried, %3 dead-lettered, %4 failed")
                        .arg(b.acked)
                        .arg(b.retried)
                        .arg(b.deadLettered)
                        .arg(b.failed) });
            for (const AttemptRecord &other : v.batchMembers) {
                auto *member = new QTreeWidgetItem(batch,
                    { other.messageId == m.id ? tr("%1 (this)").arg(other.messageId) : other.messageId,
                        attemptOutcomeName(other.outcome), QString(), attemptDuration(other),
                        firstLine(other.error) });
                member->setToolTip(4, other.error);
            }
        }
    }
    for (int c = 0; c < 4; ++c)
        m_attempts->resizeColumnToContents(c);
    if (d.attempts.isEmpty())
        new QTreeWidgetItem(
            m_attempts, { QString(), QString(), QString(), QString(), tr("not delivered yet") });

    QStringList history;
    for (const AuditEntry &e : d.history) {
        QString what = e.action;
        if (e.action == QLatin1String("edit_resubmit")) {
            const QJsonValue original = e.detail.value(QStringLiteral("original_body"));
            const QString text = original.isString()
                ? original.toString()
                : QString::fromUtf8(
                    QJsonDocument::fromVariant(original.toVariant()).toJson(QJsonDocument::Compact));
            what = tr("body edited and resubmitted; the original was: %1").arg(text.left(300));
        } else if (e.action == QLatin1String("retry")) {
            what = tr("retried by an operator");
        }
        history << QStringLiteral("%1 — %2").arg(formatTimestamp(e.timestampMs), what.toHtmlEscaped());
    }
    m_history->setText(
        history.isEmpty() ? QString() : tr("<b>History</b><br>") + history.join(QStringLiteral("<br>")));
    for (QPushButton *b : { m_copyId, m_copyBody })
        b->setEnabled(true);
    m_copyError->setEnabled(!m.lastError.isEmpty());
    emit loaded(d);
}

} // namespace qd
