#pragma once

#include <QCoreApplication>
#include <QObject>
#include <QPointer>
#include <QThread>

#include <type_traits>
#include <utility>

namespace qd {

// The one way the GUI asks the runtime thread for work and hears back. The answer is posted
// to the application object, which lives on the GUI thread and outlives every page, and the
// guard on `context` is read only there: a QPointer to a GUI object must never be read on the
// runtime thread, where the object may be dying under it.

// A callable that any thread may call (now or later, any number of times): each call posts its
// arguments to the GUI thread and hands them to `onAnswer` there, unless `context` is gone by
// then. Make it on the GUI thread.
template <typename OnAnswer> auto answerOnGuiThread(QObject *context, OnAnswer onAnswer)
{
    Q_ASSERT(context);
    Q_ASSERT(context->thread() == QCoreApplication::instance()->thread());
    return [guard = QPointer<QObject>(context), onAnswer = std::move(onAnswer)](auto... args) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, onAnswer, args...]() mutable {
                if (!guard)
                    return;
                Q_ASSERT(guard->thread() == QThread::currentThread());
                onAnswer(std::move(args)...);
            },
            Qt::QueuedConnection);
    };
}

// Runs `work(answer)` on `runtimeSide`'s thread; `work` calls `answer(values...)` when it
// knows them, which may be after a commit. `onAnswer(values...)` then runs on the GUI thread
// if `context` still lives.
template <typename Work, typename OnAnswer>
void askRuntimeLater(QObject *runtimeSide, QObject *context, Work work, OnAnswer onAnswer)
{
    Q_ASSERT(runtimeSide);
    auto answer = answerOnGuiThread(context, std::move(onAnswer));
    QMetaObject::invokeMethod(
        runtimeSide,
        [runtimeSide, work = std::move(work), answer = std::move(answer)]() mutable {
            Q_ASSERT(QThread::currentThread() == runtimeSide->thread());
            work(answer);
        },
        Qt::QueuedConnection);
}

// Runs `work()` on `runtimeSide`'s thread and, if `context` still lives, `onAnswer(result)`
// (or `onAnswer()` for a `void` work) on the GUI thread.
template <typename Work, typename OnAnswer>
void askRuntime(QObject *runtimeSide, QObject *context, Work work, OnAnswer onAnswer)
{
    askRuntimeLater(
        runtimeSide, context,
        [work = std::move(work)](auto &answer) mutable {
            if constexpr (std::is_void_v<decltype(work())>) {
                work();
                answer();
            } else {
                answer(work());
            }
        },
        std::move(onAnswer));
}

// Runs `work()` on `runtimeSide`'s thread, with no answer.
template <typename Work> void tellRuntime(QObject *runtimeSide, Work work)
{
    Q_ASSERT(runtimeSide);
    QMetaObject::invokeMethod(
        runtimeSide,
        [runtimeSide, work = std::move(work)]() mutable {
            Q_ASSERT(QThread::currentThread() == runtimeSide->thread());
            work();
        },
        Qt::QueuedConnection);
}

} // namespace qd
