#pragma once

#include <QString>
#include <QtGlobal>

#include <atomic>

namespace qd {

// Every time the runtime reads goes through a Clock, so that tests of delays, batch
// timeouts, leases and retention can move time by hand instead of sleeping.
class Clock {
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;
};

class SystemClock final : public Clock {
public:
    qint64 nowMs() const override;
};

class ManualClock final : public Clock {
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000)
        : m_now(startMs)
    {
    }
    qint64 nowMs() const override { return m_now.load(); }
    void setMs(qint64 ms) { m_now.store(ms); }
    void advanceMs(qint64 ms) { m_now.fetch_add(ms); }

private:
    std::atomic<qint64> m_now;
};

// A moment as ISO 8601 in UTC with milliseconds and a 'Z' ("2023-11-14T22:13:20.000Z"): the
// one way times are written for machines (the Cloudflare API, logs, CSV exports, `ctl`).
QString isoTimeUtc(qint64 msSinceEpoch);

} // namespace qd
