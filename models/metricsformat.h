#pragma once

#include <QString>

namespace qd {

// How numbers read in tiles, tables, tooltips and axes: one place, so they agree.
QString formatCount(qint64 n);
QString formatRate(double perSecond);
// 350 ms, 4.2 s, 3 min 5 s, 2 h 10 min, 1 d 3 h.
QString formatDuration(qint64 ms);

} // namespace qd
