#pragma once

#include <QString>

namespace qd {

// How numbers, sizes, durations and times read in tiles, tables, tooltips, axes and the
// terminal: one place, so they agree.
QString formatCount(qint64 n);
QString formatRate(double perSecond);
// 350 ms, 4.2 s, 3 min 5 s, 2 h 10 min, 1 d 3 h.
QString formatDuration(qint64 ms);
// To the largest whole unit and the next: 45 s, 3 min, 2 h 5 min, 4 d 2 h (0 s below zero).
QString formatCoarseDuration(qint64 ms);
// For terminal tables: "850ms", "42s", "5m", "3h", "2d"; "-" for a negative age (no message).
QString formatAge(qint64 ms);
// "512 bytes", "12 KB", "3.4 MB".
QString formatBytes(qint64 bytes);
// Local time to the second; empty for 0.
QString formatTimestamp(qint64 ms);
// Local time of day, "14:03:27".
QString formatTimeOfDay(qint64 ms);

} // namespace qd
