#include "dashboardpage.h"

#include "chartpanel.h"
#include "countertilesmodel.h"
#include "countertilesview.h"
#include "metricshistory.h"
#include "nodespanel.h"
#include "nodetablemodel.h"
#include "runtime.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHostInfo>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace qd {

namespace {
// Series colours, picked to read on light and dark backgrounds alike.
const QColor kBlue(0x3b, 0x82, 0xf6);
const QColor kPurple(0xa8, 0x55, 0xf7);
const QColor kAmber(0xf5, 0x9e, 0x0b);
const QColor kRed(0xef, 0x44, 0x44);
const QColor kDlq(0x0d, 0x94, 0x88); // teal: dashes that show over the failed line
const QColor kGreen(0x22, 0xc5, 0x5e);
const QColor kSlate(0x64, 0x74, 0x8b);
const QColor kSky(0x0e, 0xa5, 0xe9);
const QColor kViolet(0x7c, 0x3a, 0xed);
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
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_tilesView);
    layout->addWidget(m_rows, 1);
    layout->addWidget(m_nodesPanel);

    connect(m_queueBox, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setQueue(m_queueBox->currentData().toString());
        updateTiles();
    });
    connect(m_rangeBox, &QComboBox::currentIndexChanged, this,
        [this] { m_model->setRange(ChartDataModel::Range(m_rangeBox->currentData().toInt())); });
    connect(m_pause, &QPushButton::toggled, this, &DashboardPage::setPaused);
    connect(m_exportPng, &QPushButton::clicked, this, &DashboardPage::exportPngDialog);
    connect(m_exportCsv, &QPushButton::clicked, this, &DashboardPage::exportCsvDialog);
    connect(history, &MetricsHistory::framesAdded, this, &DashboardPage::updateTiles);
}

void DashboardPage::attach(Runtime *runtime)
{
    // The same names the runtime gives its own row in a shared store's node table.
    m_nodes->setLocalProcess(
        QHostInfo::localHostName(), QCoreApplication::applicationPid(), runtime->endpoint());
    m_nodesPanel->setStore(displayStoreSpec(runtime->storePath()), runtime->sharedStore());
    connect(runtime, &Runtime::nodes, m_nodes, &NodeTableModel::setNodes);
}

void DashboardPage::buildCharts()
{
    using C = ChartDataModel;
    m_depth = new ChartPanel(m_model, tr("Queue depth"), m_top);
    m_depth->addStack(
        { { C::Ready, kBlue }, { C::Delayed, kPurple }, { C::InFlight, kAmber }, { C::Failed, kRed } });
    m_depth->setAxisTitles(tr("messages"));

    m_throughput = new ChartPanel(m_model, tr("Batch throughput"), m_top);
    m_throughput->addLine(C::AckedPerSecond, tr("Acked"), kGreen);
    m_throughput->addLine(C::RetriedPerSecond, tr("Retried"), kAmber);
    m_throughput->addLine(C::DeadLetteredPerSecond, tr("Dead-lettered"), kRed);
    m_throughput->addLine(C::BatchesPerSecond, tr("Batches"), kBlue, ChartPanel::Axis::Left, Qt::DashLine);
    m_throughput->addLine(C::MeanBatchSize, tr("Batch size"), kSlate, ChartPanel::Axis::Right, Qt::DotLine);
    m_throughput->setAxisTitles(tr("per second"), tr("messages per batch"));

    m_failures = new ChartPanel(m_model, tr("Failures"), m_bottom);
    m_failures->addLine(C::Failed, tr("Failed"), kRed);
    m_failures->addLine(C::DeadLetterDepth, tr("In DLQ"), kDlq, ChartPanel::Axis::Left, Qt::DashLine);
    m_failures->addLine(C::FailureRate, tr("Failure rate"), kAmber, ChartPanel::Axis::Right);
    m_failures->setAxisTitles(tr("messages"), tr("% of outcomes"));
    m_failures->setAxisCeiling(ChartPanel::Axis::Right, 100);

    m_latency = new ChartPanel(m_model, tr("Latency"), m_bottom);
    m_latency->addLine(C::ProcessingP50, tr("Batch p50"), kSky);
    m_latency->addLine(C::ProcessingP95, tr("Batch p95"), kSky, ChartPanel::Axis::Left, Qt::DashLine);
    m_latency->addLine(C::EndToEndP50, tr("End to end p50"), kViolet);
    m_latency->addLine(C::EndToEndP95, tr("End to end p95"), kViolet, ChartPanel::Axis::Left, Qt::DashLine);
    m_latency->setAxisTitles(tr("ms"));
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
