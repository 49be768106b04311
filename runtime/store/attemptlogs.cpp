#include "attemptlogs.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace qd {

QString attemptLogsText(const QStringList &lines)
{
    if (lines.isEmpty())
        return {};
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(lines)).toJson(QJsonDocument::Compact));
}

QStringList attemptLogsFromText(const QString &text)
{
    if (text.isEmpty())
        return {};
    QStringList lines;
    for (const QJsonValue line : QJsonDocument::fromJson(text.toUtf8()).array())
        lines.append(line.toString());
    return lines;
}

} // namespace qd
