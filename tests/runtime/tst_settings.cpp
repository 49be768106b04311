#include "brokerfixture.h"

#include <QJsonDocument>

using namespace qdtest;

namespace {
void set(qd::QueueSettings &s, const QString &field, int value)
{
    const std::pair<const char *, int qd::QueueSettings::*> fields[] = {
        { "maxBatchSize", &qd::QueueSettings::maxBatchSize },
        { "maxBatchTimeoutMs", &qd::QueueSettings::maxBatchTimeoutMs },
        { "maxRetries", &qd::QueueSettings::maxRetries },
        { "retryDelaySeconds", &qd::QueueSettings::retryDelaySeconds },
        { "maxConcurrency", &qd::QueueSettings::maxConcurrency },
        { "deliveryDelaySeconds", &qd::QueueSettings::deliveryDelaySeconds },
        { "retentionSeconds", &qd::QueueSettings::retentionSeconds },
        { "visibilityTimeoutMs", &qd::QueueSettings::visibilityTimeoutMs },
        { "webhookTimeoutMs", &qd::QueueSettings::webhookTimeoutMs },
    };
    for (const auto &[name, member] : fields) {
        if (field == QLatin1String(name)) {
            s.*member = value;
            return;
        }
    }
    QFAIL(qPrintable(QStringLiteral("no field ") + field));
}

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}
} // namespace

// Consumer settings (docs/semantics.md): ranges refused with the setting and its range named,
// and the JSON form's type errors.
class TstSettings : public QObject {
    Q_OBJECT
private slots:
    void ranges_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("min");
        QTest::addColumn<int>("max");

        QTest::newRow("max_batch_size")
            << QStringLiteral("maxBatchSize") << QStringLiteral("max_batch_size") << 1 << 100;
        QTest::newRow("max_batch_timeout")
            << QStringLiteral("maxBatchTimeoutMs") << QStringLiteral("max_batch_timeout_ms") << 0 << 60'000;
        QTest::newRow("max_retries") << QStringLiteral("maxRetries") << QStringLiteral("max_retries") << 0
                                     << 100;
        QTest::newRow("retry_delay") << QStringLiteral("retryDelaySeconds") << QStringLiteral("retry_delay")
                                     << 0 << 86'400;
        QTest::newRow("max_concurrency")
            << QStringLiteral("maxConcurrency") << QStringLiteral("max_concurrency") << 1 << 250;
        QTest::newRow("delivery_delay")
            << QStringLiteral("deliveryDelaySeconds") << QStringLiteral("delivery_delay") << 0 << 86'400;
        QTest::newRow("message_retention_period")
            << QStringLiteral("retentionSeconds") << QStringLiteral("message_retention_period") << 60
            << 1'209'600;
        QTest::newRow("visibility_timeout_ms") << QStringLiteral("visibilityTimeoutMs")
                                               << QStringLiteral("visibility_timeout_ms") << 1 << 43'200'000;
        QTest::newRow("webhook timeout")
            << QStringLiteral("webhookTimeoutMs") << QStringLiteral("webhook_timeout_ms") << 1 << 600'000;
    }

    void ranges()
    {
        QFETCH(QString, field);
        QFETCH(QString, name);
        QFETCH(int, min);
        QFETCH(int, max);
        BrokerFixture fx;
        QVERIFY(fx.open());
        QVERIFY(fx.createQueue(QStringLiteral("existing")));
        const qd::QueueSettings before = fx.broker->queue(QStringLiteral("existing"))->settings;
        const QString range = QStringLiteral("between %1 and %2").arg(min).arg(max);

        const int below = field == QLatin1String("maxConcurrency") ? -1 : min - 1; // 0 = unset
        for (const int bad : { below, max + 1 }) {
            qd::QueueSettings s;
            set(s, field, bad);
            const QString text = s.validate();
            QVERIFY2(text.contains(name) && text.contains(range) && text.contains(QString::number(bad)),
                qPrintable(text));

            const qd::Error created = fx.broker->createQueue(QStringLiteral("new"), s);
            QCOMPARE(created.code, qd::ErrorCode::Invalid);
            QCOMPARE(created.message, text);
            QVERIFY(!fx.broker->queue(QStringLiteral("new")));

            const qd::Error updated = fx.broker->updateQueue(QStringLiteral("existing"), s);
            QCOMPARE(updated.code, qd::ErrorCode::Invalid);
            QVERIFY(fx.broker->queue(QStringLiteral("existing"))->settings == before);
        }
        for (const int good : { min, max }) {
            qd::QueueSettings s;
            set(s, field, good);
            QCOMPARE(s.validate(), QString());
            QVERIFY(fx.broker->updateQueue(QStringLiteral("existing"), s).ok());
        }
    }

    void unsetConcurrencyIsValid()
    {
        qd::QueueSettings s;
        QCOMPARE(s.maxConcurrency, 0);
        QCOMPARE(s.validate(), QString());
    }

    void deadLetterQueueName()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        qd::QueueSettings s;
        s.deadLetterQueue = QStringLiteral("q");
        QVERIFY(s.validate(QStringLiteral("q")).contains(QStringLiteral("dead_letter_queue")));
        QCOMPARE(s.validate(QStringLiteral("other")), QString());

        // A DLQ that could never be made is refused up front, not discovered at the last retry.
        s.deadLetterQueue = QString(256, QLatin1Char('d'));
        const qd::Error e = fx.broker->createQueue(QStringLiteral("q"), s);
        QCOMPARE(e.code, qd::ErrorCode::Invalid);
        QVERIFY2(e.message.contains(QStringLiteral("dead_letter_queue")), qPrintable(e.message));
        QVERIFY(!fx.broker->queue(QStringLiteral("q")));
        QVERIFY(fx.createQueue(QStringLiteral("q")));
        QCOMPARE(fx.broker->updateQueue(QStringLiteral("q"), s).code, qd::ErrorCode::Invalid);
        QVERIFY(fx.broker->queue(QStringLiteral("q"))->settings.deadLetterQueue.isEmpty());
    }

    void queueNameRules()
    {
        BrokerFixture fx;
        QVERIFY(fx.open());
        QCOMPARE(fx.broker->createQueue(QString()).code, qd::ErrorCode::Invalid);
        QCOMPARE(fx.broker->createQueue(QString(256, QLatin1Char('n'))).code, qd::ErrorCode::Invalid);
        QVERIFY(fx.createQueue(QString(255, QLatin1Char('n'))));
        QCOMPARE(fx.broker->createQueue(QString(255, QLatin1Char('n'))).code, qd::ErrorCode::Conflict);
    }

    void applyJsonTypeErrors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("error");

        QTest::newRow("string for an integer") << QByteArray(R"({"max_batch_size": "10"})")
                                               << QStringLiteral("max_batch_size must be an integer");
        QTest::newRow("fraction") << QByteArray(R"({"max_retries": 1.5})")
                                  << QStringLiteral("max_retries must be an integer");
        QTest::newRow("bool for an integer")
            << QByteArray(R"({"retry_delay": true})") << QStringLiteral("retry_delay must be an integer");
        QTest::newRow("null for an integer") << QByteArray(R"({"delivery_delay": null})")
                                             << QStringLiteral("delivery_delay must be an integer");
        QTest::newRow("huge number") << QByteArray(R"({"max_batch_size": 1e20})")
                                     << QStringLiteral("max_batch_size is out of range");
        QTest::newRow("past int") << QByteArray(R"({"visibility_timeout_ms": 2147483648})")
                                  << QStringLiteral("visibility_timeout_ms is out of range");
        QTest::newRow("concurrency as string") << QByteArray(R"({"max_concurrency": "4"})")
                                               << QStringLiteral("max_concurrency must be an integer");
        QTest::newRow("concurrency 0") << QByteArray(R"({"max_concurrency": 0})")
                                       << QStringLiteral("max_concurrency must be between 1 and 250");
        QTest::newRow("dlq as number") << QByteArray(R"({"dead_letter_queue": 5})")
                                       << QStringLiteral("dead_letter_queue must be a string");
        QTest::newRow("paused as string") << QByteArray(R"({"delivery_paused": "yes"})")
                                          << QStringLiteral("delivery_paused must be a boolean");
        QTest::newRow("unknown consumer type")
            << QByteArray(R"({"consumer_type": "ftp"})") << QStringLiteral("consumer_type must be one of");
        QTest::newRow("consumer type as number")
            << QByteArray(R"({"consumer_type": 3})") << QStringLiteral("consumer_type must be a string");
        QTest::newRow("url as number")
            << QByteArray(R"({"url": 5})") << QStringLiteral("url must be a string");
        QTest::newRow("good key, then a bad one")
            << QByteArray(R"({"max_batch_size": 7, "delivery_paused": 1})")
            << QStringLiteral("delivery_paused must be a boolean");
    }

    void applyJsonTypeErrors()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, error);
        qd::QueueSettings s;
        s.maxConcurrency = 4;
        s.deadLetterQueue = QStringLiteral("dlq");
        const qd::QueueSettings before = s;
        const QString text = s.applyJson(QJsonDocument::fromJson(input).object());
        QVERIFY2(text.startsWith(error), qPrintable(text));
        QVERIFY(s == before); // nothing applied on error
    }

    void applyJson()
    {
        qd::QueueSettings s;
        s.maxConcurrency = 4;
        s.deadLetterQueue = QStringLiteral("dlq");
        QStringList unknown;
        QCOMPARE(s.applyJson(json(R"({"max_batch_size": 7, "max_concurrency": null, "dead_letter_queue": null,
                                      "delivery_paused": true, "consumer_type": "http_pull", "retry_delay": 30.0,
                                      "zeta": 1, "alpha": 2})"),
                     &unknown),
            QString());
        QCOMPARE(s.maxBatchSize, 7);
        QCOMPARE(s.maxConcurrency, 0);
        QVERIFY(s.deadLetterQueue.isEmpty());
        QVERIFY(s.paused);
        QCOMPARE(s.consumerType, qd::ConsumerType::HttpPull);
        QCOMPARE(s.retryDelaySeconds, 30);
        QCOMPARE(s.maxRetries, 3); // absent keys keep their value
        unknown.sort();
        QCOMPARE(unknown, (QStringList { QStringLiteral("alpha"), QStringLiteral("zeta") }));

        // Values are read as given and checked by validate(), which names the range.
        QCOMPARE(s.applyJson(json(R"({"max_batch_size": 500})")), QString());
        QVERIFY(s.validate().contains(QStringLiteral("max_batch_size must be between 1 and 100 (got 500)")));
    }

    void jsonRoundTrip()
    {
        qd::QueueSettings s = settings(17, 2500, 8, 12);
        s.retryDelaySeconds = 45;
        s.deadLetterQueue = QStringLiteral("dead/ letters");
        s.deliveryDelaySeconds = 5;
        s.retentionSeconds = 7200;
        s.visibilityTimeoutMs = 9000;
        s.paused = true;
        s.consumerType = qd::ConsumerType::Webhook;
        s.webhookUrl = QStringLiteral("https://example.invalid/hook");
        s.webhookTimeoutMs = 1500;
        qd::QueueSettings back;
        QCOMPARE(back.applyJson(s.toJson()), QString());
        QVERIFY(back == s);
    }
};

QTEST_GUILESS_MAIN(TstSettings)
#include "tst_settings.moc"
