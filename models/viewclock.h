#pragma once

#include "clock.h"

namespace qd {

// "Now" for everything the window shows against the present: the time ranges of the
// message filters, the charts' window and history, how long a node has run or been
// silent. It is read from one place so that a widget test can hold time still or move it
// by hand with a ManualClock, as runtime tests do, instead of racing the wall clock.
const Clock &viewClock();

// Makes viewClock() read `clock` for as long as it lives (tests; GUI thread only).
class ViewClockOverride final {
public:
    explicit ViewClockOverride(const Clock *clock);
    ~ViewClockOverride();
    ViewClockOverride(const ViewClockOverride &) = delete;
    ViewClockOverride &operator=(const ViewClockOverride &) = delete;

private:
    const Clock *m_previous;
};

} // namespace qd
