#include "../runtime/brokerfixture.h"
#include "failuregroupmodel.h"
#include "messagesearch.h"
#include "messagetablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using namespace qd;
using namespace qdtest;

namespace {

constexpr int kMessages = 100'000;
constexpr int kUsers = 50;

QByteArray jobBody(int i)
{
    return "{\"imageUrl\":\"https://img.test/" + QByteArray::number(i) + ".png\",\"userId\":\"user"
        + QByteArray::number(i % kUsers) + "\"}";
}

// A store of 100,000 messages in queue "images", every tenth failed with one of two errors,
// written straight into the store (a broker sends them a hundred at a time just as well,
// only slower).
struct Store {
    BrokerFixture fx;
    QStringList ids; // in send order

    bool fill()
    {
        if (!fx.open() || !fx.createQueue(QStringLiteral("images"), settings(10, 60'000)))
            return false;
        const qint64 queueId = fx.queueId(QStringLiteral("images"));
        std::vector<Message> messages;
        messages.reserve(kMessages);
        for (int i = 0; i < kMessages; ++i) {
            Message m;
            m.id = newMessageId();
            m.queueId = queueId;
            m.body = jobBody(i);
            m.timestampMs = m.visibleAtMs = fx.clock.nowMs() - kMessages + i;
            messages.push_back(std::move(m));
            ids.append(messages.back().id);
        }
        fx.store->insertMessages(messages);
        std::vector<MessageUpdate> failed;
        for (int i = 0; i < kMessages; i += 10) {
            const QString error = i % 20 == 0 ? QStringLiteral("HTTP 404 from https://img.test/%1.png").arg(i)
                                              : QStringLiteral("timeout after 30000 ms");
            failed.push_back(MessageUpdate { messages[std::size_t(i)].seq, MessageState::Failed, queueId,
                messages[std::size_t(i)].visibleAtMs, 4, 0, error });
        }
        fx.store->updateMessages(failed, fx.clock.nowMs());
        QString error;
        return fx.store->commit(&error);
    }

    // Sends n more through the broker, committed when this returns.
    QStringList send(int n, int first)
    {
        QStringList sent;
        for (int at = 0; at < n; at += 100) {
            std::vector<SendItem> items;
            for (int i = at; i < std::min(n, at + 100); ++i)
                items.push_back(SendItem { jobBody(first + i), ContentType::Json, {} });
            QStringList batch;
            if (fx.broker->send(QStringLiteral("images"), std::move(items), {}, {}, &batch).isError())
                return {};
            sent += batch;
        }
        fx.broker->pumpAll();
        return sent;
    }
};

QString idAt(const MessageTableModel &model, int row)
{
    return model.data(model.index(row, MessageTableModel::Id), MessageTableModel::IdRole).toString();
}

bool loaded(const MessageTableModel &model, int first, int last)
{
    for (int row = first; row <= last; ++row) {
        if (!model.isLoaded(row))
            return false;
    }
    return true;
}

} // namespace

// The windowed message table over a real store of 100,000 messages: pages, sorting and
// filtering by the store's queries, and live changes that keep rows and selections.
class TstMessageTableModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(m_store.fill()); }

    void pagesAroundWhatIsShown()
    {
        MessageQuery query(m_store.fx.path(), &m_store.fx.clock);
        MessageTableModel model(&query);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loadedSpy(&model, &MessageTableModel::loaded);
        model.setVisibleRows(0, 30);
        QVERIFY(loadedSpy.wait(10'000));
        QTRY_COMPARE(model.rowCount(), kMessages); // rows first, then the count
        QVERIFY(!model.isCounting());
        QTRY_VERIFY(loaded(model, 0, 30));
        QCOMPARE(idAt(model, 0), m_store.ids.first());
        QCOMPARE(model.data(model.index(3, MessageTableModel::User)).toString(), QStringLiteral("user3"));
        QCOMPARE(model.data(model.index(3, MessageTableModel::Url)).toString(),
            QStringLiteral("https://img.test/3.png"));
        QCOMPARE(model.data(model.index(10, MessageTableModel::State)).toString(), QStringLiteral("failed"));
        QCOMPARE(model.data(model.index(10, MessageTableModel::LastError)).toString(),
            QStringLiteral("timeout after 30000 ms"));
        QVERIFY(!model.isLoaded(50'000));

        // The end, as a scroll bar dragged down would show it.
        model.setVisibleRows(kMessages - 25, kMessages - 1);
        QTRY_VERIFY(loaded(model, kMessages - 25, kMessages - 1));
        QCOMPARE(idAt(model, kMessages - 1), m_store.ids.last());
        QVERIFY(!model.isLoaded(0)); // only a window is kept

        // A jump to the middle; until its page arrives a row says so.
        QCOMPARE(model.data(model.index(50'000, MessageTableModel::Id)).toString(), QStringLiteral("…"));
        QCOMPARE(
            model.data(model.index(50'000, MessageTableModel::Id), MessageTableModel::LoadedRole).toBool(),
            false);
        model.setVisibleRows(49'990, 50'010);
        QTRY_VERIFY(loaded(model, 49'990, 50'010));
        QCOMPARE(idAt(model, 50'000), m_store.ids.at(50'000));
    }

    void sortsInTheStore_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<bool>("descending");
        QTest::addColumn<QString>("firstId");
        QTest::addColumn<QString>("firstUser");
        QTest::newRow("enqueued, newest first")
            << int(MessageTableModel::Enqueued) << true << m_store.ids.last()
            << QStringLiteral("user%1").arg((kMessages - 1) % kUsers);
        // Text order: "user9" comes after "user49".
        QTest::newRow("user, z to a") << int(MessageTableModel::User) << true
                                      << m_store.ids.at(kMessages - kUsers + 9) << QStringLiteral("user9");
        QTest::newRow("user, a to z")
            << int(MessageTableModel::User) << false << m_store.ids.first() << QStringLiteral("user0");
    }

    void sortsInTheStore()
    {
        QFETCH(int, column);
        QFETCH(bool, descending);
        MessageQuery query(m_store.fx.path(), &m_store.fx.clock);
        MessageTableModel model(&query);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setVisibleRows(0, 40);
        model.sort(column, descending ? Qt::DescendingOrder : Qt::AscendingOrder);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), kMessages, 15'000);
        QTRY_VERIFY_WITH_TIMEOUT(loaded(model, 0, 40), 15'000);
        QTEST(idAt(model, 0), "firstId");
        QTEST(model.data(model.index(0, MessageTableModel::User)).toString(), "firstUser");
        for (int row = 1; row <= 40; ++row) {
            const QVariant a = model.data(model.index(row - 1, column), MessageTableModel::SortRole);
            const QVariant b = model.data(model.index(row, column), MessageTableModel::SortRole);
            const int order = QVariant::compare(a, b) == QPartialOrdering::Less ? -1 : a == b ? 0 : 1;
            QVERIFY2(descending ? order >= 0 : order <= 0,
                qPrintable(a.toString() + QLatin1String(" / ") + b.toString()));
        }
    }

    void filters_data()
    {
        QTest::addColumn<QString>("search");
        QTest::addColumn<int>("count");
        QTest::newRow("everything") << QString() << kMessages;
        QTest::newRow("failed") << QStringLiteral("state:failed") << kMessages / 10;
        QTest::newRow("ready") << QStringLiteral("state:ready") << kMessages - kMessages / 10;
        QTest::newRow("error text") << QStringLiteral("error:timeout") << kMessages / 20;
        QTest::newRow("user") << QStringLiteral("user:user7") << kMessages / kUsers;
        QTest::newRow("user and failed") << QStringLiteral("user:user10 state:failed") << kMessages / kUsers;
        QTest::newRow("free text in body") << QStringLiteral("img.test/99999.png") << 1;
        QTest::newRow("queue") << QStringLiteral("queue:images state:failed error:404") << kMessages / 20;
    }

    // Each filter is the store's count and rows; one model goes through them all in turn.
    void filters()
    {
        QFETCH(QString, search);
        QFETCH(int, count);
        if (!m_query) {
            m_query = std::make_unique<MessageQuery>(m_store.fx.path(), &m_store.fx.clock);
            m_model = std::make_unique<MessageTableModel>(m_query.get());
            m_tester = std::make_unique<QAbstractItemModelTester>(
                m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            m_model->setVisibleRows(0, 20);
        }
        QTRY_VERIFY(!m_query->queues().isEmpty());
        MessageFilter filter;
        QString error;
        QVERIFY(MessageSearch::parse(search).applyTo(
            &filter, [&](const QString &n) { return m_query->queueId(n); }, m_store.fx.clock.nowMs(),
            &error));
        QSignalSpy loadedSpy(m_model.get(), &MessageTableModel::loaded);
        m_model->setFilter(filter);
        QVERIFY(loadedSpy.wait(15'000));
        QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), count, 15'000);
        QTRY_VERIFY(!m_model->isCounting());
        QTRY_VERIFY(loaded(*m_model, 0, std::min(count, 21) - 1));
        if (search.contains(QLatin1String("failed")))
            QCOMPARE(m_model->data(m_model->index(0, MessageTableModel::State), MessageTableModel::StateRole)
                         .toString(),
                QStringLiteral("failed"));
        if (QByteArray(QTest::currentDataTag()) == "queue") {
            m_tester.reset();
            m_model.reset();
            m_query.reset();
        }
    }

    // New messages appear without moving the rows a person looks at or losing a selection:
    // at the end in send order, above the window when newest come first.
    void liveInserts()
    {
        MessageQuery query(m_store.fx.path(), &m_store.fx.clock);
        MessageTableModel model(&query);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setVisibleRows(0, 30);
        QTRY_VERIFY(loaded(model, 0, 30) && model.rowCount() == kMessages);
        const QPersistentModelIndex selected = model.index(10, 0);
        const QString selectedId = idAt(model, 10);

        const int before = model.rowCount();
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        const QStringList added = m_store.send(300, before);
        QCOMPARE(added.size(), 300);
        model.refresh();
        QTRY_COMPARE(model.rowCount(), before + 300);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted[0][1].toInt(), before);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(selected.row(), 10);
        QCOMPARE(idAt(model, 10), selectedId);

        // Newest first: new rows go on top, the selected one moves down with its row.
        QSignalSpy loadedSpy(&model, &MessageTableModel::loaded);
        model.sort(MessageTableModel::Enqueued, Qt::DescendingOrder);
        QVERIFY(loadedSpy.wait(10'000));
        QTRY_VERIFY(!model.isCounting());
        model.setVisibleRows(200, 230);
        QTRY_VERIFY(loaded(model, 200, 230));
        const QPersistentModelIndex newest = model.index(210, 0);
        const QString newestId = idAt(model, 210);
        inserted.clear();
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QCOMPARE(m_store.send(100, before + 300).size(), 100);
        model.refresh();
        QTRY_COMPARE(model.rowCount(), before + 400);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted[0][1].toInt(), 0); // in one step, above the rows that were there
        QCOMPARE(inserted[0][2].toInt(), 99);
        QCOMPARE(newest.row(), 310);
        QTRY_COMPARE(idAt(model, 310), newestId);
        QVERIFY(changed.size() >= 1);

        // Nothing changed: nothing is signalled.
        QTRY_VERIFY(loaded(model, 0, 399)); // the pages around the visible rows, the new ones too
        QSignalSpy quiet(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy structure(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy refreshDone(&query, &MessageQuery::windowReady);
        model.refresh();
        QVERIFY(refreshDone.wait(10'000));
        QCoreApplication::processEvents();
        QCOMPARE(structure.size(), 0);
        QCOMPARE(quiet.size(), 0);
    }

    // Rows leaving a filter (retried failures) are removed where they were; the rest keep
    // their selection, and their changed values come in one ranged dataChanged.
    void liveRemovalsInAFilter()
    {
        MessageQuery query(m_store.fx.path(), &m_store.fx.clock);
        MessageTableModel model(&query);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        MessageFilter failed;
        failed.state = StateFilter::Failed;
        model.setFilter(failed);
        model.setVisibleRows(0, 30);
        QTRY_VERIFY(loaded(model, 0, 30) && model.rowCount() == kMessages / 10);
        const int before = model.rowCount();
        const QPersistentModelIndex selected = model.index(10, 0);
        const QString selectedId = idAt(model, 10);
        const QStringList retry { idAt(model, 2), idAt(model, 5), idAt(model, 6) };
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QVERIFY(m_store.fx.broker->retryMessages(retry, 3600).ok());
        m_store.fx.broker->pumpAll();
        model.refresh();
        QTRY_COMPARE(model.rowCount(), before - 3);
        QCOMPARE(removed.size(), 2); // row 2, then rows 5-6 in one step
        QCOMPARE(removed[0][1].toInt(), 2);
        QCOMPARE(removed[1][1].toInt(), 4);
        QCOMPARE(removed[1][2].toInt(), 5);
        QCOMPARE(selected.row(), 7);
        QCOMPARE(idAt(model, 7), selectedId);
        for (const QString &id : retry) {
            for (int row = 0; row < 30; ++row)
                QVERIFY(idAt(model, row) != id);
        }
    }

    void failureGroups()
    {
        MessageQuery query(m_store.fx.path(), &m_store.fx.clock);
        FailureGroupModel model(&query);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy refreshed(&model, &FailureGroupModel::refreshed);
        model.refresh();
        QVERIFY(refreshed.wait(15'000));
        QCOMPARE(model.rowCount(), 2);
        const qint64 total = model.group(0)->count + model.group(1)->count;
        QVERIFY(total >= kMessages / 10 - 10); // less what the test before retried
        QVERIFY(model.rowOf(QStringLiteral("HTTP 404 from <url>")) >= 0);
        QVERIFY(model.rowOf(QStringLiteral("timeout after <n> ms")) >= 0);
        const QPersistentModelIndex timeouts
            = model.index(model.rowOf(QStringLiteral("timeout after <n> ms")), 0);

        // A new, bigger group goes first; the selected one keeps its identity.
        FailureGroup big;
        big.signature = QStringLiteral("connection refused");
        big.count = 1'000'000;
        QList<FailureGroup> groups { big, *model.group(0), *model.group(1) };
        model.setGroups(groups);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("connection refused"));
        QCOMPARE(model.data(timeouts, FailureGroupModel::SignatureRole).toString(),
            QStringLiteral("timeout after <n> ms"));
        groups.removeFirst();
        model.setGroups(groups);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(timeouts, FailureGroupModel::SignatureRole).toString(),
            QStringLiteral("timeout after <n> ms"));
    }

    // Marks are a checkbox column kept by message: they survive rows arriving above them,
    // and a marked message that leaves the filter (retried) is no longer marked.
    void marksFollowMessages()
    {
        MessageQuery query(m_store.fx.path(), &m_store.fx.clock);
        MessageTableModel model(&query);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        MessageFilter failed;
        failed.state = StateFilter::Failed;
        model.setFilter(failed);
        model.setVisibleRows(0, 30);
        QTRY_VERIFY(loaded(model, 0, 30));
        QSignalSpy marksChanged(&model, &MessageTableModel::marksChanged);
        const QModelIndex mark3 = model.index(3, MessageTableModel::Mark);
        QVERIFY(model.flags(mark3) & Qt::ItemIsUserCheckable);
        QCOMPARE(model.data(mark3, Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
        QVERIFY(model.setData(mark3, Qt::Checked, Qt::CheckStateRole));
        QVERIFY(model.setData(model.index(7, MessageTableModel::Mark), Qt::Checked, Qt::CheckStateRole));
        QVERIFY(model.setData(model.index(8, MessageTableModel::Mark), Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(marksChanged.size(), 3);
        QCOMPARE(model.data(mark3, Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QCOMPARE(model.markCount(), 3);
        QCOMPARE(model.markedRows(), (QList<int> { 3, 7, 8 }));
        const QString marked3 = idAt(model, 3);
        const QString marked8 = idAt(model, 8);
        // Another column's data is not a checkbox.
        QVERIFY(!model.data(model.index(3, MessageTableModel::Id), Qt::CheckStateRole).isValid());

        QVERIFY(m_store.fx.broker->retryMessages({ idAt(model, 7) }, 3600).ok());
        m_store.fx.broker->pumpAll();
        model.refresh();
        QTRY_COMPARE(model.markCount(), 2);
        QCOMPARE(model.markedRows(), (QList<int> { 3, 7 }));
        QCOMPARE(idAt(model, 3), marked3);
        QCOMPARE(idAt(model, 7), marked8);
        QCOMPARE(int(model.marks().size()), 2);

        model.setMarked(3, false);
        QCOMPARE(model.markedRows(), (QList<int> { 7 }));
        model.setFilter(failed); // a new filter starts without marks
        QCOMPARE(model.markCount(), 0);
    }

    // "First seen" is the first time a group was seen, not its newest member's update: a
    // retried message failing again does not move it. Labels read as words, not placeholders.
    void failureGroupsKeepFirstSeenAndReadAsWords()
    {
        MessageQuery query(m_store.fx.path(), &m_store.fx.clock);
        FailureGroupModel model(&query);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FailureGroup refused;
        refused.signature = QStringLiteral("fetching from host <n>.<n> failed: Connection refused");
        refused.count = 3;
        refused.firstSeenMs = 1'700'000'000'000;
        refused.lastSeenMs = 1'700'000'100'000;
        refused.sampleId = QStringLiteral("0190a1b2c3d4e5f6a7b8c9d0e1f2a3b4");
        refused.sampleError = QStringLiteral("fetching from host 127.0.0.1 failed: Connection refused");
        FailureGroup missing;
        missing.signature = QStringLiteral("not found: <url>");
        missing.count = 2;
        missing.firstSeenMs = 1'700'000'000'500;
        missing.lastSeenMs = 1'700'000'000'900;
        missing.sampleError = QStringLiteral("not found: http://127.0.0.1:8787/blobs/ab12");
        model.setGroups({ refused, missing });
        QCOMPARE(model.data(model.index(0, FailureGroupModel::Signature)).toString(),
            QStringLiteral("fetching from host … failed: Connection refused"));
        QCOMPARE(model.data(model.index(1, FailureGroupModel::Signature)).toString(),
            QStringLiteral("not found: …"));
        QCOMPARE(model.data(model.index(0, FailureGroupModel::Sample)).toString(), refused.sampleError);
        QVERIFY(model.data(model.index(0, FailureGroupModel::Sample), Qt::ToolTipRole)
                    .toString()
                    .contains(refused.sampleError));
        QCOMPARE(model.totalCount(), 5);
        const QString firstSeen = model.data(model.index(0, FailureGroupModel::FirstSeen)).toString();

        // After a retry the messages fail again later; the group was still first seen then.
        refused.firstSeenMs = 1'700'000'200'000;
        refused.lastSeenMs = 1'700'000'200'000;
        model.setGroups({ refused, missing });
        QCOMPARE(model.data(model.index(0, FailureGroupModel::FirstSeen)).toString(), firstSeen);
        QCOMPARE(model.data(model.index(0, FailureGroupModel::FirstSeen), FailureGroupModel::SortRole)
                     .toLongLong(),
            1'700'000'000'000);
        // Gone for a while (all retried) and back: still the same first sighting.
        model.setGroups({ missing });
        model.setGroups({ refused, missing });
        QCOMPARE(model.data(model.index(0, FailureGroupModel::FirstSeen)).toString(), firstSeen);
    }

private:
    Store m_store;
    std::unique_ptr<MessageQuery> m_query;
    std::unique_ptr<MessageTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

QTEST_MAIN(TstMessageTableModel)
#include "tst_messagetablemodel.moc"
