// Importing queues, consumer settings and dead-letter queues from wrangler.toml and
// wrangler.jsonc, through the parser, onto a real broker, and through Runtime's --config.
#include "brokerfixture.h"
#include "runtime.h"
#include "wranglerconfig.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace qd;
using namespace qdtest;

namespace {

QByteArray testData(const char *name)
{
    QFile f(QStringLiteral(QUEUEDECK_TEST_DATA "/") + QLatin1String(name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        return {};
    return path;
}

bool hasWarning(const QStringList &warnings, const QString &part)
{
    for (const QString &w : warnings) {
        if (w.contains(part))
            return true;
    }
    return false;
}

} // namespace

class TstWranglerImport : public QObject {
    Q_OBJECT
private slots:
    void importsQueuesConsumersAndDeadLetterQueues_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("toml") << QStringLiteral("wrangler.toml") << testData("wrangler.toml");
        QTest::newRow("jsonc") << QStringLiteral("wrangler.jsonc") << testData("wrangler.jsonc");
    }
    void importsQueuesConsumersAndDeadLetterQueues()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, text);
        BrokerFixture fx;
        QVERIFY(fx.open());
        const QString path = writeFile(fx.dir, fileName, text);
        QVERIFY(!path.isEmpty());

        const WranglerImportReport report = importWranglerFile(*fx.broker, path);
        QVERIFY2(report.ok(), qPrintable(report.error));
        QCOMPARE(report.created,
            (QStringList { QStringLiteral("image-jobs"), QStringLiteral("image-jobs-dlq"),
                QStringLiteral("pull-jobs"), QStringLiteral("bad-range") }));
        QVERIFY(report.updated.isEmpty());

        const QueueSettings jobs = fx.broker->queue(QStringLiteral("image-jobs"))->settings;
        QCOMPARE(jobs.maxBatchSize, 25);
        QCOMPARE(jobs.maxBatchTimeoutMs, 2000);
        QCOMPARE(jobs.maxRetries, 5);
        QCOMPARE(jobs.deadLetterQueue, QStringLiteral("image-jobs-dlq"));
        QCOMPARE(jobs.maxConcurrency, 4);
        QCOMPARE(jobs.retryDelaySeconds, 30);
        QCOMPARE(jobs.deliveryDelaySeconds, 5);
        QCOMPARE(jobs.consumerType, ConsumerType::Image);
        QCOMPARE(fx.broker->queue(QStringLiteral("image-jobs-dlq"))->settings, QueueSettings {});
        const QueueSettings pull = fx.broker->queue(QStringLiteral("pull-jobs"))->settings;
        QCOMPARE(pull.consumerType, ConsumerType::HttpPull);
        QCOMPARE(pull.visibilityTimeoutMs, 60'000);
        // Out of range: reported, the queue is still made, with defaults.
        QCOMPARE(fx.broker->queue(QStringLiteral("bad-range"))->settings.maxBatchSize, 10);
        QVERIFY(hasWarning(
            report.warnings, QStringLiteral("max_batch_size must be between 1 and 100 (got 500)")));
        QVERIFY(
            hasWarning(report.warnings, QStringLiteral("queues.consumers[0].shiny_new_option: unknown key")));
        if (fileName.endsWith(QLatin1String(".jsonc")))
            QVERIFY(hasWarning(report.warnings, QStringLiteral("queues.mystery: unknown key")));
        QVERIFY(!hasWarning(report.warnings, QStringLiteral("compatibility_date")));
        QVERIFY(report.summary().contains(QStringLiteral("image-jobs-dlq")));

        // Every change is in the audit log, the import too.
        const auto audit = fx.store->audit(20);
        QCOMPARE(audit.front().action, QStringLiteral("config_imported"));

        // Importing the same file again changes nothing; a changed file updates in place.
        QCOMPARE(importWranglerFile(*fx.broker, path).created, QStringList {});
        QCOMPARE(importWranglerFile(*fx.broker, path).updated, QStringList {});
        text.replace("max_batch_size = 25", "max_batch_size = 50");
        text.replace("\"max_batch_size\": 25", "\"max_batch_size\": 50");
        QVERIFY(!writeFile(fx.dir, fileName, text).isEmpty());
        QCOMPARE(importWranglerFile(*fx.broker, path).updated, QStringList { QStringLiteral("image-jobs") });
        QCOMPARE(fx.broker->queue(QStringLiteral("image-jobs"))->settings.maxBatchSize, 50);
    }

    void wrongTypesAreWarningsNotFailures()
    {
        WranglerConfig config;
        QString error;
        QVERIFY(parseWranglerToml("[[queues.consumers]]\n"
                                  "queue = \"q\"\n"
                                  "max_batch_size = \"ten\"\n"
                                  "max_batch_timeout = 0.5\n"
                                  "max_retries = 1.5\n"
                                  "type = \"cron\"\n"
                                  "[[queues.consumers]]\n"
                                  "max_batch_size = 3\n"
                                  "[env.staging.queues]\n"
                                  "producers = []\n",
            &config, &error));
        QCOMPARE(config.queues.size(), std::size_t(1));
        QCOMPARE(config.queues.front().settings.value(QLatin1String("max_batch_timeout_ms")).toInt(), 500);
        QVERIFY(!config.queues.front().settings.contains(QLatin1String("max_retries")));
        QVERIFY(hasWarning(
            config.warnings, QStringLiteral("queues.consumers[0].max_batch_size: must be a number")));
        QVERIFY(hasWarning(
            config.warnings, QStringLiteral("queues.consumers[0].max_retries: must be a whole number")));
        QVERIFY(hasWarning(config.warnings, QStringLiteral("consumer type \"cron\"")));
        QVERIFY(hasWarning(config.warnings, QStringLiteral("queues.consumers[1]: has no queue name")));
        QVERIFY(hasWarning(config.warnings, QStringLiteral("env.staging.queues")));
    }

    void brokenFilesAreErrorsWithALine_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("toml") << QStringLiteral("wrangler.toml")
                              << QByteArray("name = \"x\"\n[[queues.consumers]\nqueue = 1\n")
                              << QStringLiteral("wrangler.toml: line 2");
        QTest::newRow("jsonc") << QStringLiteral("wrangler.jsonc")
                               << QByteArray("{\n  // c\n  \"queues\": {\"a\" 1}\n}")
                               << QStringLiteral("wrangler.jsonc: line 3");
        QTest::newRow("missing") << QStringLiteral("nowhere.toml") << QByteArray()
                                 << QStringLiteral("cannot read");
    }
    void brokenFilesAreErrorsWithALine()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        BrokerFixture fx;
        QVERIFY(fx.open());
        const QString path = text.isEmpty() ? fx.dir.filePath(fileName) : writeFile(fx.dir, fileName, text);
        const WranglerImportReport report = importWranglerFile(*fx.broker, path);
        QVERIFY(!report.ok());
        QVERIFY2(report.error.contains(expected), qPrintable(report.error));
        QVERIFY(fx.broker->queues().empty());
    }

    void jsoncKeepsStringsIntact()
    {
        const QByteArray in = "{\"url\": \"http://a//b/*c*/\", /* x */ \"list\": [1, 2,], // end\n}";
        const QByteArray out = jsoncToJson(in);
        QCOMPARE(out.size(), in.size());
        QJsonParseError e;
        const QJsonObject o = QJsonDocument::fromJson(out, &e).object();
        QCOMPARE(e.error, QJsonParseError::NoError);
        QCOMPARE(o.value(QLatin1String("url")).toString(), QStringLiteral("http://a//b/*c*/"));
        QCOMPARE(o.value(QLatin1String("list")).toArray().size(), 2);
    }

    void runtimeImportsConfigAtStart()
    {
        QTemporaryDir dir;
        RuntimeOptions options;
        options.dataDir = dir.path();
        options.port = 0;
        options.configFile = writeFile(dir, QStringLiteral("wrangler.toml"), testData("wrangler.toml"));
        Runtime runtime(options);
        QString error;
        QVERIFY2(runtime.start(&error), qPrintable(error));
        QVERIFY(runtime.startupImport().created.contains(QStringLiteral("image-jobs-dlq")));
        QVERIFY(hasWarning(runtime.startupImport().warnings, QStringLiteral("shiny_new_option")));
        QSignalSpy snapshots(&runtime, &Runtime::snapshot);
        QVERIFY(snapshots.wait(15000));
        const auto queues = snapshots.last().at(0).value<QList<QueueSnapshot>>();
        QStringList names;
        for (const QueueSnapshot &q : queues)
            names.append(q.name);
        QVERIFY(names.contains(QStringLiteral("image-jobs")));
        QVERIFY(names.contains(QStringLiteral("pull-jobs")));

        // From the menu: the same import, asynchronously.
        QSignalSpy imported(&runtime, &Runtime::configImported);
        runtime.importConfig(options.configFile);
        // The runtime thread may answer before a wait() would start counting.
        QTRY_VERIFY_WITH_TIMEOUT(!imported.isEmpty(), 15000);
        QVERIFY(imported.first().at(0).value<WranglerImportReport>().created.isEmpty());
        runtime.stop();

        // A file that is not TOML stops the start with the reason.
        options.configFile = writeFile(dir, QStringLiteral("broken.toml"), "[[queues");
        Runtime broken(options);
        QVERIFY(!broken.start(&error));
        QVERIFY2(error.contains(QStringLiteral("broken.toml: line 1")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TstWranglerImport)
#include "tst_wranglerimport.moc"
