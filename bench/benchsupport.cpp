#include "benchsupport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace qdbench {

namespace {
qint64 statusFieldKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray prefix = QByteArray(field) + ':';
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}
} // namespace

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const double rank = std::ceil(p / 100.0 * double(values.size()));
    const std::size_t i = std::clamp<std::size_t>(std::size_t(std::max(rank, 1.0)) - 1, 0, values.size() - 1);
    return values[i];
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

qint64 peakRssKb()
{
    return statusFieldKb("VmHWM");
}

qint64 currentRssKb()
{
    return statusFieldKb("VmRSS");
}

double processCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

qint64 fileBytes(const QString &path)
{
    const QFileInfo info(path);
    return info.exists() ? info.size() : 0;
}

QByteArray sampleBody(qint64 n)
{
    // {"imageUrl":"https://cdn.example.com/uploads/2024/06/img-0000123.jpg","userId":"user-00042","priority":1}
    return QByteArrayLiteral("{\"imageUrl\":\"https://cdn.example.com/uploads/2024/06/img-")
        + QByteArray::number(n).rightJustified(7, '0') + QByteArrayLiteral(".jpg\",\"userId\":\"user-")
        + QByteArray::number(n % 10'000).rightJustified(5, '0') + QByteArrayLiteral("\",\"priority\":")
        + QByteArray::number(n % 3) + '}';
}

void printResult(const QJsonObject &result)
{
    std::printf("RESULT %s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

void printRow(const QString &label, const QString &value, int width)
{
    std::printf("  %s %s\n", qPrintable(label.leftJustified(width, QLatin1Char('.'))), qPrintable(value));
    std::fflush(stdout);
}

} // namespace qdbench
