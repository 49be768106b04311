// The message views at a million messages: time to the first rows on screen, to apply a
// filter, to scroll to the end, and peak memory; then a retry of every failed message
// (100,000) from the Failed page: how long it takes and the longest GUI event-loop stall.
// Targets (issue 7): first rows < 500 ms, filter < 1 s, no stall > 100 ms, memory < 300 MB.

#include "benchsupport.h"
#include "bulkprogress.h"
#include "confirmbar.h"
#include "failedpage.h"
#include "messagefilterbar.h"
#include "messagespage.h"
#include "messagetablemodel.h"
#include "messagetableview.h"
#include "runtime.h"
#include "sqlitestore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <cstdio>

using namespace qd;
using namespace qdbench;

namespace {

constexpr int kProbeMs = 5;

// The GUI thread's longest wait between two ticks of a 5 ms timer, less the 5 ms.
class StallProbe final : public QObject {
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kProbeMs);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0)
                m_max = std::max(m_max, double(now - m_last) / 1e6 - kProbeMs);
            m_last = now;
        });
        m_clock.start();
        m_timer.start();
    }
    // The longest stall since the last call.
    double take()
    {
        const double max = m_max;
        m_max = 0;
        return max;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    double m_max = 0;
};

QString errorFor(qint64 i)
{
    switch (i % 5) {
    case 0:
        return QStringLiteral("HTTP 404 from https://img.example/%1.png").arg(i);
    case 1:
        return QStringLiteral("timeout after 30000 ms fetching https://img.example/%1.png").arg(i);
    case 2:
        return QStringLiteral("host img%1.example not found (check the URL's host name)").arg(i % 97);
    case 3:
        return QStringLiteral("not an image: text/html (%1 bytes)").arg(1000 + i % 5000);
    default:
        return QStringLiteral("decode failed: image too large (%1 x %2)").arg(20000 + i % 100).arg(30000);
    }
}

// Writes n messages into queue "images" of a new store, acked but every (n / failed)-th,
// which failed with one of five kinds of error in turn.
double fill(const QString &path, qint64 n, qint64 failed)
{
    QElapsedTimer t;
    t.start();
    SqliteStore store(path);
    QString error;
    if (!store.open(&error))
        qFatal("open: %s", qPrintable(error));
    QueueSettings settings;
    settings.retentionSeconds = 1'209'600;
    const qint64 queueId
        = store.insertQueue(QStringLiteral("images"), settings, QDateTime::currentMSecsSinceEpoch());
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - n;
    const qint64 every = failed > 0 ? std::max<qint64>(1, n / failed) : 0;
    constexpr qint64 kChunk = 20'000;
    for (qint64 at = 0; at < n; at += kChunk) {
        std::vector<Message> messages;
        for (qint64 i = at; i < std::min(n, at + kChunk); ++i) {
            Message m;
            m.id = newMessageId();
            m.queueId = queueId;
            m.body = "{\"imageUrl\":\"https://img.example/" + QByteArray::number(i)
                + ".png\",\"userId\":\"user" + QByteArray::number(i % 1000) + "\"}";
            m.timestampMs = m.visibleAtMs = start + i;
            messages.push_back(std::move(m));
        }
        store.insertMessages(messages);
        std::vector<MessageUpdate> updates;
        for (const Message &m : messages) {
            const qint64 i = m.timestampMs - start;
            const bool fails = every > 0 && i % every == 0 && i / every < failed;
            updates.push_back(MessageUpdate { m.seq, fails ? MessageState::Failed : MessageState::Acked,
                queueId, m.visibleAtMs, fails ? 4 : 1, 0, fails ? errorFor(i / every) : QString() });
        }
        store.updateMessages(updates, start + n);
        if (!store.commit(&error))
            qFatal("commit: %s", qPrintable(error));
    }
    return double(t.nsecsElapsed()) / 1e6;
}

bool visibleLoaded(MessageTableView *view, MessageTableModel *model)
{
    if (model->isLoading())
        return false;
    if (model->rowCount() == 0)
        return true;
    const int first = std::max(0, view->rowAt(0));
    int last = view->rowAt(view->viewport()->height() - 1);
    if (last < 0)
        last = model->rowCount() - 1;
    for (int row = first; row <= last; ++row) {
        if (!model->isLoaded(row))
            return false;
    }
    return true;
}

// Milliseconds from now until `done` holds, running the event loop; -1 past the timeout.
template <typename Done> double timeUntil(Done done, int timeoutMs = 60'000)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return -1;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
    }
    return double(t.nsecsElapsed()) / 1e6;
}

QString ms(double v)
{
    return v < 0 ? QStringLiteral("timed out") : QString::number(v, 'f', 0) + QStringLiteral(" ms");
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("QueueDeck-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_messages"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption messagesOption(QStringLiteral("messages"),
        QStringLiteral("Messages in the store (default 1000000)."), QStringLiteral("N"),
        QStringLiteral("1000000"));
    const QCommandLineOption failedOption(QStringLiteral("failed"),
        QStringLiteral("Of them failed (default 100000)."), QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption dirOption(QStringLiteral("dir"),
        QStringLiteral("Where the store goes (default: a temporary dir)."), QStringLiteral("DIR"));
    const QCommandLineOption fillOption(QStringLiteral("fill"),
        QStringLiteral("Only fill the store FILE, then exit."), QStringLiteral("FILE"));
    parser.addOptions({ messagesOption, failedOption, dirOption, fillOption });
    parser.process(app);
    const qint64 n = parser.value(messagesOption).toLongLong();
    const qint64 failed = parser.value(failedOption).toLongLong();
    if (parser.isSet(fillOption)) {
        std::printf("%f\n", fill(parser.value(fillOption), n, failed));
        return 0;
    }

    QTemporaryDir temp(parser.value(dirOption).isEmpty()
            ? QDir::tempPath() + QStringLiteral("/qd-messages-XXXXXX")
            : parser.value(dirOption) + QStringLiteral("/qd-messages-XXXXXX"));
    std::printf("bench_messages: %lld messages, %lld failed\n", static_cast<long long>(n),
        static_cast<long long>(failed));
    // Filled by another process, so that this one's peak memory is the views' and the runtime's.
    QProcess filler;
    filler.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    filler.start(QCoreApplication::applicationFilePath(),
        { QStringLiteral("--fill"), temp.filePath(QStringLiteral("queuedeck.db")),
            QStringLiteral("--messages"), QString::number(n), QStringLiteral("--failed"),
            QString::number(failed) });
    if (!filler.waitForFinished(600'000) || filler.exitCode() != 0) {
        std::fprintf(stderr, "bench_messages: filling the store failed\n");
        return 1;
    }
    const double fillMs = filler.readAllStandardOutput().trimmed().toDouble();
    printRow(QStringLiteral("fill (direct store writes)"), ms(fillMs));
    const qint64 rssBeforeKb = currentRssKb();

    RuntimeOptions options;
    options.dataDir = temp.path();
    options.port = 0;
    Runtime runtime(options);
    QString error;
    if (!runtime.start(&error)) {
        std::fprintf(stderr, "bench_messages: %s\n", qPrintable(error));
        return 1;
    }
    StallProbe probe;

    // First rows: from making the page to every visible row on screen.
    QElapsedTimer t;
    t.start();
    auto *messages = new MessagesPage(&runtime);
    messages->resize(1280, 820);
    messages->show();
    timeUntil([&] { return visibleLoaded(messages->table(), messages->model()); });
    const double firstRowsMs = double(t.nsecsElapsed()) / 1e6;
    timeUntil([&] { return messages->model()->rowCount() == n && !messages->model()->isCounting(); });
    const double firstCountMs = double(t.nsecsElapsed()) / 1e6;
    const double stallOpen = probe.take();

    // Filters, typed as a person would and applied with Enter.
    // Shown: the visible rows are on screen; counted: the count above the table is final.
    QList<double> countedMs;
    const auto applySearch = [&](const QString &text, qint64 expected) {
        QLineEdit *search = messages->filterBar()->searchEdit();
        search->setText(text);
        QElapsedTimer f;
        f.start();
        QTest::keyClick(search, Qt::Key_Return);
        timeUntil([&] { return visibleLoaded(messages->table(), messages->model()); });
        const double shown = double(f.nsecsElapsed()) / 1e6;
        timeUntil([&] {
            return !messages->model()->isCounting()
                && (expected < 0 || messages->model()->rowCount() == expected);
        });
        countedMs.append(double(f.nsecsElapsed()) / 1e6);
        return shown;
    };
    const double filterFailedMs = applySearch(QStringLiteral("state:failed"), failed);
    const double filterErrorMs = applySearch(QStringLiteral("error:timeout"), failed / 5);
    const double filterUserMs = applySearch(QStringLiteral("user:user7"), n / 1000);
    const double filterTextMs = applySearch(QStringLiteral("img.example/424242.png"), -1);
    const double filterClearMs = applySearch(QString(), n);
    const double stallFilter = probe.take();

    // To the end, as End or a dragged scroll bar does; then a drag through the middle.
    QElapsedTimer s;
    s.start();
    messages->table()->scrollToBottom();
    timeUntil([&] { return visibleLoaded(messages->table(), messages->model()); });
    const double scrollEndMs = double(s.nsecsElapsed()) / 1e6;
    QScrollBar *bar = messages->table()->verticalScrollBar();
    QElapsedTimer d;
    d.start();
    for (int step = 0; step <= 40; ++step) {
        bar->setValue(int(qint64(bar->maximum()) * (40 - step) / 40));
        QTest::qWait(16);
    }
    timeUntil([&] { return visibleLoaded(messages->table(), messages->model()); });
    const double dragMs = double(d.nsecsElapsed()) / 1e6;
    const double stallScroll = probe.take();
    const qint64 rssViewsKb = peakRssKb();

    // Retry everything failed, from the Failed page as a person would.
    messages->hide();
    auto *failedPage = new FailedPage(&runtime);
    failedPage->resize(1280, 820);
    failedPage->show();
    timeUntil([&] {
        return failedPage->model()->rowCount() == failed
            && visibleLoaded(failedPage->table(), failedPage->model());
    });
    probe.take();
    failedPage->findChild<QToolButton *>(QStringLiteral("retryAll"))->click();
    timeUntil([&] { return failedPage->confirmBar()->isVisible(); });
    bool finished = false;
    qint64 retried = 0;
    QObject::connect(
        failedPage->progress(), &BulkProgress::finished, failedPage, [&](qint64 done, qint64, bool) {
            finished = true;
            retried = done;
        });
    QElapsedTimer r;
    r.start();
    failedPage->confirmBar()->confirmButton()->click();
    timeUntil([&] { return finished; }, 600'000);
    const double retryMs = double(r.nsecsElapsed()) / 1e6;
    timeUntil([&] { return failedPage->model()->rowCount() == 0; }, 30'000);
    const double retryListMs = double(r.nsecsElapsed()) / 1e6;
    const double stallRetry = probe.take();
    const qint64 peakKb = peakRssKb();

    std::printf("views over %lld messages (offscreen, 1280x820)\n", static_cast<long long>(n));
    const auto shownCounted = [&](double shown, int i) -> QString {
        return ms(shown) + QStringLiteral(" / ") + ms(countedMs.value(i));
    };
    printRow(QStringLiteral("first rows shown / counted"),
        ms(firstRowsMs) + QStringLiteral(" / ") + ms(firstCountMs));
    printRow(QStringLiteral("filter state:failed, shown / counted"), shownCounted(filterFailedMs, 0));
    printRow(QStringLiteral("filter error:timeout"), shownCounted(filterErrorMs, 1));
    printRow(QStringLiteral("filter user:user7"), shownCounted(filterUserMs, 2));
    printRow(QStringLiteral("filter free text, one match"), shownCounted(filterTextMs, 3));
    printRow(QStringLiteral("filter cleared"), shownCounted(filterClearMs, 4));
    printRow(QStringLiteral("scroll to the end"), ms(scrollEndMs));
    printRow(QStringLiteral("drag end to start, 40 steps"), ms(dragMs));
    printRow(QStringLiteral("max GUI stall: open / filter / scroll"),
        ms(stallOpen) + QStringLiteral(" / ") + ms(stallFilter) + QStringLiteral(" / ") + ms(stallScroll));
    printRow(QStringLiteral("RSS before the runtime / peak with views"),
        QString::number(double(rssBeforeKb) / 1024.0, 'f', 0) + QStringLiteral(" / ")
            + QString::number(double(rssViewsKb) / 1024.0, 'f', 0) + QStringLiteral(" MiB"));
    std::printf("retry all failed from the Failed page\n");
    printRow(QStringLiteral("messages retried"), QString::number(retried));
    printRow(QStringLiteral("retry time (to the last chunk)"), ms(retryMs));
    printRow(QStringLiteral("until the list is empty"), ms(retryListMs));
    printRow(QStringLiteral("max GUI stall while retrying"), ms(stallRetry));
    printRow(QStringLiteral("peak RSS of the process"),
        QString::number(double(peakKb) / 1024.0, 'f', 0) + QStringLiteral(" MiB"));

    printResult(QJsonObject {
        { QStringLiteral("bench"), QStringLiteral("messages") },
        { QStringLiteral("messages"), n },
        { QStringLiteral("failed"), failed },
        { QStringLiteral("fill_ms"), fillMs },
        { QStringLiteral("first_rows_ms"), firstRowsMs },
        { QStringLiteral("first_count_ms"), firstCountMs },
        { QStringLiteral("filter_user_counted_ms"), countedMs.value(2) },
        { QStringLiteral("filter_text_counted_ms"), countedMs.value(3) },
        { QStringLiteral("filter_failed_ms"), filterFailedMs },
        { QStringLiteral("filter_error_ms"), filterErrorMs },
        { QStringLiteral("filter_user_ms"), filterUserMs },
        { QStringLiteral("filter_text_ms"), filterTextMs },
        { QStringLiteral("filter_clear_ms"), filterClearMs },
        { QStringLiteral("scroll_end_ms"), scrollEndMs },
        { QStringLiteral("drag_ms"), dragMs },
        { QStringLiteral("stall_open_ms"), stallOpen },
        { QStringLiteral("stall_filter_ms"), stallFilter },
        { QStringLiteral("stall_scroll_ms"), stallScroll },
        { QStringLiteral("retried"), retried },
        { QStringLiteral("retry_ms"), retryMs },
        { QStringLiteral("retry_list_empty_ms"), retryListMs },
        { QStringLiteral("stall_retry_ms"), stallRetry },
        { QStringLiteral("peak_rss_views_kb"), rssViewsKb },
        { QStringLiteral("peak_rss_kb"), peakKb },
    });
    delete failedPage;
    delete messages;
    runtime.stop();
    return 0;
}
