#include "loadgenerator.h"
#include "loadgeneratorpanel.h"
#include "loadrunner.h"
#include "testruntime.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>

using namespace qd;
using namespace qdtest;

// The load generator sends from the runtime thread, exactly as many jobs as asked.
class TstLoadGenerator : public QObject {
    Q_OBJECT

    std::unique_ptr<TestRuntime> m_runtime;

    static void setValue(QAbstractSpinBox *box, const QString &text)
    {
        QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(box, text);
        QTest::keyClick(box, Qt::Key_Tab);
    }

    void createQueue(const QString &name)
    {
        m_runtime->onRuntime([&](Broker &b) { QVERIFY(b.createQueue(name).ok()); });
    }

private slots:
    void initTestCase()
    {
        isolateSettings();
        m_runtime = std::make_unique<TestRuntime>();
    }

    void cleanupTestCase() { m_runtime.reset(); }

    void badUrlsAreSpreadEvenly()
    {
        int bad = 0;
        for (int i = 0; i < 40; ++i)
            bad += LoadGenerator::isBad(i, 0.25) ? 1 : 0;
        QCOMPARE(bad, 10);
        QVERIFY(!LoadGenerator::isBad(0, 0));
        QVERIFY(LoadGenerator::isBad(7, 1));
        // Any stretch of eight holds two.
        bad = 0;
        for (int i = 13; i < 21; ++i)
            bad += LoadGenerator::isBad(i, 0.25) ? 1 : 0;
        QCOMPARE(bad, 2);
    }

    void samplesShipWithTheApplication() { QVERIFY(LoadRunner::sampleResources().size() >= 3); }

    void sendsExactlyN()
    {
        createQueue(QStringLiteral("load-exact"));
        LoadGeneratorPanel panel(m_runtime->get());
        panel.setQueues({ QStringLiteral("images"), QStringLiteral("load-exact") });
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *queue = panel.findChild<QComboBox *>(QStringLiteral("loadQueue"));
        queue->setCurrentIndex(queue->findText(QStringLiteral("load-exact")));
        setValue(panel.findChild<QSpinBox *>(QStringLiteral("loadCount")), QStringLiteral("237"));
        setValue(panel.findChild<QDoubleSpinBox *>(QStringLiteral("loadRate")), QStringLiteral("2000"));
        setValue(panel.findChild<QSpinBox *>(QStringLiteral("loadBadShare")), QStringLiteral("10"));
        QSignalSpy finished(panel.runner(), &LoadRunner::finished);
        QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("loadStart")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(finished.at(0).at(0).toLongLong(), 237);
        QCOMPARE(finished.at(0).at(2).toBool(), false);
        QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("loadStatus"))->text(),
            QStringLiteral("Sent all 237 jobs."));
        QCOMPARE(panel.findChild<QProgressBar *>(QStringLiteral("loadProgress"))->value(), 237);

        // All of them in the store, a tenth naming images that are not there, the rest the samples.
        QTRY_COMPARE(m_runtime->messageCount(QStringLiteral("load-exact")), 237);
        const std::vector<Message> sent = m_runtime->messages(QStringLiteral("load-exact"));
        int bad = 0;
        QSet<QString> good;
        for (const Message &m : sent) {
            const QString url
                = QJsonDocument::fromJson(m.body).object().value(QLatin1String("imageUrl")).toString();
            QVERIFY(url.startsWith(m_runtime->get()->blobBaseUrl()));
            if (QFile::exists(
                    m_runtime->dir() + QStringLiteral("/blobs/") + url.section(QLatin1Char('/'), -1)))
                good.insert(url);
            else
                ++bad;
        }
        QCOMPARE(bad, 23);
        QCOMPARE(good.size(), LoadRunner::sampleResources().size());
    }

    void stopEndsTheRun()
    {
        createQueue(QStringLiteral("load-stop"));
        LoadGeneratorPanel panel(m_runtime->get());
        panel.setQueues({ QStringLiteral("load-stop") });
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        setValue(panel.findChild<QSpinBox *>(QStringLiteral("loadCount")), QStringLiteral("100000"));
        setValue(panel.findChild<QDoubleSpinBox *>(QStringLiteral("loadRate")), QStringLiteral("50"));
        QSignalSpy progress(panel.runner(), &LoadRunner::progress);
        QSignalSpy finished(panel.runner(), &LoadRunner::finished);
        auto *start = panel.findChild<QPushButton *>(QStringLiteral("loadStart"));
        QTest::mouseClick(start, Qt::LeftButton);
        QTRY_VERIFY(progress.size() >= 3);
        QCOMPARE(start->text(), QStringLiteral("Stop"));
        QTest::mouseClick(start, Qt::LeftButton);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(2).toBool(), true);
        const qint64 sent = finished.at(0).at(0).toLongLong();
        QVERIFY(sent > 0 && sent < 100000);
        QTRY_COMPARE(m_runtime->messageCount(QStringLiteral("load-stop")), sent);
        QCOMPARE(start->text(), QStringLiteral("Start"));
    }

    void ownUrlsAreCheckedLikePostSlash()
    {
        LoadGeneratorPanel panel(m_runtime->get());
        panel.setQueues({ QStringLiteral("images") });
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTest::mouseClick(panel.findChild<QRadioButton *>(), Qt::LeftButton); // the samples, still
        const QList<QRadioButton *> radios = panel.findChildren<QRadioButton *>();
        QTest::mouseClick(radios.at(1), Qt::LeftButton, {}, QPoint(5, radios.at(1)->height() / 2));
        QVERIFY(radios.at(1)->isChecked());
        QTest::keyClicks(panel.findChild<QPlainTextEdit *>(QStringLiteral("loadUrls")),
            QStringLiteral("ftp://nope/a.png"));
        QSignalSpy finished(panel.runner(), &LoadRunner::finished);
        QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("loadStart")), Qt::LeftButton);
        QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("loadStatus"))->text(),
            QStringLiteral("ftp://nope/a.png: imageUrl must use http or https (got ftp)"));
        QVERIFY(!panel.runner()->isRunning());
        QCOMPARE(finished.size(), 0);
    }
};

QTEST_MAIN(TstLoadGenerator)
#include "tst_loadgenerator.moc"
