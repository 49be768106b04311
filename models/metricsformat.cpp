#include "metricsformat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace qd {

QString formatCount(qint64 n)
{
    return QLocale().toString(n);
}

QString formatRate(double perSecond)
{
    // Small rates keep a decimal so 0.3/s does not read as nothing.
    const int decimals = perSecond != 0 && std::abs(perSecond) < 10 ? 1 : 0;
    return QLocale().toString(perSecond, 'f', decimals);
}

QString formatDuration(qint64 ms)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("formatDuration", text); };
    const QLocale locale;
    if (ms < 1000)
        return tr("%1 ms").arg(ms);
    if (ms < 60'000)
        return tr("%1 s").arg(locale.toString(double(ms) / 1000.0, 'f', ms < 10'000 ? 1 : 0));
    const qint64 s = ms / 1000;
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    if (s < 86'400)
        return tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    return tr("%1 d %2 h").arg(s / 86'400).arg((s % 86'400) / 3600);
}

QString formatCoarseDuration(qint64 ms)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("formatDuration", text); };
    const qint64 s = qMax<qint64>(0, ms) / 1000;
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return tr("%1 min").arg(s / 60);
    if (s < 86'400) {
        const qint64 minutes = (s % 3600) / 60;
        return minutes ? tr("%1 h %2 min").arg(s / 3600).arg(minutes) : tr("%1 h").arg(s / 3600);
    }
    const qint64 hours = (s % 86'400) / 3600;
    return hours ? tr("%1 d %2 h").arg(s / 86'400).arg(hours) : tr("%1 d").arg(s / 86'400);
}

QString formatAge(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    if (ms < 1000)
        return QStringLiteral("%1ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m").arg(s / 60);
    if (s < 86'400)
        return QStringLiteral("%1h").arg(s / 3600);
    return QStringLiteral("%1d").arg(s / 86'400);
}

QString formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QObject::tr("%1 bytes").arg(bytes);
    if (bytes < qint64(1024) * 1024)
        return QObject::tr("%1 KB").arg(qRound(double(bytes) / 1024));
    return QObject::tr("%1 MB").arg(QLocale().toString(double(bytes) / (1024 * 1024), 'f', 1));
}

QString formatTimestamp(qint64 ms)
{
    if (ms <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString formatTimeOfDay(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss"));
}

} // namespace qd
