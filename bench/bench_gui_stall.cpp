// How long the GUI thread stalls while the runtime moves messages: the main window with
// its dashboard visible (offscreen), a producer on the runtime thread sending R messages a
// second to a queue whose consumer acks every batch, and a 5 ms timer on the GUI thread
// whose lateness is the stall. The budget (README, "Performance") is no stall over 50 ms at 5,000/s.

#include "benchsupport.h"
#include "chartdatamodel.h"
#include "consumer.h"
#include "dashboardpage.h"
#include "mainwindow.h"
#include "metricshistory.h"
#include "runtime.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <atomic>
#include <cstdio>

using namespace qd;
using namespace qdbench;

namespace {

constexpr int kProbeMs = 5;
const QString kQueue = QStringLiteral("load");

// Sends `rate` messages a second from the runtime thread, paced every 10 ms and caught up
// when a tick comes late, in sends of at most 100 (the batch limit).
class Producer final : public QObject {
public:
    explicit Producer(Broker *broker, int rate)
        : m_broker(broker)
        , m_rate(rate)
    {
        m_clock.start();
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
        m_timer.start();
    }
    qint64 sent() const { return m_sent.load(); }

private:
    void tick()
    {
        const qint64 due = m_clock.elapsed() * m_rate / 1000;
        while (m_sent < due) {
            const int n = int(std::min<qint64>(100, due - m_sent));
            std::vector<SendItem> items;
            items.reserve(std::size_t(n));
            for (int i = 0; i < n; ++i)
                items.push_back(SendItem { sampleBody(m_sent + i), ContentType::Json, {} });
            if (m_broker->send(kQueue, std::move(items), {}, {}).isError())
                return;
            m_sent += n;
        }
    }

    Broker *m_broker;
    qint64 m_rate;
    std::atomic<qint64> m_sent { 0 }; // read by the GUI thread at the end
    QElapsedTimer m_clock;
    QTimer m_timer;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("QueueDeck-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_gui_stall"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
        QStringLiteral("Measured seconds (default 30)."), QStringLiteral("N"), QStringLiteral("30"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
        QStringLiteral("Messages per second (default 5000)."), QStringLiteral("R"), QStringLiteral("5000"));
    const QCommandLineOption rangeOption(QStringLiteral("range"),
        QStringLiteral("Chart range: 0 = 1 min, 1 = 5 min, 2 = 1 h, 3 = 24 h (default 1)."),
        QStringLiteral("I"), QStringLiteral("1"));
    const QCommandLineOption dirOption(QStringLiteral("dir"),
        QStringLiteral("Where the store goes (default: a temporary dir)."), QStringLiteral("DIR"));
    parser.addOptions({ secondsOption, rateOption, rangeOption, dirOption });
    parser.process(app);
    const int seconds = parser.value(secondsOption).toInt();
    const int rate = parser.value(rateOption).toInt();
    constexpr int warmupSeconds = 3;

    QTemporaryDir temp(parser.value(dirOption).isEmpty()
            ? QDir::tempPath() + QStringLiteral("/qd-stall-XXXXXX")
            : parser.value(dirOption) + QStringLiteral("/qd-stall-XXXXXX"));
    RuntimeOptions options;
    options.dataDir = temp.path();
    options.port = 0;
    Runtime runtime(options);
    QString error;
    if (!runtime.start(&error)) {
        std::fprintf(stderr, "bench_gui_stall: %s\n", qPrintable(error));
        return 1;
    }
    Broker *broker = runtime.broker();
    Producer *producer = nullptr;
    QMetaObject::invokeMethod(
        broker,
        [&] {
            QueueSettings s;
            s.maxBatchSize = 10;
            s.maxBatchTimeoutMs = 1000;
            broker->createQueue(kQueue, s);
            broker->attachConsumer(
                kQueue, std::make_shared<FunctionConsumer>([](const Delivery &, BatchOutcome &) {}));
            producer = new Producer(broker, rate);
            producer->setParent(broker);
        },
        Qt::BlockingQueuedConnection);

    MainWindow window(&runtime);
    window.resize(1280, 820);
    window.showPage(MainWindow::Dashboard);
    window.dashboard()->rangeBox()->setCurrentIndex(parser.value(rangeOption).toInt());
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        std::fprintf(stderr, "bench_gui_stall: the window was not exposed\n");

    // Frames seen while measuring, to report what the runtime really moved.
    qint64 acked = 0;
    qint64 measuredMs = 0;
    bool measuring = false;
    QObject::connect(&runtime, &Runtime::metrics, &app, [&](const QList<MetricsFrame> &frames) {
        for (const MetricsFrame &f : frames) {
            if (f.queue == kQueue && measuring) {
                acked += f.acked;
                measuredMs += f.intervalMs;
            }
        }
    });

    std::vector<double> stalls;
    QElapsedTimer sinceLast;
    QElapsedTimer total;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(kProbeMs);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const double gapMs = double(sinceLast.nsecsElapsed()) / 1e6;
        sinceLast.restart();
        if (measuring)
            stalls.push_back(std::max(0.0, gapMs - kProbeMs));
    });
    QTimer::singleShot(warmupSeconds * 1000, &app, [&] {
        measuring = true;
        total.start();
    });
    QTimer::singleShot((warmupSeconds + seconds) * 1000, &app, [&] {
        measuring = false;
        QCoreApplication::quit();
    });
    sinceLast.start();
    probe.start();
    const double cpuBefore = processCpuSeconds();
    app.exec();
    const double cpu = processCpuSeconds() - cpuBefore;
    const double elapsed = double(total.elapsed()) / 1000.0;
    const qint64 sent = producer ? producer->sent() : 0;
    runtime.stop();

    const double maxStall = stalls.empty() ? 0 : *std::max_element(stalls.begin(), stalls.end());
    const double p99 = percentile(stalls, 99);
    const double p50 = percentile(stalls, 50);
    const qint64 over50 = std::count_if(stalls.begin(), stalls.end(), [](double s) { return s > 50; });
    const double ackedPerSecond = measuredMs > 0 ? double(acked) * 1000.0 / double(measuredMs) : 0;
    printRow(QStringLiteral("target rate"), QStringLiteral("%1 msg/s").arg(rate));
    printRow(
        QStringLiteral("acked (runtime frames)"), QStringLiteral("%1 msg/s").arg(ackedPerSecond, 0, 'f', 0));
    printRow(QStringLiteral("chart range"), window.dashboard()->rangeBox()->currentText());
    printRow(QStringLiteral("probe ticks"), QString::number(stalls.size()));
    printRow(QStringLiteral("GUI stall p50"), QStringLiteral("%1 ms").arg(p50, 0, 'f', 2));
    printRow(QStringLiteral("GUI stall p99"), QStringLiteral("%1 ms").arg(p99, 0, 'f', 2));
    printRow(QStringLiteral("GUI stall max"), QStringLiteral("%1 ms").arg(maxStall, 0, 'f', 2));
    printRow(QStringLiteral("stalls over 50 ms"), QString::number(over50));
    printRow(QStringLiteral("process CPU"),
        QStringLiteral("%1 s over %2 s").arg(cpu, 0, 'f', 1).arg(elapsed, 0, 'f', 1));
    printResult(QJsonObject { { QStringLiteral("bench"), QStringLiteral("gui_stall") },
        { QStringLiteral("rate"), rate }, { QStringLiteral("sent"), sent },
        { QStringLiteral("acked_per_s"), ackedPerSecond }, { QStringLiteral("seconds"), elapsed },
        { QStringLiteral("stall_p50_ms"), p50 }, { QStringLiteral("stall_p99_ms"), p99 },
        { QStringLiteral("stall_max_ms"), maxStall }, { QStringLiteral("stalls_over_50ms"), over50 } });
    return maxStall > 50 ? 3 : 0;
}
