#pragma once

#include <QJsonObject>
#include <QString>

#include <vector>

namespace qdbench {

// Helpers shared by the benchmark programs: statistics, process memory, file sizes and
// the one machine-readable line each program ends with.

// The p-th percentile (0..100) by nearest rank; 0 for an empty sample.
double percentile(std::vector<double> values, double p);
double median(std::vector<double> values);

// Peak and current resident set size of this process in KiB, from /proc/self/status.
qint64 peakRssKb();
qint64 currentRssKb();

// CPU time (user + system) this process has used so far, in seconds.
double processCpuSeconds();

// Size in bytes of `path`, 0 when it does not exist.
qint64 fileBytes(const QString &path);

// A realistic producer body of about 100 bytes, different for every n.
QByteArray sampleBody(qint64 n);

// Prints `RESULT {json}` on its own line on stdout.
void printResult(const QJsonObject &result);

// Prints one line of a plain table: a label padded to `width` and a value.
void printRow(const QString &label, const QString &value, int width = 38);

} // namespace qdbench
