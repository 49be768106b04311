#include "headlessprocess.h"
#include "sqlitestore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace qd;

// Cloudflare's official TypeScript client (npm package `cloudflare`, pinned in
// cloudflare-client/package-lock.json) against `queuedeck --headless`: the script creates,
// lists, edits and deletes queues, pushes, batch-pushes, pulls, acks with retries, reads
// metrics and purges, and checks every answer the way the client parses it.
class TstCloudflareClient : public QObject {
    Q_OBJECT

    // The client is installed with `npm ci` into the build tree the first time, and again
    // whenever the lock file changes, so a fresh clone needs nothing but node and npm.
    static bool ensureClient(const QString &npm, QString *error)
    {
        const QDir source(QStringLiteral(QUEUEDECK_CF_CLIENT_SOURCE));
        const QDir work(QStringLiteral(QUEUEDECK_CF_CLIENT_WORKDIR));
        if (!QDir().mkpath(work.path())) {
            *error = QStringLiteral("cannot create %1").arg(work.path());
            return false;
        }
        const auto copy = [&](const QString &name) {
            QFile::remove(work.filePath(name));
            return QFile::copy(source.filePath(name), work.filePath(name));
        };
        QFile lock(source.filePath(QStringLiteral("package-lock.json")));
        if (!lock.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1").arg(lock.fileName());
            return false;
        }
        const QByteArray lockHash
            = QCryptographicHash::hash(lock.readAll(), QCryptographicHash::Sha256).toHex();
        QFile stamp(work.filePath(QStringLiteral("node_modules/.queuedeck-lock-sha256")));
        const bool installed
            = QFile::exists(work.filePath(QStringLiteral("node_modules/cloudflare/package.json")))
            && stamp.open(QIODevice::ReadOnly) && stamp.readAll() == lockHash;
        stamp.close();
        if (!copy(QStringLiteral("client.mjs"))) {
            *error = QStringLiteral("cannot copy client.mjs into %1").arg(work.path());
            return false;
        }
        if (installed)
            return true;
        if (!copy(QStringLiteral("package.json")) || !copy(QStringLiteral("package-lock.json"))) {
            *error
                = QStringLiteral("cannot copy package.json and package-lock.json into %1").arg(work.path());
            return false;
        }
        QProcess install;
        install.setWorkingDirectory(work.path());
        install.setProcessChannelMode(QProcess::MergedChannels);
        install.start(npm,
            { QStringLiteral("ci"), QStringLiteral("--no-audit"), QStringLiteral("--no-fund"),
                QStringLiteral("--loglevel=error") });
        if (!install.waitForFinished(240000) || install.exitStatus() != QProcess::NormalExit
            || install.exitCode() != 0) {
            *error = QStringLiteral("npm ci failed in %1 (the npm registry must be reachable once):\n%2")
                         .arg(work.path(), QString::fromUtf8(install.readAll()));
            return false;
        }
        if (!stamp.open(QIODevice::WriteOnly) || stamp.write(lockHash) != lockHash.size()) {
            *error = QStringLiteral("cannot write %1").arg(stamp.fileName());
            return false;
        }
        return true;
    }

private slots:
    void officialClientAgainstHeadless()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
        if (node.isEmpty() || npm.isEmpty())
            QSKIP("node and npm are needed to run Cloudflare's TypeScript client");
        QString error;
        QVERIFY2(ensureClient(npm, &error), qPrintable(error));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        HeadlessProcess runtime(dir.path());
        const QString endpoint = runtime.start();
        QVERIFY(!endpoint.isEmpty());

        QProcess client;
        client.setWorkingDirectory(QStringLiteral(QUEUEDECK_CF_CLIENT_WORKDIR));
        client.setProcessChannelMode(QProcess::SeparateChannels);
        client.start(node, { QStringLiteral("client.mjs"), endpoint });
        QVERIFY2(client.waitForFinished(120000), "the client script did not finish in 2 minutes");
        const QString out = QString::fromUtf8(client.readAllStandardOutput());
        const QString err = QString::fromUtf8(client.readAllStandardError());
        const QString transcript = QStringLiteral("stdout:\n%1\nstderr:\n%2").arg(out, err);
        QCOMPARE(client.exitStatus(), QProcess::NormalExit);
        QVERIFY2(client.exitCode() == 0, qPrintable(transcript));
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
