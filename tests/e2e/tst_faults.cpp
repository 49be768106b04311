#include "../teststore.h"
#include "broker.h"
#include "cloudflareapi.h"
#include "headlessprocess.h"
#include "httpserver.h"
#include "sqlitestore.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <unistd.h>

using namespace qd;

namespace {

// A webhook consumer on a loopback port that acks most batches and asks for some messages
// to be retried, by a seeded coin; after settle() it acks everything.
class Receiver {
public:
    explicit Receiver(quint32 seed)
        : m_random(seed)
    {
        m_server.setHandler([this](const HttpRequest &request, const HttpResponder &responder) {
            const QJsonArray messages
                = QJsonDocument::fromJson(request.body).object().value(QLatin1String("messages")).toArray();
            QJsonArray retries;
            for (const QJsonValue &m : messages) {
                const QString id = m.toObject().value(QLatin1String("id")).toString();
                if (!m_settled && m_random.bounded(4) == 0)
                    retries.append(QJsonObject { { QStringLiteral("id"), id } });
            }
            responder.respond(HttpResponse::json(200,
                QJsonDocument(QJsonObject { { QStringLiteral("retries"), retries } })
                    .toJson(QJsonDocument::Compact)));
        });
        QString error;
        if (!m_server.listen(QHostAddress::LocalHost, 0, &error))
            qFatal("%s", qPrintable(error));
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hook").arg(m_server.port()); }
    void settle() { m_settled = true; }

private:
    HttpServer m_server;
    QRandomGenerator m_random;
    bool m_settled = false;
};

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
                                       : QByteArray();
}

// What a client was told is stored, and what it was told is acked.
struct Ledger {
    QSet<QString> acceptedIds; // POST / answered 202
    QSet<QString> acceptedBodies; // batch sends answered success (the API gives no ids)
    QSet<QString> ackedIds; // pulled and acked, the ack answered success
};

} // namespace

// The fault suite run from outside: the real binary, real HTTP clients, the store on the real
// disk. kill -9 at seeded random moments under mixed load loses nothing acknowledged, and a
// store the server's user cannot write stops the start with a message that says what to do.
class TstFaults : public QObject {
    Q_OBJECT

    QNetworkAccessManager m_network;

    QNetworkReply *call(
        const QString &base, const QByteArray &method, const QString &path, const QJsonObject &body)
    {
        QNetworkRequest r { QUrl(base + path) };
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        return m_network.sendCustomRequest(r, method, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

private slots:
    void killAtRandomUnderMixedLoad()
    {
        const quint32 seed = qEnvironmentVariableIsSet("QUEUEDECK_FAULT_SEED")
            ? quint32(qEnvironmentVariableIntValue("QUEUEDECK_FAULT_SEED"))
            : 20261207u;
        const int rounds = qEnvironmentVariableIsSet("QUEUEDECK_FAULT_ROUNDS")
            ? qEnvironmentVariableIntValue("QUEUEDECK_FAULT_ROUNDS")
            : 20;
        qInfo("seed %u, %d rounds (QUEUEDECK_FAULT_SEED, QUEUEDECK_FAULT_ROUNDS to repeat)", seed, rounds);
        const QByteArray tag = "seed " + QByteArray::number(seed) + ": ";
        const auto say = [&tag](const QByteArray &what) { return QByteArray(tag + what); };
        QRandomGenerator random(seed);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // The SQLite file in the data folder, or (the _pg variant) a fresh PostgreSQL schema,
        // where a node killed mid-batch is taken over once its heartbeat is 1 s old.
        const QString spec = qdtest::chooseStoreSpec(dir.filePath(QStringLiteral("queuedeck.db")));
        const QStringList storeArguments = spec.startsWith(QLatin1String("postgres"))
            ? QStringList { QStringLiteral("--store"), spec, QStringLiteral("--node-timeout"),
                  QStringLiteral("1") }
            : QStringList {};
        Receiver receiver(seed);
        {
            const std::unique_ptr<QueueStore> store = makeStore(spec);
            QString error;
            QVERIFY2(store->open(&error), qPrintable(error));
            SystemClock clock;
            Broker broker(store.get(), &clock);
            QVERIFY(broker.start(&error));
            QueueSettings hooked;
            hooked.consumerType = ConsumerType::Webhook;
            hooked.webhookUrl = receiver.url();
            hooked.maxBatchTimeoutMs = 20;
            hooked.maxRetries = 100; // the coin alone never fails a message
            QVERIFY(broker.createQueue(QStringLiteral("images"), hooked).ok());
            QueueSettings pulled;
            pulled.consumerType = ConsumerType::HttpPull;
            pulled.maxRetries = 100;
            QVERIFY(broker.createQueue(QStringLiteral("pulled"), pulled).ok());
        }
        QString pulledId;
        {
            const std::unique_ptr<QueueStore> store = qdtest::openTestReader(spec);
            for (const QueueRecord &q : store->loadQueues())
                if (q.name == QLatin1String("pulled"))
                    pulledId = CloudflareApi::queueId(q);
        }
        const QString cf = QStringLiteral("client/v4/accounts/local/queues/") + pulledId;

        Ledger ledger;
        int bodySerial = 0;
        for (int round = 1; round <= rounds; ++round) {
            HeadlessProcess child(dir.path(), storeArguments);
            const QString base = child.start();
            QVERIFY2(!base.isEmpty(), tag.constData());
            // The kill comes after a seeded number of answered operations, so a seed repeats it.
            const int killAfter = 20 + int(random.bounded(300));
            int answered = 0;
            bool killed = false;
            int outstanding = 0;
            std::function<void()> next = [&] {
                if (killed)
                    return;
                ++outstanding;
                const int op = int(random.bounded(10));
                QNetworkReply *reply = nullptr;
                std::function<void(int, const QJsonObject &)> onAnswer;
                if (op < 4) {
                    reply = call(base, "POST", QString(),
                        QJsonObject { { QStringLiteral("imageUrl"),
                                          QStringLiteral("https://example.com/%1.png").arg(bodySerial++) },
                            { QStringLiteral("userId"), QStringLiteral("fault") } });
                    onAnswer = [&](int status, const QJsonObject &o) {
                        if (status == 202)
                            ledger.acceptedIds.insert(o.value(QLatin1String("id")).toString());
                    };
                } else if (op < 7) {
                    QJsonArray messages;
                    QStringList bodies;
                    for (int i = 0; i < 10; ++i) {
                        bodies.append(QStringLiteral("b%1").arg(bodySerial++));
                        messages.append(QJsonObject { { QStringLiteral("body"), bodies.last() },
                            { QStringLiteral("content_type"), QStringLiteral("text") } });
                    }
                    reply = call(base, "POST", cf + QStringLiteral("/messages/batch"),
                        QJsonObject { { QStringLiteral("messages"), messages } });
                    onAnswer = [&ledger, bodies](int status, const QJsonObject &o) {
                        if (status == 200 && o.value(QLatin1String("success")).toBool())
                            for (const QString &b : bodies)
                                ledger.acceptedBodies.insert(b);
                    };
                } else if (op < 9) {
                    // Pull, then ack most and retry the rest.
                    reply = call(base, "POST", cf + QStringLiteral("/messages/pull"),
                        QJsonObject { { QStringLiteral("batch_size"), 10 } });
                    onAnswer = [&, base](int status, const QJsonObject &o) {
                        if (status != 200 || killed)
                            return;
                        QJsonArray acks;
                        QJsonArray retries;
                        QStringList ackedIds;
                        for (const QJsonValue &v : o.value(QLatin1String("result"))
                                                       .toObject()
                                                       .value(QLatin1String("messages"))
                                                       .toArray()) {
                            const QJsonObject m = v.toObject();
                            const QJsonObject lease { { QStringLiteral("lease_id"),
                                m.value(QLatin1String("lease_id")) } };
                            if (random.bounded(3) == 0) {
                                retries.append(lease);
                            } else {
                                acks.append(lease);
                                ackedIds.append(m.value(QLatin1String("id")).toString());
                            }
                        }
                        ++outstanding;
                        QNetworkReply *ack = call(base, "POST", cf + QStringLiteral("/messages/ack"),
                            QJsonObject {
                                { QStringLiteral("acks"), acks }, { QStringLiteral("retries"), retries } });
                        connect(ack, &QNetworkReply::finished, this, [&, ack, ackedIds] {
                            ack->deleteLater();
                            --outstanding;
                            const QJsonObject answer = QJsonDocument::fromJson(ack->readAll()).object();
                            if (ack->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200
                                && answer.value(QLatin1String("success")).toBool())
                                for (const QString &id : ackedIds)
                                    ledger.ackedIds.insert(id);
                        });
                    };
                } else {
                    // An operator retries whatever failed (nothing may have, which is fine too).
                    reply = call(base, "POST", QStringLiteral("api/retry"),
                        QJsonObject { { QStringLiteral("filter"),
                            QJsonObject { { QStringLiteral("queue"), QStringLiteral("images") } } } });
                    onAnswer = [](int, const QJsonObject &) {};
                }
                connect(reply, &QNetworkReply::finished, this, [&, reply, onAnswer] {
                    reply->deleteLater();
                    --outstanding;
                    onAnswer(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                        QJsonDocument::fromJson(reply->readAll()).object());
                    if (!killed && ++answered >= killAfter) {
                        killed = true;
                        child.process().kill(); // SIGKILL, with requests still on the wire
                    }
                    next();
                });
            };
            for (int i = 0; i < 8; ++i)
                next();
            QTRY_VERIFY_WITH_TIMEOUT(killed, 60000);
            QTRY_COMPARE_WITH_TIMEOUT(child.process().state(), QProcess::NotRunning, 10000);
            QCOMPARE(child.process().exitStatus(), QProcess::CrashExit);
            QTRY_COMPARE_WITH_TIMEOUT(outstanding, 0, 15000);

            // Everything a client was told is stored is on disk; every confirmed ack holds.
            const std::unique_ptr<QueueStore> store = qdtest::openTestReader(spec);
            for (const QString &id : std::as_const(ledger.acceptedIds))
                QVERIFY2(store->messageById(id).has_value(), say("lost " + id.toUtf8()).constData());
            QSet<QString> bodies;
            MessageFilter all;
            for (const Message &m : store->listMessages(all, 0, 0, 1'000'000))
                bodies.insert(QString::fromUtf8(m.body));
            for (const QString &b : std::as_const(ledger.acceptedBodies))
                QVERIFY2(bodies.contains(b), say("lost batch message " + b.toUtf8()).constData());
            for (const QString &id : std::as_const(ledger.ackedIds)) {
                const auto m = store->messageById(id);
                QVERIFY2(
                    m && m->state == MessageState::Acked, say("ack not kept for " + id.toUtf8()).constData());
            }
        }
        QVERIFY2(
            ledger.acceptedIds.size() > 0 && ledger.acceptedBodies.size() > 0 && ledger.ackedIds.size() > 0,
            say("the load did too little to test anything").constData());
        qInfo("%d rounds: %lld jobs and %lld batch messages acknowledged, %lld pulled messages acked, none "
              "lost",
            rounds, qint64(ledger.acceptedIds.size()), qint64(ledger.acceptedBodies.size()),
            qint64(ledger.ackedIds.size()));

        // One last start: every accepted job, the ones in flight at the kills too, is delivered
        // and acked in the end.
        receiver.settle();
        HeadlessProcess last(dir.path(), storeArguments);
        QVERIFY(!last.start().isEmpty());
        const std::unique_ptr<QueueStore> reader = qdtest::openTestReader(spec);
        const auto allAcked = [&] {
            for (const QString &id : std::as_const(ledger.acceptedIds)) {
                const auto m = reader->messageById(id);
                if (!m || m->state != MessageState::Acked)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(allAcked(), say("not every accepted job was acked").constData(), 60000);
    }

    // A store the server's user may read but not write (made once by another user, say root
    // under sudo) stops the start with a message naming the file and the fix; the file is
    // left as it was.
    void unwritableStoreIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("queuedeck.db"));
        {
            SqliteStore store(path);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            store.insertQueue(QStringLiteral("images"), QueueSettings {}, 1);
            QVERIFY(store.commit(&error));
        }
        QFile::setPermissions(dir.path(),
            QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                | QFile::ReadOther | QFile::ExeOther);
        QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther);
        const QByteArray before = fileHash(path);
        QProcess p;
        QStringList arguments { QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(),
            QStringLiteral("--port"), QStringLiteral("0") };
        QTemporaryDir binDir; // outlives the child
        if (geteuid() == 0) {
            // Root writes any file: run the server as an ordinary user, as in real life, from a
            // copy of the binary that user can reach wherever the build tree is.
            const passwd *nobody = getpwnam("nobody");
            QVERIFY2(nobody, "the user nobody is needed to run the server without root");
            const QString binary = binDir.filePath(QStringLiteral("queuedeck"));
            QVERIFY(QFile::copy(QStringLiteral(QUEUEDECK_BINARY), binary));
            const auto readAndRun = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther;
            QVERIFY(QFile::setPermissions(binDir.path(), readAndRun));
            QVERIFY(QFile::setPermissions(binary, readAndRun));
            p.start(QStringLiteral("runuser"),
                QStringList { QStringLiteral("-u"), QStringLiteral("nobody"), QStringLiteral("--"), binary }
                    + arguments);
        } else {
            p.start(QStringLiteral(QUEUEDECK_BINARY), arguments);
        }
        QVERIFY(p.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 20000);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() != 0, qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("cannot be written by this user"))
                || err.contains(QLatin1String("cannot read the store")),
            qPrintable(err));
        QVERIFY2(err.contains(path), qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("--data-dir")), qPrintable(err));
        QCOMPARE(fileHash(path), before);
    }
};

QTEST_GUILESS_MAIN(TstFaults)
#include "tst_faults.moc"
