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
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("words");
        QTest::newRow("ftp") << QStringLiteral("ftp://example.com/a.png") << QStringLiteral("carol")
                             << QStringLiteral("imageUrl must use http or https (got ftp)")
                             << QStringLiteral("imageUrlError")
                             << QStringLiteral("Only http and https addresses can be fetched, not ftp.");
        QTest::newRow("relative") << QStringLiteral("photos/a.png") << QStringLiteral("carol")
                                  << QStringLiteral("imageUrl must be an absolute http or https URL")
                                  << QStringLiteral("imageUrlError")
                                  << QStringLiteral(
                                         "Enter a whole address, starting with http:// or https://.");
        QTest::newRow("no host")
            << QStringLiteral("http:/a.png") << QStringLiteral("carol")
            << QStringLiteral("imageUrl must name a host") << QStringLiteral("imageUrlError")
            << QStringLiteral(
                   "The address needs a host name after the //, as in https://example.com/cat.jpg.");
        QTest::newRow("no url") << QString() << QStringLiteral("carol")
                                << QStringLiteral("imageUrl must not be empty")
                                << QStringLiteral("imageUrlError")
                                << QStringLiteral(
                                       "Enter the address of an image, such as https://example.com/cat.jpg.");
        QTest::newRow("no user") << QStringLiteral("https://example.com/a.png") << QString()
                                 << QStringLiteral("userId must not be empty")
                                 << QStringLiteral("userIdError")
                                 << QStringLiteral("Say who the job is for, such as alice.");
    }

    void invalidInputKeepsSendDisabled()
    {
        QFETCH(QString, url);
        QFETCH(QString, user);
        QFETCH(QString, why);
        QFETCH(QString, field);
        QFETCH(QString, words);
        JobForm form(m_runtime->get());
        form.setQueues({ QStringLiteral("images") });
        form.show();
        QVERIFY(QTest::qWaitForWindowExposed(&form));
        auto *userEdit = child<QLineEdit>(&form, "userId");
        userEdit->clear();
        QTest::keyClicks(userEdit, user);
        auto *urlEdit = child<QLineEdit>(&form, "imageUrl");
        QTest::keyClicks(urlEdit, url);
        QCOMPARE(form.validationError(), why);
        QVERIFY(!child<QPushButton>(&form, "send")->isEnabled());

        // Neither a click nor Enter sends it; Enter shows what each field lacks.
        const qint64 before = m_runtime->messageCount(QStringLiteral("images"));
        QSignalSpy sent(&form, &JobForm::sent);
        QTest::mouseClick(child<QPushButton>(&form, "send"), Qt::LeftButton);
        QTest::keyClick(urlEdit, Qt::Key_Return);
        QCoreApplication::processEvents();
        QCOMPARE(m_runtime->messageCount(QStringLiteral("images")), before);
        QCOMPARE(sent.size(), 0);
        auto *label = form.findChild<QLabel *>(field);
        QVERIFY(label);
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), words);
        for (QLabel *l : form.findChildren<QLabel *>()) {
            if (l->isVisible()) {
                QVERIFY2(!l->text().contains(QLatin1String("imageUrl"))
                        && !l->text().contains(QLatin1String("userId")),
                    qPrintable(l->text()));
            }
        }
    }

    // Nothing is called wrong before it was touched; then each field speaks for itself,
    // under itself, in the form's order.
    void fieldsAreJudgedOnceTouched()
    {
        JobForm form(m_runtime->get());
        form.setQueues({ QStringLiteral("images") });
        form.show();
        QVERIFY(QTest::qWaitForWindowExposed(&form));
        form.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&form));
        auto *urlEdit = child<QLineEdit>(&form, "imageUrl");
        auto *userEdit = child<QLineEdit>(&form, "userId");
        userEdit->clear();
        auto *urlError = form.findChild<QLabel *>(QStringLiteral("imageUrlError"));
        auto *userError = form.findChild<QLabel *>(QStringLiteral("userIdError"));
        QVERIFY(urlError && userError);
        const auto shown = [&] {
            QStringList texts;
            for (QLabel *l : form.findChildren<QLabel *>()) {
                if (l->isVisible() && !l->text().isEmpty() && l->buddy() == nullptr)
                    texts.append(l->text());
            }
            return texts;
        };
        QVERIFY(!urlError->isVisible() && !userError->isVisible());
        QVERIFY2(!shown().join(QLatin1Char('|')).contains(QLatin1String("must not be empty")),
            qPrintable(shown().join(QLatin1Char('|'))));

        urlEdit->setFocus();
        QTest::keyClicks(urlEdit, QStringLiteral("example"));
        QVERIFY(urlError->isVisible());
        QCOMPARE(
            urlError->text(), QStringLiteral("Enter a whole address, starting with http:// or https://."));
        QVERIFY(!userError->isVisible()); // not been there yet

        QTest::keyClick(urlEdit, Qt::Key_Tab); // into the user id, then out of it
        QTRY_VERIFY(userEdit->hasFocus());
        QTest::keyClick(userEdit, Qt::Key_Tab);
        QTRY_VERIFY(userError->isVisible());
        QCOMPARE(userError->text(), QStringLiteral("Say who the job is for, such as alice."));
        QVERIFY(urlError->isVisible()); // both at once

        // Next to its own field, in field order.
        const auto y = [&](QWidget *w) { return w->mapTo(&form, QPoint(0, 0)).y(); };
        QVERIFY(y(urlEdit) < y(urlError) && y(urlError) < y(userEdit));
        QVERIFY(y(userEdit) < y(userError));

        urlEdit->selectAll();
        QTest::keyClicks(urlEdit, QStringLiteral("https://example.com/a.png"));
        QVERIFY(!urlError->isVisible());
        QTest::keyClicks(userEdit, QStringLiteral("dave"));
        QVERIFY(!userError->isVisible());
        QVERIFY(child<QPushButton>(&form, "send")->isEnabled());
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
