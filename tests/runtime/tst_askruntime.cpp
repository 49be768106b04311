#include "askruntime.h"

#include <QSemaphore>
#include <QTest>
#include <QThreadPool>

#include <atomic>
#include <memory>

using qd::askRuntime;
using qd::askRuntimeLater;
using qd::tellRuntime;

// The one way across threads: work runs on the runtime side's thread, its answer on the GUI
// thread, and never for a context that is gone.
class TstAskRuntime : public QObject {
    Q_OBJECT
private slots:
    void init()
    {
        m_thread = std::make_unique<QThread>();
        m_runtimeSide = new QObject;
        m_runtimeSide->moveToThread(m_thread.get());
        connect(m_thread.get(), &QThread::finished, m_runtimeSide, &QObject::deleteLater);
        m_thread->start();
    }

    void cleanup()
    {
        m_thread->quit();
        m_thread->wait();
        m_thread.reset();
    }

    void workOnRuntimeThreadAnswerOnGuiThread()
    {
        QObject context;
        QThread *workedOn = nullptr;
        QThread *answeredOn = nullptr;
        int value = 0;
        askRuntime(
            m_runtimeSide, &context, [] { return std::make_pair(QThread::currentThread(), 42); },
            [&](const std::pair<QThread *, int> &answer) {
                workedOn = answer.first;
                value = answer.second;
                answeredOn = QThread::currentThread();
            });
        QTRY_COMPARE(value, 42);
        QCOMPARE(workedOn, m_thread.get());
        QCOMPARE(answeredOn, QThread::currentThread());
    }

    void voidWorkStillAnswers()
    {
        QObject context;
        std::atomic<QThread *> workedOn = nullptr;
        bool answered = false;
        askRuntime(
            m_runtimeSide, &context, [&] { workedOn = QThread::currentThread(); }, [&] { answered = true; });
        QTRY_VERIFY(answered);
        QCOMPARE(workedOn.load(), m_thread.get());
    }

    // The answer comes later, from a third thread (a commit callback, a decoding pool).
    void laterAnswerFromAnotherThread()
    {
        QObject context;
        QThread *answeredOn = nullptr;
        QString text;
        int number = 0;
        askRuntimeLater(
            m_runtimeSide, &context,
            [](auto &answer) {
                QThreadPool::globalInstance()->start([answer] { answer(QStringLiteral("decoded"), 7); });
            },
            [&](const QString &t, int n) {
                text = t;
                number = n;
                answeredOn = QThread::currentThread();
            });
        QTRY_COMPARE(text, QStringLiteral("decoded"));
        QCOMPARE(number, 7);
        QCOMPARE(answeredOn, QThread::currentThread());
    }

    // The context goes while the work runs: the work finishes, the answer is dropped.
    void noAnswerAfterContextDestroyed()
    {
        auto *context = new QObject;
        QSemaphore contextGone;
        std::atomic<bool> workDone = false;
        bool answered = false;
        askRuntime(
            m_runtimeSide, context,
            [&] {
                contextGone.acquire();
                workDone = true;
                return 1;
            },
            [&](int) { answered = true; });
        delete context;
        contextGone.release();
        QTRY_VERIFY(workDone);
        // Answers reach the GUI thread in the order they were posted from the runtime thread:
        // once a later one has arrived, the first one was delivered or dropped.
        QObject witness;
        bool laterArrived = false;
        askRuntime(
            m_runtimeSide, &witness, [] { return 2; }, [&](int) { laterArrived = true; });
        QTRY_VERIFY(laterArrived);
        QVERIFY(!answered);
    }

    void tellRunsOnRuntimeThread()
    {
        std::atomic<QThread *> ranOn = nullptr;
        tellRuntime(m_runtimeSide, [&] { ranOn = QThread::currentThread(); });
        QTRY_COMPARE(ranOn.load(), m_thread.get());
    }

private:
    std::unique_ptr<QThread> m_thread;
    QObject *m_runtimeSide = nullptr;
};

QTEST_GUILESS_MAIN(TstAskRuntime)
#include "tst_askruntime.moc"
