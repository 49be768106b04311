#pragma once

#include <QString>
#include <QStringList>

namespace qd {

// An attempt's log lines as the attempts table keeps them: a JSON array of strings, or a
// null text (NULL in SQL) when there are none, so attempts of other consumers cost nothing.
QString attemptLogsText(const QStringList &lines);
// Reads what attemptLogsText() wrote; anything else (NULL, not an array) is no lines.
QStringList attemptLogsFromText(const QString &text);

} // namespace qd
