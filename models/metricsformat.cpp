#include "metricsformat.h"

#include <QCoreApplication>
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

} // namespace qd
