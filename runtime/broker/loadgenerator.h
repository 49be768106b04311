#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTimer>

namespace qd {

class Broker;

// What a load run sends: `count` image jobs at `ratePerSecond` to `queue`, cycling
// through `urls`; a `badShare` (0..1) of them name images that do not exist, so the
// queue's retries and failures show up.
struct LoadPlan {
    QString queue;
    QString userId = QStringLiteral("loadgen");
    int count = 100;
    double ratePerSecond = 10;
    QStringList urls;
    double badShare = 0;
    QString blobBase; // this server's "http://host:port/blobs/": bad URLs name blobs that are not there
};

// Sends a LoadPlan from the broker's own thread, paced by a timer there, so a fast run
// never waits on the window and the window never waits on it. Lives on the broker's
// thread with the broker as parent; call it only with queued calls.
class LoadGenerator final : public QObject {
    Q_OBJECT
public:
    explicit LoadGenerator(Broker *broker, QObject *parent = nullptr);

    void start(const qd::LoadPlan &plan);
    void stop();
    bool isRunning() const { return m_timer.isActive(); }

    // Whether job `index` of a run with this share of bad URLs is a bad one: spread
    // evenly, so any stretch of the run holds about its share.
    static bool isBad(qint64 index, double badShare);

signals:
    void progress(qint64 sent, qint64 total);
    // `error` is empty unless the broker refused a send (an unknown queue, say).
    void finished(qint64 sent, qint64 total, bool stopped, const QString &error);

private:
    void tick();
    void end(bool stopped, const QString &error);

    Broker *m_broker;
    QTimer m_timer;
    QElapsedTimer m_elapsed;
    LoadPlan m_plan;
    qint64 m_sent = 0;
};

} // namespace qd
