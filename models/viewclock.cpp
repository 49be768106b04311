#include "viewclock.h"

namespace qd {

namespace {
const SystemClock g_system;
const Clock *g_clock = &g_system;
} // namespace

const Clock &viewClock()
{
    return *g_clock;
}

ViewClockOverride::ViewClockOverride(const Clock *clock)
    : m_previous(g_clock)
{
    g_clock = clock ? clock : &g_system;
}

ViewClockOverride::~ViewClockOverride()
{
    g_clock = m_previous;
}

} // namespace qd
