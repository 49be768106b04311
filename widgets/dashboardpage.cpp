#include "dashboardpage.h"

#include "chartpanel.h"
#include "countertilesmodel.h"
#include "countertilesview.h"
#include "emptystate.h"
#include "metricsformat.h"
#include "metricshistory.h"
#include "nodespanel.h"
#include "nodetablemodel.h"
#include "runtime.h"
#include "statepalette.h"

#include <QComboBox>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHostInfo>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStyle>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace qd {

namespace {
// Colours of what is not a message state (those come from statepalette), picked to read
// on light and dark backgrounds alike. p50 and p95 differ in hue, not only in dashes.
const QColor kBatches(0x64, 0x74, 0x8b); // slate
const QColor kBatchSize(0x94, 0xa3, 0xb8);
const QColor kP50(0x0e, 0xa5, 0xe9); // sky
const QColor kP95(0xe1, 0x1d, 0x48); // rose

// Nobody takes this queue's messages: no consumer type, or a webhook with nowhere to post.
bool isUnserved(const QueueSettings &s)
{
    return s.consumerType == ConsumerType::None
        || (s.consumerType == ConsumerType::Webhook && s.webhookUrl.trimmed().isEmpty());
}

// Anything that says the pipeline has been used: messages, counts, or traffic.
bool hasData(const MetricsFrame &f)
{
    return f.ready || f.delayed || f.inFlight || f.failed || f.dlq || f.written || f.acked || f.retried
        || f.deadLettered || f.failedNew;
}

QString shellQuote(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}
} // namespace

DashboardPage::DashboardPage(MetricsHistory *history, QWidget *parent)
    : QWidget(parent)
    , m_history(history)
    , m_model(new ChartDataModel(history, this))
    , m_tiles(new CounterTilesModel(this))
    , m_tilesView(new CounterTilesView(m_tiles, this))
    , m_queueBox(new QComboBox(this))
    , m_rangeBox(new QComboBox(this))
    , m_pause(new QPushButton(tr("&Pause"), this))
    , m_exportPng(new QPushButton(tr("Export PNG…"), this))
    , m_exportCsv(new QPushButton(tr("Export CSV…"), this))
    , m_chartsStack(new QStackedWidget(this))
    , m_welcome(new EmptyState(tr("Nothing has been sent yet"), QString(), this))
    , m_notice(new QLabel(this))
    , m_rows(new QSplitter(Qt::Vertical, this))
    , m_top(new QSplitter(Qt::Horizontal, m_rows))
    , m_bottom(new QSplitter(Qt::Horizontal, m_rows))
    , m_nodes(new NodeTableModel(this))
    , m_nodesPanel(new NodesPanel(m_nodes, this))
{
    m_queueBox->setObjectName(QStringLiteral("dashboardQueue"));
    m_queueBox->addItem(tr("All queues"), QString());
    m_queueBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_rangeBox->setObjectName(QStringLiteral("dashboardRange"));
    for (auto range : { ChartDataModel::Range::OneMinute, ChartDataModel::Range::FiveMinutes,
             ChartDataModel::Range::OneHour, ChartDataModel::Range::OneDay })
        m_rangeBox->addItem(ChartDataModel::rangeName(range), int(range));
    m_rangeBox->setCurrentIndex(int(m_model->range()));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Hold the charts still; the data keeps coming in"));
    m_pause->setIcon(QIcon::fromTheme(
        QStringLiteral("media-playback-pause"), style()->standardIcon(QStyle::SP_MediaPause)));
    m_exportPng->setIcon(QIcon::fromTheme(
        QStringLiteral("image-x-generic"), style()->standardIcon(QStyle::SP_DialogSaveButton)));
    m_exportCsv->setIcon(
        QIcon::fromTheme(QStringLiteral("text-csv"), style()->standardIcon(QStyle::SP_FileIcon)));
    m_notice->setObjectName(QStringLiteral("queueNotice"));
    m_notice->setWordWrap(true);
    m_notice->setTextFormat(Qt::RichText);
    m_notice->hide();
    QPushButton *loadButton = m_welcome->addButton(tr("Open the &Load Generator"),
        QIcon::fromTheme(QStringLiteral("system-run"), style()->standardIcon(QStyle::SP_MediaPlay)));
    loadButton->setObjectName(QStringLiteral("welcomeLoadGenerator"));
    QPushButton *submitButton = m_welcome->addButton(tr("&Send or Drop Images…"),
        QIcon::fromTheme(QStringLiteral("document-send"), style()->standardIcon(QStyle::SP_ArrowUp)));
    submitButton->setObjectName(QStringLiteral("welcomeSubmit"));
    connect(loadButton, &QPushButton::clicked, this, &DashboardPage::loadGeneratorRequested);
    connect(submitButton, &QPushButton::clicked, this, &DashboardPage::submitRequested);
    setEndpoint(QStringLiteral("http://127.0.0.1:8787/"));

    auto *queueLabel = new QLabel(tr("&Queue:"), this);
    queueLabel->setBuddy(m_queueBox);
    auto *rangeLabel = new QLabel(tr("&Range:"), this);
    rangeLabel->setBuddy(m_rangeBox);
    auto *bar = new QHBoxLayout;
    bar->addWidget(queueLabel);
    bar->addWidget(m_queueBox);
    bar->addSpacing(12);
    bar->addWidget(rangeLabel);
    bar->addWidget(m_rangeBox);
    bar->addWidget(m_pause);
    bar->addStretch(1);
    bar->addWidget(m_exportPng);
    bar->addWidget(m_exportCsv);

    buildCharts();
    m_rows->setChildrenCollapsible(false);
    m_chartsStack->addWidget(m_welcome);
    m_chartsStack->addWidget(m_rows);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_notice);
    layout->addWidget(m_tilesView);
    layout->addWidget(m_chartsStack, 1);
    layout->addWidget(m_nodesPanel);

    connect(m_queueBox, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setQueue(m_queueBox->currentData().toString());
        updateTiles();
        updateHeld();
    });
    connect(m_rangeBox, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setRange(ChartDataModel::Range(m_rangeBox->currentData().toInt()));
        m_failures->setLineName(ChartDataModel::FailureRate,
            tr("Failure rate (%1 avg)").arg(ChartDataModel::failureWindowName(m_model->range())));
    });
    connect(m_pause, &QPushButton::toggled, this, &DashboardPage::setPaused);
    connect(m_exportPng, &QPushButton::clicked, this, &DashboardPage::exportPngDialog);
    connect(m_exportCsv, &QPushButton::clicked, this, &DashboardPage::exportCsvDialog);
    connect(history, &MetricsHistory::framesAdded, this, &DashboardPage::updateTiles);
    connect(history, &MetricsHistory::framesAdded, this, &DashboardPage::updateWelcome);
    connect(history, &MetricsHistory::historyChanged, this, &DashboardPage::updateWelcome);
    updateWelcome();
}

bool DashboardPage::chartsShown() const
{
    return m_chartsStack->currentWidget() == m_rows;
}

void DashboardPage::setEndpoint(const QString &endpoint, const QString &token)
{
    QString command = QStringLiteral("curl -X POST %1 -H 'Content-Type: application/json'").arg(endpoint);
    if (!token.isEmpty())
        command += QStringLiteral(" -H %1").arg(shellQuote(QStringLiteral("Authorization: Bearer ") + token));
    command += QStringLiteral(R"( -d '{"imageUrl": "https://example.com/cat.jpg", "userId": "alice"}')");
    m_welcome->setCommand(command);
    m_welcome->setText(tr("The producer is listening at <b>%1</b>. Send it an image job from a terminal, "
                          "<b>drop images anywhere on this window</b>, or let the load generator send "
                          "a stream of jobs. The charts start as soon as the first message arrives.")
                           .arg(endpoint.toHtmlEscaped()));
}

void DashboardPage::updateWelcome()
{
    if (!m_seenData) {
        if (const auto all = m_history->latest(QString()); all && hasData(*all))
            m_seenData = true;
        for (int row = 0; !m_seenData && row < m_model->rowCount(); ++row) {
            for (int c = ChartDataModel::Ready; c <= ChartDataModel::FailedPerSecond; ++c) {
                const double v = m_model->value(row, ChartDataModel::Column(c));
                if (v > 0) {
                    m_seenData = true;
                    break;
                }
            }
        }
    }
    // Once anything has been seen, the charts stay, zeros and all: they are the history.
    QWidget *shown = m_seenData ? static_cast<QWidget *>(m_rows) : m_welcome;
    if (m_chartsStack->currentWidget() != shown)
        m_chartsStack->setCurrentWidget(shown);
}

void DashboardPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        updateHeld();
    QWidget::changeEvent(event);
}

void DashboardPage::setQueueStates(const QList<QueueSnapshot> &queues)
{
    QMap<QString, QueueSnapshot> states;
    for (const QueueSnapshot &q : queues)
        states.insert(q.name, q);
    m_queueStates = states;
    // The queue box says it too, so a paused queue is known before it is chosen.
    for (int i = 1; i < m_queueBox->count(); ++i) {
        const QString name = m_queueBox->itemData(i).toString();
        const auto it = m_queueStates.constFind(name);
        QString text = name;
        if (it != m_queueStates.cend() && it->settings.paused)
            text = tr("%1 — paused").arg(name);
        else if (it != m_queueStates.cend() && isUnserved(it->settings))
            text = tr("%1 — no consumer").arg(name);
        if (m_queueBox->itemText(i) != text)
            m_queueBox->setItemText(i, text);
    }
    updateHeld();
}

void DashboardPage::updateHeld()
{
    const QString shown = m_model->queue();
    QStringList paused;
    QStringList unserved;
    qint64 waiting = 0;
    for (const QueueSnapshot &q : std::as_const(m_queueStates)) {
        if (!shown.isEmpty() && q.name != shown)
            continue;
        if (q.settings.paused)
            paused.append(q.name);
        else if (isUnserved(q.settings))
            unserved.append(q.name);
        else
            continue;
        waiting += q.counts.ready + q.counts.delayed;
    }
    QString note;
    if (!paused.isEmpty() && !unserved.isEmpty())
        note = tr("held: %1 paused, %2 without consumer").arg(paused.size()).arg(unserved.size());
    else if (!paused.isEmpty())
        note = shown.isEmpty() && paused.size() > 1 ? tr("%1 queues paused").arg(paused.size())
            : shown.isEmpty()                       ? tr("%1 paused").arg(paused.first())
                                                    : tr("paused");
    else if (!unserved.isEmpty())
        note = shown.isEmpty() && unserved.size() > 1 ? tr("%1 queues without consumer").arg(unserved.size())
            : shown.isEmpty()                         ? tr("%1: no consumer").arg(unserved.first())
                                                      : tr("no consumer");
    m_tiles->setHeldNote(note);

    QStringList lines;
    const auto names = [](const QStringList &list) {
        QStringList bold;
        for (const QString &n : list)
            bold.append(QStringLiteral("<b>%1</b>").arg(n.toHtmlEscaped()));
        return bold.join(QStringLiteral(", "));
    };
    if (!paused.isEmpty())
        lines.append(tr("%1 %2 paused: nothing is delivered and the backlog grows until %3 resumed "
                        "(Queues page, or Queue → Resume).")
                         .arg(names(paused), paused.size() == 1 ? tr("is") : tr("are"),
                             paused.size() == 1 ? tr("it is") : tr("they are")));
    if (!unserved.isEmpty())
        lines.append(tr("%1 %2 no consumer: messages wait until one is set on the Queues page or a "
                        "client pulls them.")
                         .arg(names(unserved), unserved.size() == 1 ? tr("has") : tr("have")));
    if (!lines.isEmpty() && waiting > 0)
        lines.append(waiting == 1 ? tr("1 message waits there.")
                                  : tr("%1 messages wait there.").arg(formatCount(waiting)));
    m_notice->setText(lines.join(QStringLiteral(" ")));
    // Only the text colour is set, so the rest follows the theme; the colour itself is
    // chosen again when the palette changes (changeEvent).
    QPalette p;
    p.setColor(QPalette::WindowText, stateColor(MessageStateKind::Retried, palette()));
    m_notice->setPalette(p);
    m_notice->setVisible(!lines.isEmpty());
}

void DashboardPage::attach(Runtime *runtime)
{
    // The same names the runtime gives its own row in a shared store's node table.
    m_nodes->setLocalProcess(
        QHostInfo::localHostName(), QCoreApplication::applicationPid(), runtime->endpoint());
    m_nodesPanel->setStore(displayStoreSpec(runtime->storePath()), runtime->sharedStore());
    connect(runtime, &Runtime::nodes, m_nodes, &NodeTableModel::setNodes);
    connect(runtime, &Runtime::snapshot, this, &DashboardPage::setQueueStates);
    setEndpoint(runtime->endpoint(), runtime->options().token);
}

void DashboardPage::buildCharts()
{
    using C = ChartDataModel;
    using S = MessageStateKind;
    // Depth is what waits or is being worked on; finished failures have their own chart.
    m_depth = new ChartPanel(m_model, tr("Queue depth"), m_top);
    m_depth->addStack({ { C::Ready, S::Ready }, { C::Delayed, S::Delayed }, { C::InFlight, S::InFlight } });
    m_depth->setAxisTitles(tr("messages"));

    m_throughput = new ChartPanel(m_model, tr("Batch throughput"), m_top);
    m_throughput->addLine(C::AckedPerSecond, tr("Acked"), S::Acked);
    m_throughput->addLine(C::RetriedPerSecond, tr("Retried"), S::Retried);
    m_throughput->addLine(C::FailedPerSecond, tr("Failed"), S::Failed);
    m_throughput->addLine(C::DeadLetteredPerSecond, tr("Dead-lettered"), S::DeadLettered);
    m_throughput->addLine(C::BatchesPerSecond, tr("Batches"), kBatches, ChartPanel::Axis::Left, Qt::DashLine);
    m_throughput->addLine(
        C::MeanBatchSize, tr("Batch size"), kBatchSize, ChartPanel::Axis::Right, Qt::DotLine);
    m_throughput->setAxisTitles(tr("per second"), tr("per batch"));

    m_failures = new ChartPanel(m_model, tr("Failures"), m_bottom);
    m_failures->addLine(C::Failed, tr("Failed"), S::Failed);
    m_failures->addLine(
        C::DeadLetterDepth, tr("In DLQ"), S::DeadLettered, ChartPanel::Axis::Left, Qt::DashLine);
    m_failures->addLine(C::FailureRate,
        tr("Failure rate (%1 avg)").arg(ChartDataModel::failureWindowName(m_model->range())), S::Retried,
        ChartPanel::Axis::Right);
    m_failures->setAxisTitles(tr("messages"), tr("% of outcomes"));
    m_failures->setAxisCeiling(ChartPanel::Axis::Right, 100);

    m_latency = new ChartPanel(m_model, tr("Latency"), m_bottom);
    m_latency->addLine(C::ProcessingP50, tr("Batch p50"), kP50);
    m_latency->addLine(C::ProcessingP95, tr("Batch p95"), kP95);
    m_latency->addLine(C::EndToEndP50, tr("End to end p50"), kP50, ChartPanel::Axis::Left, Qt::DashLine);
    m_latency->addLine(C::EndToEndP95, tr("End to end p95"), kP95, ChartPanel::Axis::Left, Qt::DashLine);
    m_latency->setDurationAxis(ChartPanel::Axis::Left);
}

void DashboardPage::updateTiles()
{
    if (const auto frame = m_history->latest(m_model->queue()))
        m_tiles->setFrame(*frame);
    else
        m_tiles->clear();
}

void DashboardPage::setQueues(const QStringList &names)
{
    const QString current = m_queueBox->currentData().toString();
    QStringList sorted = names;
    sorted.sort(Qt::CaseInsensitive);
    QStringList have;
    for (int i = 1; i < m_queueBox->count(); ++i)
        have.append(m_queueBox->itemData(i).toString());
    if (have == sorted)
        return;
    const QSignalBlocker block(m_queueBox);
    while (m_queueBox->count() > 1)
        m_queueBox->removeItem(1);
    for (const QString &name : std::as_const(sorted))
        m_queueBox->addItem(name, name);
    const int index = m_queueBox->findData(current);
    m_queueBox->setCurrentIndex(index < 0 ? 0 : index);
    if (index < 0 && !current.isEmpty()) {
        m_model->setQueue(QString());
        updateTiles();
    }
    setQueueStates(m_queueStates.values()); // the new items' paused marks
}

void DashboardPage::selectQueue(const QString &name)
{
    const int index = m_queueBox->findData(name);
    if (index >= 0) {
        m_queueBox->setCurrentIndex(index);
    } else if (!name.isEmpty()) {
        // Not known yet (the first snapshot has not come): keep the choice for when it does.
        m_queueBox->addItem(name, name);
        m_queueBox->setCurrentIndex(m_queueBox->count() - 1);
    }
}

void DashboardPage::setPaused(bool paused)
{
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused); // comes back here through toggled
    m_pause->setText(paused ? tr("&Resume") : tr("&Pause"));
    if (m_model->isPaused() != paused) {
        m_model->setPaused(paused);
        emit pausedChanged(paused);
    }
}

void DashboardPage::exportPng(const QString &path)
{
    // Grabbing must happen here; encoding and writing need not.
    const QImage image = m_rows->grab().toImage();
    auto *watcher = new QFutureWatcher<bool>(this);
    connect(watcher, &QFutureWatcher<bool>::finished, this, [this, watcher, path] {
        emit exported(path, watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([image, path] { return image.save(path, "PNG"); }));
}

void DashboardPage::exportCsv(const QString &path)
{
    const QByteArray csv = m_model->toCsv().toUtf8();
    auto *watcher = new QFutureWatcher<bool>(this);
    connect(watcher, &QFutureWatcher<bool>::finished, this, [this, watcher, path] {
        emit exported(path, watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([csv, path] {
        QFile file(path);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(csv) == csv.size();
    }));
}

void DashboardPage::exportPngDialog()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export charts as PNG"),
        dir + QStringLiteral("/queuedeck-dashboard.png"), tr("PNG images (*.png)"));
    if (!path.isEmpty())
        exportPng(path);
}

void DashboardPage::exportCsvDialog()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart data as CSV"),
        dir + QStringLiteral("/queuedeck-metrics.csv"), tr("CSV files (*.csv)"));
    if (!path.isEmpty())
        exportCsv(path);
}

void DashboardPage::saveState(QSettings &settings) const
{
    settings.setValue(QStringLiteral("dashboard/range"), m_rangeBox->currentData().toInt());
    settings.setValue(QStringLiteral("dashboard/queue"), m_queueBox->currentData().toString());
    settings.setValue(QStringLiteral("dashboard/rows"), m_rows->saveState());
    settings.setValue(QStringLiteral("dashboard/top"), m_top->saveState());
    settings.setValue(QStringLiteral("dashboard/bottom"), m_bottom->saveState());
}

void DashboardPage::restoreState(const QSettings &settings)
{
    const int range = settings.value(QStringLiteral("dashboard/range"), int(m_model->range())).toInt();
    const int index = m_rangeBox->findData(range);
    if (index >= 0)
        m_rangeBox->setCurrentIndex(index);
    selectQueue(settings.value(QStringLiteral("dashboard/queue")).toString());
    m_rows->restoreState(settings.value(QStringLiteral("dashboard/rows")).toByteArray());
    m_top->restoreState(settings.value(QStringLiteral("dashboard/top")).toByteArray());
    m_bottom->restoreState(settings.value(QStringLiteral("dashboard/bottom")).toByteArray());
}

} // namespace qd
