#include "headlessprocess.h"
#include "sqlitestore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// Cloudflare's official TypeScript client (npm package `cloudflare`, pinned in
// cloudflare-client/package-lock.json, installed beside it by scripts/install-deps.sh)
// against `queuedeck --headless`: the script creates, lists, edits and deletes queues,
// pushes, batch-pushes, pulls, acks with retries, reads metrics and purges, and checks
// every answer the way the client parses it.
class TstCloudflareClient : public QObject {
    Q_OBJECT

private slots:
    void officialClientAgainstHeadless()
    {
        // scripts/install-deps.sh installs node and, with `npm ci`, the pinned client.
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        QVERIFY2(!node.isEmpty(), "no node: run scripts/install-deps.sh");
        const QDir client(QStringLiteral(QUEUEDECK_CF_CLIENT_DIR));
        QVERIFY2(QFile::exists(client.filePath(QStringLiteral("node_modules/cloudflare/package.json"))),
            qPrintable(
                QStringLiteral("Cloudflare's client is not installed in %1: run scripts/install-deps.sh")
                    .arg(client.path())));
        QString error;

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        HeadlessProcess runtime(dir.path());
        const QString endpoint = runtime.start();
        QVERIFY(!endpoint.isEmpty());

        QProcess script;
        script.setWorkingDirectory(client.path());
        script.setProcessChannelMode(QProcess::SeparateChannels);
        script.start(node, { QStringLiteral("client.mjs"), endpoint });
        QVERIFY2(script.waitForFinished(120000), "the client script did not finish in 2 minutes");
        const QString out = QString::fromUtf8(script.readAllStandardOutput());
        const QString err = QString::fromUtf8(script.readAllStandardError());
        const QString transcript = QStringLiteral("stdout:\n%1\nstderr:\n%2").arg(out, err);
        QCOMPARE(script.exitStatus(), QProcess::NormalExit);
        QVERIFY2(script.exitCode() == 0, qPrintable(transcript));
        const QStringList steps { QStringLiteral("create queue"),
            QStringLiteral("create queue twice is a conflict"), QStringLiteral("list queues"),
            QStringLiteral("get queue"), QStringLiteral("edit queue settings"),
            QStringLiteral("create http_pull consumer"), QStringLiteral("push"), QStringLiteral("batch push"),
            QStringLiteral("pull"), QStringLiteral("ack with retries"),
            QStringLiteral("pull the retried message again"), QStringLiteral("get metrics"),
            QStringLiteral("peek and purge by ref"), QStringLiteral("errors come as Cloudflare errors"),
            QStringLiteral("paused queue refuses pulls"), QStringLiteral("purge"),
            QStringLiteral("delete consumer and queue"), QStringLiteral("leave a queue with two messages") };
        for (const QString &step : steps)
            QVERIFY2(
                out.contains(QStringLiteral("ok - ") + step + QLatin1Char('\n')), qPrintable(transcript));
        QVERIFY2(out.endsWith(QLatin1String("ALL OK\n")), qPrintable(transcript));

        // What the client did is what the store holds once the runtime has stopped.
        runtime.process().terminate();
        QVERIFY(runtime.process().waitForFinished(10000));
        QCOMPARE(runtime.process().exitCode(), 0);
        SqliteStore store(QDir(dir.path()).filePath(QStringLiteral("queuedeck.db")));
        QVERIFY2(store.open(&error), qPrintable(error));
        QStringList names;
        qint64 keptId = 0;
        for (const QueueRecord &q : store.loadQueues()) {
            names << q.name;
            if (q.name == QLatin1String("e2e kept"))
                keptId = q.id;
        }
        QVERIFY2(
            !names.contains(QStringLiteral("e2e/ Queue ✓")), qPrintable(names.join(QLatin1String(", "))));
        QVERIFY2(keptId != 0, qPrintable(names.join(QLatin1String(", "))));
        MessageFilter filter;
        filter.queueId = keptId;
        const auto kept = store.listMessages(filter, QDateTime::currentMSecsSinceEpoch(), 0, 10);
        QCOMPARE(kept.size(), std::size_t(2));
        QCOMPARE(kept[0].body, QByteArray("{\"kept\":1}"));
        QCOMPARE(kept[0].contentType, ContentType::Json);
        QCOMPARE(kept[1].body, QByteArray("kept two"));
        QCOMPARE(kept[1].contentType, ContentType::Text);
        QCOMPARE(kept[1].state, MessageState::Pending);
    }
};

QTEST_GUILESS_MAIN(TstCloudflareClient)
#include "tst_cloudflareclient.moc"
