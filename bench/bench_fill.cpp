// Fills a queue with no consumer to a million messages through the broker (sends of 100,
// realistic ~100-byte JSON bodies), then measures what a person waits for when QueueDeck
// starts on that store: opening it, starting the broker, the first tick, the first
// counts and the first page of the message table. The start-up runs in a fresh process
// (this program again, with --startup) so its memory figure is its own.

#include "benchsupport.h"

#include "broker.h"
#include "clock.h"
#include "sqlitestore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace qd;
using namespace qdbench;

namespace {

const QString kQueue = QStringLiteral("fill");

double elapsedMs(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

qint64 storeBytes(const QString &db)
{
    return fileBytes(db) + fileBytes(db + QStringLiteral("-wal"));
}

QJsonObject startup(const QString &path)
{
    QElapsedTimer total;
    total.start();
    QElapsedTimer t;
    t.start();
    SqliteStore store(path);
    QString error;
    if (!store.open(&error))
        qFatal("open: %s", qPrintable(error));
    const double openMs = elapsedMs(t);
    t.restart();
    SystemClock clock;
    Broker broker(&store, &clock);
    if (!broker.start(&error))
        qFatal("start: %s", qPrintable(error));
    const double startMs = elapsedMs(t);
    const qint64 rssStartKb = peakRssKb();
    t.restart();
    QEventLoop loop;
    QTimer::singleShot(0, &loop, &QEventLoop::quit); // after the tick start() queued
    loop.exec();
    const double tickMs = elapsedMs(t);
    t.restart();
    const QueueCounts counts = broker.counts(kQueue);
    const double countsMs = elapsedMs(t);
    const qint64 rssCountsKb = peakRssKb();
    t.restart();
    MessageFilter filter;
    filter.queueId = broker.queue(kQueue).value_or(QueueRecord {}).id;
    const std::vector<Message> page = store.listMessages(filter, clock.nowMs(), 0, 100);
    const double pageMs = elapsedMs(t);
    const qint64 rssPageKb = peakRssKb();
    t.restart();
    const qint64 rows = store.countMessages(filter, clock.nowMs());
    const double countMs = elapsedMs(t);
    const double totalMs = elapsedMs(total);
    return QJsonObject {
        { QStringLiteral("open_ms"), openMs },
        { QStringLiteral("broker_start_ms"), startMs },
        { QStringLiteral("first_tick_ms"), tickMs },
        { QStringLiteral("queue_counts_ms"), countsMs },
        { QStringLiteral("first_page_ms"), pageMs },
        { QStringLiteral("count_rows_ms"), countMs },
        { QStringLiteral("total_ms"), totalMs },
        { QStringLiteral("ready"), counts.ready },
        { QStringLiteral("rows"), rows },
        { QStringLiteral("page_rows"), qint64(page.size()) },
        { QStringLiteral("peak_rss_kb"), peakRssKb() },
        { QStringLiteral("peak_rss_after_start_kb"), rssStartKb },
        { QStringLiteral("peak_rss_after_counts_kb"), rssCountsKb },
        { QStringLiteral("peak_rss_after_page_kb"), rssPageKb },
    };
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("QueueDeck fill and start-up benchmark"));
    parser.addHelpOption();
    const QCommandLineOption messagesOpt(QStringLiteral("messages"), QStringLiteral("Messages to fill."),
        QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption perSendOpt(QStringLiteral("per-send"),
        QStringLiteral("Messages per send (1..100)."), QStringLiteral("n"), QStringLiteral("100"));
    const QCommandLineOption inflightOpt(QStringLiteral("inflight"),
        QStringLiteral("Sends in flight at a time."), QStringLiteral("n"), QStringLiteral("4"));
    const QCommandLineOption dirOpt(QStringLiteral("dir"),
        QStringLiteral("Where to make the store (default: temp)."), QStringLiteral("dir"));
    const QCommandLineOption keepOpt(
        QStringLiteral("keep"), QStringLiteral("Keep the filled store and print its path."));
    const QCommandLineOption startupOpt(QStringLiteral("startup"),
        QStringLiteral("Only measure start-up on an existing store."), QStringLiteral("db"));
    parser.addOptions({ messagesOpt, perSendOpt, inflightOpt, dirOpt, keepOpt, startupOpt });
    parser.process(app);

    if (parser.isSet(startupOpt)) {
        printResult(startup(parser.value(startupOpt)));
        return 0;
    }

    const qint64 n = std::max(1LL, parser.value(messagesOpt).toLongLong());
    const int perSend = std::clamp(parser.value(perSendOpt).toInt(), 1, 100);
    const int inflight = std::max(1, parser.value(inflightOpt).toInt());
    const QString base = parser.value(dirOpt);
    QTemporaryDir tmp(base.isEmpty() ? QString() : base + QStringLiteral("/qd-fill-XXXXXX"));
    if (!tmp.isValid())
        qFatal("cannot create a temporary directory");
    const QString path = tmp.filePath(QStringLiteral("queuedeck.db"));
    if (parser.isSet(keepOpt)) {
        tmp.setAutoRemove(false);
        std::printf("keeping the store at %s\n", qPrintable(path));
    }

    std::printf("bench_fill: %lld messages, sends of %d, %d sends in flight, no consumer\n",
        static_cast<long long>(n), perSend, inflight);
    double fillS = 0;
    qint64 bytesOpen = 0;
    qint64 errors = 0;
    qint64 fillPeakKb = 0;
    {
        SqliteStore store(path);
        QString error;
        if (!store.open(&error))
            qFatal("open: %s", qPrintable(error));
        SystemClock clock;
        Broker broker(&store, &clock);
        if (!broker.start(&error))
            qFatal("start: %s", qPrintable(error));
        QueueSettings settings;
        settings.consumerType = ConsumerType::None;
        settings.retentionSeconds = 1'209'600;
        if (const Error e = broker.createQueue(kQueue, settings); e.isError())
            qFatal("createQueue: %s", qPrintable(e.message));
        broker.pumpAll();

        qint64 issued = 0;
        qint64 durable = 0;
        QEventLoop loop;
        std::function<void()> issue = [&] {
            if (issued >= n)
                return;
            std::vector<SendItem> items(std::size_t(std::min<qint64>(perSend, n - issued)));
            for (SendItem &item : items)
                item.body = sampleBody(issued++);
            const qint64 count = qint64(items.size());
            const Error e
                = broker.send(kQueue, std::move(items), std::nullopt, [&, count](const Error &result) {
                      if (result.isError())
                          ++errors;
                      durable += count;
                      if (durable >= n)
                          loop.quit();
                      else
                          issue();
                  });
            if (e.isError())
                qFatal("send: %s", qPrintable(e.message));
        };
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < inflight; ++i)
            issue();
        loop.exec();
        fillS = double(t.nsecsElapsed()) / 1e9;
        bytesOpen = storeBytes(path);
        fillPeakKb = peakRssKb();
    }
    const qint64 bytesClosed = storeBytes(path);
    const double rate = double(n) / fillS;
    printRow(QStringLiteral("fill time"), QString::number(fillS, 'f', 2) + QStringLiteral(" s"));
    printRow(QStringLiteral("messages/s (durable)"), QString::number(rate, 'f', 0));
    printRow(QStringLiteral("store on disk, open (db + wal)"),
        QString::number(double(bytesOpen) / 1048576.0, 'f', 1) + QStringLiteral(" MiB"));
    printRow(QStringLiteral("store on disk, closed"),
        QString::number(double(bytesClosed) / 1048576.0, 'f', 1) + QStringLiteral(" MiB"));
    printRow(QStringLiteral("peak RSS while filling"),
        QString::number(double(fillPeakKb) / 1024.0, 'f', 1) + QStringLiteral(" MiB"));

    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), { QStringLiteral("--startup"), path });
    QJsonObject start;
    if (!child.waitForFinished(120'000) || child.exitCode() != 0)
        qFatal("the start-up process failed");
    const QList<QByteArray> lines = child.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("RESULT "))
            start = QJsonDocument::fromJson(line.mid(7)).object();
    }
    const auto ms = [&](const char *key) -> QString {
        return QString::number(start.value(QLatin1String(key)).toDouble(), 'f', 1) + QStringLiteral(" ms");
    };
    std::printf("start-up on the filled store (fresh process)\n");
    printRow(QStringLiteral("open store"), ms("open_ms"));
    printRow(QStringLiteral("broker start (recovery, retention)"), ms("broker_start_ms"));
    printRow(QStringLiteral("first tick"), ms("first_tick_ms"));
    printRow(QStringLiteral("queue counts"), ms("queue_counts_ms"));
    printRow(QStringLiteral("first page of 100 messages"), ms("first_page_ms"));
    printRow(QStringLiteral("count of all rows"), ms("count_rows_ms"));
    printRow(QStringLiteral("total"), ms("total_ms"));
    const auto mib = [&](const char *key) -> QString {
        return QString::number(start.value(QLatin1String(key)).toDouble() / 1024.0, 'f', 1)
            + QStringLiteral(" MiB");
    };
    printRow(QStringLiteral("peak RSS after start, counts, page"),
        mib("peak_rss_after_start_kb") + QStringLiteral(" / ") + mib("peak_rss_after_counts_kb")
            + QStringLiteral(" / ") + mib("peak_rss_after_page_kb"));
    printRow(QStringLiteral("peak RSS of the start-up process"),
        QString::number(start.value(QStringLiteral("peak_rss_kb")).toDouble() / 1024.0, 'f', 1)
            + QStringLiteral(" MiB"));

    printResult(QJsonObject {
        { QStringLiteral("bench"), QStringLiteral("fill") },
        { QStringLiteral("messages"), n },
        { QStringLiteral("per_send"), perSend },
        { QStringLiteral("inflight"), inflight },
        { QStringLiteral("fill_s"), fillS },
        { QStringLiteral("messages_per_s"), rate },
        { QStringLiteral("store_bytes_open"), bytesOpen },
        { QStringLiteral("store_bytes_closed"), bytesClosed },
        { QStringLiteral("fill_peak_rss_kb"), fillPeakKb },
        { QStringLiteral("errors"), errors },
        { QStringLiteral("startup"), start },
    });
    return errors == 0 && start.value(QStringLiteral("rows")).toInteger() == n ? 0 : 1;
}
