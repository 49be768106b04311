#include "broker.h"
#include "headlessprocess.h"
#include "httpserver.h"
#include "sqlitestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// A webhook consumer on a loopback port: holds every batch unanswered (so batches stay in
// flight) or acks every batch at once, and remembers which message ids it was sent.
class WebhookReceiver {
public:
    WebhookReceiver()
    {
        m_server.setHandler([this](const HttpRequest &request, const HttpResponder &responder) {
            const QJsonArray messages
                = QJsonDocument::fromJson(request.body).object().value(QLatin1String("messages")).toArray();
            for (const QJsonValue &m : messages) {
                const QString id = m.toObject().value(QLatin1String("id")).toString();
                (m_acking ? m_acked : m_held).insert(id);
            }
            if (m_acking)
                responder.respond(HttpResponse::json(200, {}));
            else
                m_pending.append(responder); // never answered: the batch stays in flight
        });
        QString error;
        if (!m_server.listen(QHostAddress::LocalHost, 0, &error))
            qFatal("%s", qPrintable(error));
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hook").arg(m_server.port()); }
    void startAcking() { m_acking = true; }

    QSet<QString> m_held; // delivered before the crash, never answered
    QSet<QString> m_acked; // delivered after the restart, acked

private:
    HttpServer m_server;
    QList<HttpResponder> m_pending;
    bool m_acking = false;
};

class TstCrash : public QObject {
    Q_OBJECT
private slots:
    // A store address that is wrong, or a server that is not there, stops the start with a
    // message naming it (never its password), and nothing is written anywhere.
    void badStoreIsRefused_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::addRow("not postgresql")
            << QStringList { QStringLiteral("--store"), QStringLiteral("mysql://a@b/c") }
            << QStringLiteral("--store: expected postgresql://");
        QTest::addRow("unreachable") << QStringList { QStringLiteral("--store"),
            QStringLiteral("postgresql://qd:secret@127.0.0.1:1/db") }
                                     << QStringLiteral("cannot connect to postgresql://qd@127.0.0.1:1/db");
        QTest::addRow("no database") << QStringList { QStringLiteral("--store"),
            QStringLiteral("postgresql://qd@127.0.0.1:1") }
                                     << QStringLiteral("expected postgresql://user@host:port/database");
        QTest::addRow("bad schema") << QStringList { QStringLiteral("--store"),
            QStringLiteral("postgresql://qd@127.0.0.1:1/db?schema=a;drop") }
                                    << QStringLiteral("schema \"a;drop\" must be letters");
        QTest::addRow("node timeout") << QStringList { QStringLiteral("--node-timeout"), QStringLiteral("0") }
                                      << QStringLiteral("--node-timeout: seconds from 1 to 3600");
    }

    void badStoreIsRefused()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        HeadlessProcess p(dir.path(), arguments);
        QVERIFY(p.runToEnd());
        QVERIFY(p.process().exitCode() != 0);
        const QString err = QString::fromUtf8(p.process().readAllStandardError());
        QVERIFY2(err.contains(expected), qPrintable(err));
        QVERIFY2(!err.contains(QLatin1String("secret")), qPrintable(err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("queuedeck.db"))));
    }

    // A non-loopback --bind without a token stops the start before anything listens or is
    // written, naming both ways out. (Addresses that are not this machine's would fail to
    // bind anyway: the refusal must come first, and say why.)
    void publicBindNeedsAToken_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        const QString refusal = QStringLiteral("set --token TOKEN, or pass --insecure-no-token");
        QTest::addRow("any IPv4") << QStringList { QStringLiteral("--bind"), QStringLiteral("0.0.0.0") }
                                  << refusal;
        QTest::addRow("any IPv6") << QStringList { QStringLiteral("--bind"), QStringLiteral("::") }
                                  << refusal;
        QTest::addRow("one address") << QStringList { QStringLiteral("--bind"), QStringLiteral("192.0.2.1") }
                                     << refusal;
        QTest::addRow("bad origin") << QStringList { QStringLiteral("--allow-origin"),
            QStringLiteral("evil.example") }
                                    << QStringLiteral("--allow-origin: expected scheme://host[:port]");
    }

    void publicBindNeedsAToken()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        HeadlessProcess p(dir.path(), arguments);
        QVERIFY(p.runToEnd());
        QVERIFY(p.process().exitCode() != 0);
        const QString err = QString::fromUtf8(p.process().readAllStandardError());
        QVERIFY2(err.contains(expected), qPrintable(err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("queuedeck.db"))));
    }

    // --insecure-no-token lets the start go on, with a warning in the log. The address is
    // a documentation one this machine does not have, so the start then fails to listen
    // and nothing is ever open to the network.
    void insecureNoTokenWarns()
    {
        QTemporaryDir dir;
        QProcess p;
        p.start(QStringLiteral(QUEUEDECK_BINARY),
            QStringList { QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(),
                QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--bind"),
                QStringLiteral("192.0.2.1"), QStringLiteral("--insecure-no-token") });
        QVERIFY(p.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(p.state(), QProcess::NotRunning, 20000);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(QLatin1String("192.0.2.1 is not a loopback address and there is no token")),
            qPrintable(err));
        QVERIFY2(err.contains(QLatin1String("cannot listen on 192.0.2.1")), qPrintable(err));
        QVERIFY2(!err.contains(QLatin1String("--insecure-no-token to listen")), qPrintable(err));
    }

    // A headless runtime under producer load is killed with SIGKILL. Every message whose
    // POST was answered 202 must be in the store, and after a restart every one of them —
    // including those in batches that were in flight at the kill — is delivered and acked.
    void killUnderLoadLosesNothing_data()
    {
        QTest::addColumn<int>("killAfter");
        for (int run = 1; run <= 10; ++run)
            QTest::addRow("run %d", run) << 150 + run * 40;
    }

    void killUnderLoadLosesNothing()
    {
        QFETCH(int, killAfter);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        WebhookReceiver receiver;
        {
            // The default queue, made ahead with a webhook consumer.
            SqliteStore store(dir.filePath(QStringLiteral("queuedeck.db")));
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            SystemClock clock;
            Broker broker(&store, &clock);
            QVERIFY(broker.start(&error));
            QueueSettings settings;
            settings.consumerType = ConsumerType::Webhook;
            settings.webhookUrl = receiver.url();
            settings.maxBatchTimeoutMs = 50;
            QVERIFY(broker.createQueue(QStringLiteral("images"), settings).ok());
        }

        HeadlessProcess child(dir.path());
        const QString endpoint = child.start();
        QVERIFY(!endpoint.isEmpty());

        QNetworkAccessManager network;
        QSet<QString> accepted;
        int sent = 0;
        int failed = 0;
        bool killed = false;
        std::function<void()> sendOne = [&] {
            QNetworkRequest request { QUrl(endpoint) };
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            const QByteArray body
                = QStringLiteral("{\"imageUrl\":\"https://example.com/%1.jpg\",\"userId\":\"crash\"}")
                      .arg(sent++)
                      .toUtf8();
            QNetworkReply *reply = network.post(request, body);
            QObject::connect(reply, &QNetworkReply::finished, &network, [&, reply] {
                reply->deleteLater();
                if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 202)
                    accepted.insert(QJsonDocument::fromJson(reply->readAll())
                                        .object()
                                        .value(QLatin1String("id"))
                                        .toString());
                else
                    ++failed;
                if (!killed && accepted.size() >= killAfter) {
                    killed = true;
                    child.process().kill(); // SIGKILL, mid-load
                }
                if (!killed)
                    sendOne();
            });
        };
        for (int i = 0; i < 16; ++i)
            sendOne();
        QTRY_VERIFY_WITH_TIMEOUT(killed, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(child.process().state(), QProcess::NotRunning, 10000);
        QCOMPARE(child.process().exitStatus(), QProcess::CrashExit);
        QTRY_COMPARE_WITH_TIMEOUT(accepted.size() + failed, sent, 10000);
        QVERIFY(!receiver.m_held.isEmpty()); // some batches were in flight at the kill

        {
            // Every accepted message is on disk.
            SqliteStore store(dir.filePath(QStringLiteral("queuedeck.db")));
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            for (const QString &id : std::as_const(accepted))
                QVERIFY2(store.messageById(id).has_value(), qPrintable(id));
        }

        // Restart: everything accepted is delivered, the in-flight batches again.
        receiver.startAcking();
        HeadlessProcess again(dir.path());
        QVERIFY(!again.start().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(accepted - receiver.m_acked == QSet<QString> {}, 30000);
        QVERIFY((receiver.m_held - receiver.m_acked).isEmpty());

        // SIGTERM shuts down cleanly, and the acks were made durable.
        again.process().terminate();
        QTRY_COMPARE_WITH_TIMEOUT(again.process().state(), QProcess::NotRunning, 10000);
        QCOMPARE(again.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(again.process().exitCode(), 0);
        SqliteStore store(dir.filePath(QStringLiteral("queuedeck.db")));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        for (const QString &id : std::as_const(accepted)) {
            const auto m = store.messageById(id);
            QVERIFY(m.has_value());
            QCOMPARE(int(m->state), int(MessageState::Acked));
        }
        const auto interrupted = store.attemptsForMessage(store.messageById(*receiver.m_held.begin())->seq);
        QVERIFY(std::any_of(interrupted.begin(), interrupted.end(), [](const AttemptRecord &a) {
            return attemptOutcomeName(a.outcome) == QLatin1String("interrupted");
        }));
    }
};

QTEST_GUILESS_MAIN(TstCrash)
#include "tst_crash.moc"
