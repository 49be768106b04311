#include "brokerfixture.h"
#include "messagequery.h"
#include "messagesearch.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>

using namespace qdtest;

namespace {

std::vector<qd::SendItem> jobs(int n, int first = 0, int users = 7)
{
    std::vector<qd::SendItem> out;
    for (int i = first; i < first + n; ++i) {
        const QByteArray body = "{\"imageUrl\":\"https://img.test/" + QByteArray::number(i)
            + ".png\",\"userId\":\"user" + QByteArray::number(i % users) + "\"}";
        out.push_back(qd::SendItem { body, qd::ContentType::Json, {} });
    }
    return out;
}

QStringList sendJobs(BrokerFixture &fx, const QString &queue, int n)
{
    QStringList ids;
    for (int sent = 0; sent < n; sent += 100) {
        QStringList batch;
        if (fx.broker->send(queue, jobs(std::min(100, n - sent), sent), {}, {}, &batch).isError())
            return {};
        ids += batch;
    }
    fx.broker->pumpAll();
    return ids;
}

// Fails every message of `queue` once (no retries, no DLQ), then leaves it without a consumer.
QStringList makeFailed(
    BrokerFixture &fx, const QString &queue, int n, const std::function<QString(int)> &error)
{
    if (!fx.broker->queue(queue) && !fx.createQueue(queue, settings(100, 0, 0)))
        return {};
    int i = 0;
    fx.broker->attachConsumer(
        queue, std::make_shared<RecordingConsumer>([&](const qd::Delivery &d, qd::BatchOutcome &o) {
            for (const qd::Message &m : d.messages)
                o.retry(m.id, std::nullopt, error(i++));
        }));
    const QStringList ids = sendJobs(fx, queue, n);
    fx.broker->pumpAll();
    fx.broker->attachConsumer(queue, nullptr);
    return ids;
}

struct Reader {
    explicit Reader(BrokerFixture &fx)
        : query(fx.storeSpec(), &fx.clock)
    {
    }

    // The final answer to one request (a first look may come in two: rows, then count).
    qd::WindowResult window(const qd::WindowRequest &request)
    {
        QSignalSpy spy(&query, &qd::MessageQuery::windowReady);
        const quint64 mine = ++ticket;
        query.requestWindow(0, 0, mine, request);
        for (qsizetype seen = 0;; ++seen) {
            if (spy.size() <= seen && !spy.wait(10'000))
                return {};
            const auto result = spy.at(seen).at(1).value<qd::WindowResult>();
            if (spy.at(seen).at(0).toULongLong() == mine && !result.partial)
                return result;
        }
    }

    qd::WindowResult page(const qd::MessageFilter &filter, qint64 offset, int limit, bool withCount = true)
    {
        qd::WindowRequest r;
        r.filter = filter;
        r.offset = offset;
        r.limit = limit;
        r.withCount = withCount;
        return window(r);
    }

    qd::MessageQuery query;
    quint64 ticket = 0;
};

} // namespace

// The views' reader: pages, counts, sorting, anchors, failure groups, details and export
// over a second connection; and the broker operations only the window uses.
class TstMessageQuery : public QObject {
    Q_OBJECT
private slots:
    void pagesCountsAndSorting()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 60'000)));
        const QStringList ids = sendJobs(fx, QStringLiteral("q"), 1000);
        QCOMPARE(ids.size(), 1000);
        Reader reader(fx);

        qd::WindowResult r = reader.page({}, 0, 50);
        QCOMPARE(r.count, 1000);
        QCOMPARE(r.rows.size(), 50);
        QCOMPARE(r.rows[0].id, ids[0]);
        QCOMPARE(r.rows[0].queue, QStringLiteral("q"));
        QCOMPARE(qd::stateFilterName(r.rows[0].state), QStringLiteral("ready"));
        QCOMPARE(r.rows[3].userId, QStringLiteral("user3"));
        QCOMPARE(r.rows[3].url, QStringLiteral("https://img.test/3.png"));
        QVERIFY(r.rows[0].seq < r.rows[1].seq);

        QCOMPARE(reader.page({}, 990, 50).rows.size(), 10);

        // A first look answers twice: the rows (a lower bound for the count), then the count.
        QSignalSpy both(&reader.query, &qd::MessageQuery::windowReady);
        qd::WindowRequest look;
        look.limit = 10;
        look.withCount = true;
        reader.query.requestWindow(0, 0, 777, look);
        QTRY_COMPARE(both.size(), 2);
        const auto early = both[0][1].value<qd::WindowResult>();
        const auto last = both[1][1].value<qd::WindowResult>();
        QVERIFY(early.partial);
        QCOMPARE(early.count, 10);
        QCOMPARE(early.rows.size(), 10);
        QVERIFY(!last.partial);
        QCOMPARE(last.count, 1000);
        QCOMPARE(last.rows, early.rows);

        qd::MessageFilter byUser;
        byUser.sort = qd::MessageSort::User;
        byUser.descending = true;
        r = reader.page(byUser, 0, 200);
        QCOMPARE(r.rows.size(), 200);
        for (int i = 1; i < r.rows.size(); ++i) {
            const auto &a = r.rows[i - 1];
            const auto &b = r.rows[i];
            QVERIFY(a.userId > b.userId || (a.userId == b.userId && a.seq > b.seq));
        }
        QCOMPARE(r.rows[0].userId, QStringLiteral("user6"));
        // positionOf agrees with the order pages come in, for a computed key too.
        QCOMPARE(fx.store->positionOf(byUser, fx.clock.nowMs(), r.rows[137].seq), 137);

        qd::MessageFilter user;
        user.userId = QStringLiteral("user2");
        QCOMPARE(reader.page(user, 0, 10).count, 1000 / 7 + (1000 % 7 > 2 ? 1 : 0));
    }

    void anchorsFollowRowsThatMoved()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 60'000)));
        const QStringList ids = sendJobs(fx, QStringLiteral("q"), 300);
        Reader reader(fx);
        const qd::WindowResult before = reader.page({}, 100, 20);
        QCOMPARE(before.rows.size(), 20);

        // Ten rows before the window go, and the window's first row too.
        QVERIFY(fx.broker->deleteMessages(ids.mid(0, 10) + QStringList { ids[100] }).ok());
        fx.broker->pumpAll();
        qd::WindowRequest request;
        request.offset = 90;
        request.limit = 40;
        request.withCount = true;
        request.anchorRow = 100;
        for (const qd::MessageRow &row : before.rows)
            request.anchors.append(row.seq);
        const qd::WindowResult after = reader.window(request);
        QCOMPARE(after.count, 289);
        QCOMPARE(after.anchorIndex, 1); // the first anchor is gone
        QCOMPARE(after.anchorNowAt, 90);
        QCOMPARE(after.offset, 80); // where row 100 would be now
        QCOMPARE(after.rows[0].id, ids[90]);
        QCOMPARE(after.rows[10].id, ids[101]);
    }

    // Far pages are read backwards; they must be the same rows as read forwards.
    void farPagesReadBackwards()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(10, 60'000)));
        std::vector<qd::Message> messages;
        const qint64 queueId = fx.queueId(QStringLiteral("q"));
        for (int i = 0; i < 50'000; ++i) {
            qd::Message m;
            m.id = qd::newMessageId();
            m.queueId = queueId;
            m.body = "{\"userId\":\"u" + QByteArray::number(i % 13) + "\"}";
            m.timestampMs = m.visibleAtMs = fx.clock.nowMs() + i;
            messages.push_back(std::move(m));
        }
        fx.store->insertMessages(messages);
        QString error;
        QVERIFY(fx.store->commit(&error));
        Reader reader(fx);
        for (const bool descending : { false, true }) {
            for (const qd::MessageSort sort : { qd::MessageSort::Seq, qd::MessageSort::User }) {
                qd::MessageFilter f;
                f.sort = sort;
                f.descending = descending;
                const qd::WindowResult r = reader.page(f, 44'990, 20, false);
                const auto expected = fx.store->listMessages(f, fx.clock.nowMs(), 44'990, 20);
                QCOMPARE(r.rows.size(), 20);
                for (int i = 0; i < 20; ++i)
                    QCOMPARE(r.rows[i].seq, expected[std::size_t(i)].seq);
                QCOMPARE(reader.page(f, 49'990, 20, false).rows.size(), 10);
            }
        }
    }

    void filtersAndFailureGroups()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        const QStringList failed = makeFailed(fx, QStringLiteral("q"), 30, [](int i) {
            return i % 3 == 0 ? QStringLiteral("timeout after %1 ms").arg(1000 + i)
                              : QStringLiteral("HTTP 404 from https://img.test/%1.png").arg(i);
        });
        QCOMPARE(failed.size(), 30);
        sendJobs(fx, QStringLiteral("q"), 20); // waiting, not failed
        Reader reader(fx);

        qd::MessageFilter failures;
        failures.failures = true;
        QCOMPARE(reader.page(failures, 0, 100).count, 30);
        qd::MessageFilter errors;
        QString problem;
        QVERIFY(qd::MessageSearch::parse(QStringLiteral("state:failed error:timeout"))
                    .applyTo(
                        &errors, [&](const QString &n) { return reader.query.queueId(n); }, 0, &problem));
        QCOMPARE(reader.page(errors, 0, 100).count, 10);

        QSignalSpy spy(&reader.query, &qd::MessageQuery::failureGroupsReady);
        reader.query.requestFailureGroups(0, 0, 1, failures);
        QVERIFY(spy.wait(10'000));
        const auto groups = spy.at(0).at(1).value<QList<qd::FailureGroup>>();
        QCOMPARE(groups.size(), 2);
        QCOMPARE(groups[0].signature, QStringLiteral("HTTP 404 from <url>"));
        QCOMPARE(groups[0].count, 20);
        QCOMPARE(groups[0].seqs.size(), 20);
        QVERIFY(groups[0].sampleError.startsWith(QLatin1String("HTTP 404 from https://img.test/")));
        QCOMPARE(groups[1].signature, QStringLiteral("timeout after <n> ms"));
        QCOMPARE(groups[1].count, 10);
        // A group's pattern finds its messages in the store (a view shows them with it).
        qd::MessageFilter group = failures;
        group.errorPattern = qd::errorSignaturePattern(groups[0].signature);
        QCOMPARE(reader.page(group, 0, 100).count, 20);

        QSignalSpy counts(&reader.query, &qd::MessageQuery::countReady);
        reader.query.requestCount(5, errors);
        QVERIFY(counts.wait(10'000));
        QCOMPARE(counts.at(0).at(1).toLongLong(), 10);
    }

    void editAndRetryKeepsTheOriginal()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        const QStringList ids
            = makeFailed(fx, QStringLiteral("q"), 2, [](int) { return QStringLiteral("bad url"); });
        const QByteArray fixed = "{\"imageUrl\":\"https://img.test/fixed.png\",\"userId\":\"ann\"}";
        QVERIFY(fx.broker->editAndRetry(ids[0], fixed, qd::ContentType::Json, 60).ok());
        const qd::Message m = fx.message(ids[0]);
        QCOMPARE(m.body, fixed);
        QCOMPARE(m.state, qd::MessageState::Pending);
        QCOMPARE(m.visibleAtMs, fx.clock.nowMs() + 60'000);
        const qd::AuditEntry audit = fx.store->audit(1).front();
        QCOMPARE(audit.action, QStringLiteral("edit_resubmit"));
        QCOMPARE(audit.detail.value(QStringLiteral("original_body"))
                     .toObject()
                     .value(QStringLiteral("imageUrl"))
                     .toString(),
            QStringLiteral("https://img.test/0.png"));

        QCOMPARE(
            fx.broker->editAndRetry(ids[0], fixed, qd::ContentType::Json, 0).code, qd::ErrorCode::Conflict);
        QCOMPARE(
            fx.broker->editAndRetry(ids[1], "{nope", qd::ContentType::Json, 0).code, qd::ErrorCode::Invalid);
        QCOMPARE(fx.broker->editAndRetry(ids[1], QByteArray(128'001, 'x'), qd::ContentType::Text, 0).code,
            qd::ErrorCode::TooLarge);
        QCOMPARE(fx.message(ids[1]).state, qd::MessageState::Failed);
        fx.broker->pumpAll();

        Reader reader(fx);
        QSignalSpy spy(&reader.query, &qd::MessageQuery::detailReady);
        reader.query.requestDetail(9, ids[0]);
        QVERIFY(spy.wait(10'000));
        const auto detail = spy.at(0).at(1).value<qd::MessageDetail>();
        QVERIFY(detail.found);
        QCOMPARE(detail.message.body, fixed);
        QCOMPARE(detail.history.size(), 1);
        QCOMPARE(detail.history[0].action, QStringLiteral("edit_resubmit"));
    }

    // A selection's bulk retry works on the seqs it was given, once each, even when they fail
    // again while the run goes on; messages outside it are left alone.
    void bulkRetryOfSeqsIsASnapshot()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        const int n = qd::Broker::kBulkChunk + qd::Broker::kBulkChunk / 2;
        const QStringList ids
            = makeFailed(fx, QStringLiteral("q"), n, [](int) { return QStringLiteral("first"); });
        auto again = std::make_shared<RecordingConsumer>(throwing(QStringLiteral("fails again")));
        fx.broker->attachConsumer(QStringLiteral("q"), again);
        std::vector<qint64> seqs;
        for (int i = 0; i < n - 100; ++i)
            seqs.push_back(fx.message(ids[i]).seq);
        QSignalSpy finished(fx.broker.get(), &qd::Broker::bulkFinished);
        qint64 op = 0;
        QVERIFY(fx.broker->startBulkRetrySeqs(seqs, 0, &op).ok());
        QVERIFY(finished.wait(10'000));
        fx.broker->pumpAll();
        QCOMPARE(finished[0][1].toLongLong(), qint64(n - 100));
        QCOMPARE(finished[0][3].toBool(), false);
        QCOMPARE(again->messageCount(), n - 100);
        for (int i = 0; i < n; ++i)
            QCOMPARE(again->perMessage.value(ids[i]), i < n - 100 ? 1 : 0);
        QCOMPARE(fx.store->audit(1).front().action, QStringLiteral("retry_selection"));
        QCOMPARE(fx.broker->startBulkRetrySeqs({}, -1, &op).code, qd::ErrorCode::Invalid);
    }

    void detailShowsEveryAttemptAndItsBatch()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("q"), settings(3, 0, 1)));
        fx.broker->attachConsumer(
            QStringLiteral("q"), std::make_shared<RecordingConsumer>(throwing(QStringLiteral("boom"))));
        const QStringList ids = sendJobs(fx, QStringLiteral("q"), 3);
        fx.broker->pumpAll();
        fx.broker->pumpAll();
        QCOMPARE(fx.message(ids[1]).state, qd::MessageState::Failed);
        Reader reader(fx);
        QSignalSpy spy(&reader.query, &qd::MessageQuery::detailReady);
        reader.query.requestDetail(1, ids[1]);
        QVERIFY(spy.wait(10'000));
        const auto d = spy.at(0).at(1).value<qd::MessageDetail>();
        QVERIFY(d.found);
        QCOMPARE(qd::stateFilterName(d.state), QStringLiteral("failed"));
        QCOMPARE(d.attempts.size(), 2);
        QCOMPARE(d.attempts[0].attempt.attempt, 2); // newest first
        QCOMPARE(qd::attemptOutcomeName(d.attempts[0].attempt.outcome), QStringLiteral("failed"));
        QCOMPARE(qd::attemptOutcomeName(d.attempts[1].attempt.outcome), QStringLiteral("retried"));
        QCOMPARE(d.attempts[0].attempt.error, QStringLiteral("boom"));
        QVERIFY(d.attempts[0].batch.has_value());
        QCOMPARE(d.attempts[0].batchMembers.size(), 3);
        QVERIFY(d.attempts[0].batch->id != d.attempts[1].batch->id);

        QSignalSpy missing(&reader.query, &qd::MessageQuery::detailReady);
        reader.query.requestDetail(2, QStringLiteral("0123456789abcdef0123456789abcdef"));
        QVERIFY(missing.wait(10'000));
        QVERIFY(!missing.at(0).at(1).value<qd::MessageDetail>().found);
    }

    void exportWritesJsonLines()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        const QStringList ids
            = makeFailed(fx, QStringLiteral("q"), 25, [](int) { return QStringLiteral("e"); });
        sendJobs(fx, QStringLiteral("q"), 5);
        Reader reader(fx);
        const QString path = fx.dir.filePath(QStringLiteral("out.jsonl"));
        QSignalSpy spy(&reader.query, &qd::MessageQuery::exportFinished);
        qd::MessageFilter failures;
        failures.failures = true;
        reader.query.requestExport(3, failures, {}, path);
        QVERIFY(spy.wait(10'000));
        QCOMPARE(spy.at(0).at(1).toLongLong(), 25);
        QVERIFY(spy.at(0).at(2).toString().isEmpty());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.size(), 26); // and a final newline
        const QJsonObject first = QJsonDocument::fromJson(lines[0]).object();
        QCOMPARE(first.value(QStringLiteral("id")).toString(), ids[0]);
        QCOMPARE(first.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        QCOMPARE(first.value(QStringLiteral("body")).toObject().value(QStringLiteral("userId")).toString(),
            QStringLiteral("user0"));

        QSignalSpy some(&reader.query, &qd::MessageQuery::exportFinished);
        reader.query.requestExport(4, {}, { fx.message(ids[3]).seq }, path);
        QVERIFY(some.wait(10'000));
        QCOMPARE(some.at(0).at(1).toLongLong(), 1);
    }
};

QTEST_GUILESS_MAIN(TstMessageQuery)
#include "tst_messagequery.moc"
