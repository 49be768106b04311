#include "jobform.h"
#include "testruntime.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>

using namespace qd;
using namespace qdtest;

// The Submit page's form, driven with the keyboard and mouse against a real runtime.
class TstJobForm : public QObject {
    Q_OBJECT

    std::unique_ptr<TestRuntime> m_runtime;

    template <typename T> static T *child(QWidget *form, const char *name)
    {
        T *w = form->findChild<T *>(QLatin1String(name));
        if (!w)
            qFatal("no %s", name);
        return w;
    }

    static QString sentId(QWidget *form)
    {
        const QString text = child<QLabel>(form, "sentLink")->text();
        const qsizetype at = text.indexOf(QLatin1String("message:"));
        return at < 0 ? QString() : text.mid(at + 8, 32);
    }

private slots:
    void initTestCase()
    {
        isolateSettings();
        m_runtime = std::make_unique<TestRuntime>();
    }

    void cleanupTestCase() { m_runtime.reset(); }

    void typingAndSendingQueuesTheBody()
    {
        JobForm form(m_runtime->get());
        form.setQueues({ QStringLiteral("images") });
        form.show();
        QVERIFY(QTest::qWaitForWindowExposed(&form));
        auto *send = child<QPushButton>(&form, "send");
        QVERIFY(!send->isEnabled());

        const QString url = QStringLiteral("https://example.com/cat.jpg");
        QTest::keyClicks(child<QLineEdit>(&form, "imageUrl"), url);
        QTest::keyClicks(child<QLineEdit>(&form, "userId"), QStringLiteral("alice"));
        QVERIFY(send->isEnabled());
        QCOMPARE(child<QLabel>(&form, "validation")->text(), QStringLiteral("Ready to send."));
        const QJsonObject preview
            = QJsonDocument::fromJson(child<QPlainTextEdit>(&form, "preview")->toPlainText().toUtf8())
                  .object();
        QCOMPARE(preview.value(QLatin1String("imageUrl")).toString(), url);
        QCOMPARE(preview.value(QLatin1String("userId")).toString(), QStringLiteral("alice"));

        QSignalSpy sent(&form, &JobForm::sent);
        QTest::mouseClick(send, Qt::LeftButton);
        QTRY_COMPARE(sent.size(), 1);
        const QString id = sent.at(0).at(0).toString();
        QCOMPARE(sentId(&form), id);
        const auto m = m_runtime->message(id);
        QVERIFY(m);
        const QJsonObject body = QJsonDocument::fromJson(m->body).object();
        QCOMPARE(body,
            (QJsonObject { { QStringLiteral("imageUrl"), url },
                { QStringLiteral("userId"), QStringLiteral("alice") } }));
        QCOMPARE(m->contentType, ContentType::Json);

        // The link opens the message.
        QSignalSpy open(&form, &JobForm::openMessageRequested);
        emit child<QLabel>(&form, "sentLink")->linkActivated(QStringLiteral("message:") + id);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.at(0).at(0).toString(), id);
    }

    void enterSendsWithTheDelay()
    {
        JobForm form(m_runtime->get());
        form.setQueues({ QStringLiteral("images") });
        form.show();
        QVERIFY(QTest::qWaitForWindowExposed(&form));
        auto *delay = child<QSpinBox>(&form, "delay");
        QTest::keyClick(delay, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(delay, QStringLiteral("600"));
        QCOMPARE(delay->value(), 600);
        QVERIFY(child<QPlainTextEdit>(&form, "preview")
                    ->toPlainText()
                    .contains(QLatin1String("delivered 600 s after")));
        auto *url = child<QLineEdit>(&form, "imageUrl");
        QTest::keyClicks(url, QStringLiteral("http://img.example.org/dog.png"));
        QSignalSpy sent(&form, &JobForm::sent);
        QTest::keyClick(url, Qt::Key_Return);
        QTRY_COMPARE(sent.size(), 1);
        const auto m = m_runtime->message(sent.at(0).at(0).toString());
        QVERIFY(m);
        // Delayed by ten minutes: not visible before then.
        QVERIFY(m->visibleAtMs >= m->timestampMs + 600'000);
        QCOMPARE(QJsonDocument::fromJson(m->body).object().value(QLatin1String("imageUrl")).toString(),
            QStringLiteral("http://img.example.org/dog.png"));
    }

    void userIdIsRemembered()
    {
        {
            JobForm form(m_runtime->get());
            auto *user = child<QLineEdit>(&form, "userId");
            user->clear();
            QTest::keyClicks(user, QStringLiteral("bob"));
        }
        JobForm again(m_runtime->get());
        QCOMPARE(again.userId(), QStringLiteral("bob"));
    }

    void invalidInputKeepsSendDisabled_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("why");
        QTest::newRow("ftp") << QStringLiteral("ftp://example.com/a.png") << QStringLiteral("carol")
                             << QStringLiteral("imageUrl must use http or https (got ftp)");
        QTest::newRow("relative") << QStringLiteral("photos/a.png") << QStringLiteral("carol")
                                  << QStringLiteral("imageUrl must be an absolute http or https URL");
        QTest::newRow("no host") << QStringLiteral("http:/a.png") << QStringLiteral("carol")
                                 << QStringLiteral("imageUrl must name a host");
        QTest::newRow("no url") << QString() << QStringLiteral("carol")
                                << QStringLiteral("imageUrl must not be empty");
        QTest::newRow("no user") << QStringLiteral("https://example.com/a.png") << QString()
                                 << QStringLiteral("userId must not be empty");
    }

    void invalidInputKeepsSendDisabled()
    {
        QFETCH(QString, url);
        QFETCH(QString, user);
        QFETCH(QString, why);
        JobForm form(m_runtime->get());
        form.setQueues({ QStringLiteral("images") });
        form.show();
        QVERIFY(QTest::qWaitForWindowExposed(&form));
        auto *userEdit = child<QLineEdit>(&form, "userId");
        userEdit->clear();
        QTest::keyClicks(userEdit, user);
        auto *urlEdit = child<QLineEdit>(&form, "imageUrl");
        QTest::keyClicks(urlEdit, url);
        QCOMPARE(child<QLabel>(&form, "validation")->text(), why);
        QCOMPARE(form.validationError(), why);
        QVERIFY(!child<QPushButton>(&form, "send")->isEnabled());

        // Neither a click nor Enter sends it.
        const qint64 before = m_runtime->messageCount(QStringLiteral("images"));
        QSignalSpy sent(&form, &JobForm::sent);
        QTest::mouseClick(child<QPushButton>(&form, "send"), Qt::LeftButton);
        QTest::keyClick(urlEdit, Qt::Key_Return);
        QCoreApplication::processEvents();
        QCOMPARE(m_runtime->messageCount(QStringLiteral("images")), before);
        QCOMPARE(sent.size(), 0);
    }

    void blobUrlsOfThisServerAreAccepted()
    {
        JobForm form(m_runtime->get());
        form.setQueues({ QStringLiteral("images") });
        QTest::keyClicks(child<QLineEdit>(&form, "imageUrl"),
            m_runtime->get()->blobBaseUrl() + QString(64, QLatin1Char('a')));
        QVERIFY(form.validationError().isEmpty());
    }
};

QTEST_MAIN(TstJobForm)
#include "tst_jobform.moc"
