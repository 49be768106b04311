// End-to-end throughput of the runtime: many producers send single messages to one
// queue (batches of 10) with a no-op consumer, through a real SQLite file in WAL mode
// with synchronous=FULL. A send's latency runs from send() to its durable callback; the
// clock stops when every message is acked and that ack is committed.

#include "benchsupport.h"
#include "iostats.h"

#include "broker.h"
#include "clock.h"
#include "consumer.h"
#include "sqlitestore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QEventLoop>
#include <QJsonArray>
#include <QTemporaryDir>

#include <cstdio>

using namespace qd;
using namespace qdbench;

namespace {

struct Options {
    qint64 messages = 200'000;
    int inflight = 64;
    int batchSize = 10;
    int runs = 3;
    QString dir;
};

struct RunFigures {
    double seconds = 0;
    double messagesPerSecond = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    qint64 acked = 0;
    qint64 errors = 0;
    qint64 batches = 0;
    qint64 batchesBySize = 0;
    qint64 batchesByTimeout = 0;
    qint64 commits = 0;
    qint64 sendGroups = 0;
    qint64 brokerEvents = 0;
    IoStats io;
    double cpuS = 0;
};

// Counts the queued calls the broker receives (its ticks). Callbacks that run inside the
// same tick were made durable by the same commit, so this tells commit groups apart.
class BrokerEventCounter final : public QObject {
public:
    using QObject::QObject;
    qint64 events() const { return m_events; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::MetaCall)
            ++m_events;
        return QObject::eventFilter(watched, event);
    }

private:
    qint64 m_events = 0;
};

RunFigures runOnce(const Options &o)
{
    QTemporaryDir tmp(o.dir.isEmpty() ? QString() : o.dir + QStringLiteral("/qd-bench-XXXXXX"));
    if (!tmp.isValid())
        qFatal("cannot create a temporary directory: %s", qPrintable(tmp.errorString()));
    SqliteStore store(tmp.filePath(QStringLiteral("queuedeck.db")));
    QString error;
    if (!store.open(&error))
        qFatal("cannot open the store: %s", qPrintable(error));
    SystemClock clock;
    Broker broker(&store, &clock);
    if (!broker.start(&error))
        qFatal("cannot start the broker: %s", qPrintable(error));

    const QString queue = QStringLiteral("bench");
    const QString markerQueue = QStringLiteral("bench-marker");
    QueueSettings settings;
    settings.maxBatchSize = o.batchSize;
    settings.maxBatchTimeoutMs = 1000;
    if (const Error e = broker.createQueue(queue, settings); e.isError())
        qFatal("createQueue: %s", qPrintable(e.message));
    QueueSettings markerSettings;
    markerSettings.consumerType = ConsumerType::None;
    if (const Error e = broker.createQueue(markerQueue, markerSettings); e.isError())
        qFatal("createQueue: %s", qPrintable(e.message));
    broker.attachConsumer(queue,
        std::make_shared<FunctionConsumer>(
            [](const Delivery &, BatchOutcome &outcome) { outcome.ackAll(); }));
    broker.pumpAll();

    BrokerEventCounter counter;
    broker.installEventFilter(&counter);
    resetIoStats();
    const double cpuStart = processCpuSeconds();

    const qint64 n = o.messages;
    std::vector<qint64> startNs(std::size_t(n), 0);
    std::vector<double> latencyMs(std::size_t(n), 0);
    qint64 issued = 0;
    qint64 errors = 0;
    qint64 sendGroups = 0;
    qint64 lastGroup = -1;
    qint64 endNs = 0;
    bool markerSent = false;
    QElapsedTimer elapsed;
    QEventLoop loop;

    std::function<void()> issue = [&] {
        if (issued >= n)
            return;
        const qint64 i = issued++;
        std::vector<SendItem> items(1);
        items[0].body = sampleBody(i);
        startNs[std::size_t(i)] = elapsed.nsecsElapsed();
        const Error e = broker.send(queue, std::move(items), std::nullopt, [&, i](const Error &result) {
            latencyMs[std::size_t(i)] = double(elapsed.nsecsElapsed() - startNs[std::size_t(i)]) / 1e6;
            if (result.isError())
                ++errors;
            if (const qint64 group = counter.events(); group != lastGroup) {
                lastGroup = group;
                ++sendGroups;
            }
            issue();
        });
        if (e.isError())
            qFatal("send: %s", qPrintable(e.message));
    };

    // Once the last message is acked, one more send is made durable by the commit that
    // also holds those acks: its callback is the moment everything is on disk.
    QObject::connect(&broker, &Broker::batchCompleted, &loop, [&] {
        if (markerSent || broker.counters(queue).acked < n)
            return;
        markerSent = true;
        std::vector<SendItem> items(1);
        items[0].body = QByteArrayLiteral("{\"marker\":true}");
        broker.send(markerQueue, std::move(items), std::nullopt, [&](const Error &result) {
            if (result.isError())
                ++errors;
            endNs = elapsed.nsecsElapsed();
            loop.quit();
        });
    });

    elapsed.start();
    for (int i = 0; i < o.inflight; ++i)
        issue();
    loop.exec();

    const QueueCounters c = broker.counters(queue);
    RunFigures f;
    f.seconds = double(endNs) / 1e9;
    f.messagesPerSecond = double(n) / f.seconds;
    f.p50Ms = percentile(latencyMs, 50);
    f.p99Ms = percentile(latencyMs, 99);
    f.maxMs = percentile(latencyMs, 100);
    f.acked = c.acked;
    f.errors = errors;
    f.batches = c.batches;
    f.batchesBySize = c.batchesBySize;
    f.batchesByTimeout = c.batchesByTimeout;
    f.io = ioStats();
    f.cpuS = processCpuSeconds() - cpuStart;
    // With synchronous=FULL every commit syncs the log once; a checkpoint syncs it once
    // more and the database file once.
    f.commits = f.io.wal.syncs - f.io.db.syncs;
    f.sendGroups = sendGroups;
    f.brokerEvents = counter.events();
    broker.removeEventFilter(&counter);
    return f;
}

QJsonObject ioJson(const FileIo &io)
{
    return QJsonObject { { QStringLiteral("writes"), io.writes },
        { QStringLiteral("write_bytes"), io.writeBytes },
        { QStringLiteral("write_ms"), double(io.writeNs) / 1e6 }, { QStringLiteral("reads"), io.reads },
        { QStringLiteral("read_bytes"), io.readBytes }, { QStringLiteral("syncs"), io.syncs },
        { QStringLiteral("sync_ms"), double(io.syncNs) / 1e6 } };
}

QJsonObject runJson(const RunFigures &f)
{
    return QJsonObject {
        { QStringLiteral("seconds"), f.seconds },
        { QStringLiteral("messages_per_s"), f.messagesPerSecond },
        { QStringLiteral("send_p50_ms"), f.p50Ms },
        { QStringLiteral("send_p99_ms"), f.p99Ms },
        { QStringLiteral("send_max_ms"), f.maxMs },
        { QStringLiteral("acked"), f.acked },
        { QStringLiteral("errors"), f.errors },
        { QStringLiteral("batches"), f.batches },
        { QStringLiteral("batches_by_size"), f.batchesBySize },
        { QStringLiteral("batches_by_timeout"), f.batchesByTimeout },
        { QStringLiteral("commits"), f.commits },
        { QStringLiteral("commits_per_s"), double(f.commits) / f.seconds },
        { QStringLiteral("send_groups"), f.sendGroups },
        { QStringLiteral("messages_per_send_group"),
            double(f.acked) / double(std::max<qint64>(1, f.sendGroups)) },
        { QStringLiteral("broker_ticks"), f.brokerEvents },
        { QStringLiteral("cpu_s"), f.cpuS },
        { QStringLiteral("wal_bytes_per_commit"),
            double(f.io.wal.writeBytes) / double(std::max<qint64>(1, f.commits)) },
        { QStringLiteral("io_wal"), ioJson(f.io.wal) },
        { QStringLiteral("io_db"), ioJson(f.io.db) },
    };
}

void printRun(int index, const RunFigures &f)
{
    std::printf("run %d\n", index + 1);
    printRow(
        QStringLiteral("messages/s (send to durable ack)"), QString::number(f.messagesPerSecond, 'f', 0));
    printRow(QStringLiteral("wall time"), QString::number(f.seconds, 'f', 3) + QStringLiteral(" s"));
    printRow(QStringLiteral("send latency p50 / p99 / max"),
        QStringLiteral("%1 / %2 / %3 ms")
            .arg(f.p50Ms, 0, 'f', 2)
            .arg(f.p99Ms, 0, 'f', 2)
            .arg(f.maxMs, 0, 'f', 2));
    printRow(QStringLiteral("batches (by size / by timeout)"),
        QStringLiteral("%1 (%2 / %3)").arg(f.batches).arg(f.batchesBySize).arg(f.batchesByTimeout));
    printRow(QStringLiteral("commits (per s)"),
        QStringLiteral("%1 (%2/s)").arg(f.commits).arg(double(f.commits) / f.seconds, 0, 'f', 0));
    printRow(QStringLiteral("send groups (messages per group)"),
        QStringLiteral("%1 (%2)")
            .arg(f.sendGroups)
            .arg(double(f.acked) / double(std::max<qint64>(1, f.sendGroups)), 0, 'f', 1));
    printRow(QStringLiteral("errors"), QString::number(f.errors));
    const auto share = [&](qint64 ns) { return 100.0 * double(ns) / 1e9 / f.seconds; };
    printRow(QStringLiteral("process CPU (user + system)"),
        QStringLiteral("%1 s (%2% of wall)")
            .arg(f.cpuS, 0, 'f', 2)
            .arg(100.0 * f.cpuS / f.seconds, 0, 'f', 0));
    printRow(QStringLiteral("log: written per commit"),
        QStringLiteral("%1 KiB (%2 MiB/s)")
            .arg(double(f.io.wal.writeBytes) / 1024.0 / double(std::max<qint64>(1, f.commits)), 0, 'f', 0)
            .arg(double(f.io.wal.writeBytes) / 1048576.0 / f.seconds, 0, 'f', 0));
    printRow(QStringLiteral("log: fsync time"),
        QStringLiteral("%1 syncs, %2 ms (%3% of wall), %4 us each")
            .arg(f.io.wal.syncs)
            .arg(double(f.io.wal.syncNs) / 1e6, 0, 'f', 0)
            .arg(share(f.io.wal.syncNs), 0, 'f', 0)
            .arg(double(f.io.wal.syncNs) / 1e3 / double(std::max<qint64>(1, f.io.wal.syncs)), 0, 'f', 0));
    printRow(QStringLiteral("log: write time"),
        QStringLiteral("%1 writes, %2 ms (%3% of wall)")
            .arg(f.io.wal.writes)
            .arg(double(f.io.wal.writeNs) / 1e6, 0, 'f', 0)
            .arg(share(f.io.wal.writeNs), 0, 'f', 0));
    printRow(QStringLiteral("checkpoints: db written, fsyncs"),
        QStringLiteral("%1 MiB in %2 ms, %3 syncs in %4 ms (%5% of wall)")
            .arg(double(f.io.db.writeBytes) / 1048576.0, 0, 'f', 0)
            .arg(double(f.io.db.writeNs) / 1e6, 0, 'f', 0)
            .arg(f.io.db.syncs)
            .arg(double(f.io.db.syncNs) / 1e6, 0, 'f', 0)
            .arg(share(f.io.db.writeNs + f.io.db.syncNs), 0, 'f', 0));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    installIoCounters();
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("QueueDeck end-to-end pipeline benchmark"));
    parser.addHelpOption();
    const QCommandLineOption messagesOpt(QStringLiteral("messages"), QStringLiteral("Messages per run."),
        QStringLiteral("n"), QStringLiteral("200000"));
    const QCommandLineOption inflightOpt(QStringLiteral("inflight"),
        QStringLiteral("Sends in flight at a time."), QStringLiteral("n"), QStringLiteral("64"));
    const QCommandLineOption batchOpt(QStringLiteral("batch-size"),
        QStringLiteral("The queue's max_batch_size."), QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption runsOpt(QStringLiteral("runs"), QStringLiteral("Runs; the median is reported."),
        QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption dirOpt(QStringLiteral("dir"),
        QStringLiteral("Where to make the store (default: temp)."), QStringLiteral("dir"));
    parser.addOptions({ messagesOpt, inflightOpt, batchOpt, runsOpt, dirOpt });
    parser.process(app);

    Options o;
    o.messages = std::max(1LL, parser.value(messagesOpt).toLongLong());
    o.inflight = std::max(1, parser.value(inflightOpt).toInt());
    o.batchSize = std::clamp(parser.value(batchOpt).toInt(), 1, 100);
    o.runs = std::max(1, parser.value(runsOpt).toInt());
    o.dir = parser.value(dirOpt);

    std::printf(
        "bench_pipeline: %lld messages, %d sends of 1 message in flight, max_batch_size %d, %d runs\n",
        static_cast<long long>(o.messages), o.inflight, o.batchSize, o.runs);
    std::vector<RunFigures> runs;
    QJsonArray runsJson;
    for (int r = 0; r < o.runs; ++r) {
        runs.push_back(runOnce(o));
        printRun(r, runs.back());
        runsJson.append(runJson(runs.back()));
    }

    const auto med = [&](auto field) {
        std::vector<double> v;
        for (const RunFigures &f : runs)
            v.push_back(double(field(f)));
        return median(v);
    };
    const double rate = med([](const RunFigures &f) { return f.messagesPerSecond; });
    const double p50 = med([](const RunFigures &f) { return f.p50Ms; });
    const double p99 = med([](const RunFigures &f) { return f.p99Ms; });
    const double batches = med([](const RunFigures &f) { return f.batches; });
    const double commitsPerS = med([](const RunFigures &f) { return double(f.commits) / f.seconds; });
    const double perGroup = med(
        [](const RunFigures &f) { return double(f.acked) / double(std::max<qint64>(1, f.sendGroups)); });
    qint64 errors = 0;
    qint64 acked = 0;
    for (const RunFigures &f : runs) {
        errors += f.errors;
        acked += f.acked;
    }

    std::printf("median of %d runs\n", o.runs);
    printRow(QStringLiteral("messages/s (send to durable ack)"), QString::number(rate, 'f', 0));
    printRow(QStringLiteral("send latency p50 / p99"),
        QStringLiteral("%1 / %2 ms").arg(p50, 0, 'f', 2).arg(p99, 0, 'f', 2));
    printRow(QStringLiteral("batches"), QString::number(batches, 'f', 0));
    printRow(QStringLiteral("commits per s"), QString::number(commitsPerS, 'f', 0));
    printRow(QStringLiteral("messages per send group"), QString::number(perGroup, 'f', 1));

    printResult(QJsonObject {
        { QStringLiteral("bench"), QStringLiteral("pipeline") },
        { QStringLiteral("messages"), o.messages },
        { QStringLiteral("inflight"), o.inflight },
        { QStringLiteral("batch_size"), o.batchSize },
        { QStringLiteral("runs"), runsJson },
        { QStringLiteral("median"),
            QJsonObject { { QStringLiteral("messages_per_s"), rate }, { QStringLiteral("send_p50_ms"), p50 },
                { QStringLiteral("send_p99_ms"), p99 }, { QStringLiteral("batches"), batches },
                { QStringLiteral("commits_per_s"), commitsPerS },
                { QStringLiteral("messages_per_send_group"), perGroup } } },
        { QStringLiteral("all_acked"), acked == o.messages * o.runs },
        { QStringLiteral("errors"), errors },
    });
    return errors == 0 && acked == o.messages * o.runs ? 0 : 1;
}
