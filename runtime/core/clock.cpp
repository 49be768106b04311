#include "clock.h"

#include <QDateTime>

namespace qd {

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace qd
