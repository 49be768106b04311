#include "errorsignature.h"

#include <QRegularExpression>

namespace qd {

QString errorSignature(const QString &error)
{
    static const QRegularExpression url(QStringLiteral("\\b[a-zA-Z][a-zA-Z0-9+.-]*://\\S+"));
    static const QRegularExpression uuid(
        QStringLiteral("\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b"));
    // Hex runs of 8 or more that hold both a digit and a letter: message ids, hashes.
    static const QRegularExpression hex(
        QStringLiteral("\\b(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\\b"));
    static const QRegularExpression quoted(QStringLiteral("\"[^\"]*\"|'[^']*'"));
    // Numbers (also after an "x", as in 640x480), except an HTTP status: that is what
    // tells one failure from another.
    static const QRegularExpression number(QStringLiteral("(?<!HTTP )(?<![A-Za-wyz\\d])\\d+(\\.\\d+)?"));
    static const QRegularExpression space(QStringLiteral("\\s+"));
    QString s = error.trimmed();
    s.replace(url, QStringLiteral("<url>"));
    s.replace(uuid, QStringLiteral("<id>"));
    s.replace(hex, QStringLiteral("<id>"));
    s.replace(quoted, QStringLiteral("\"…\""));
    s.replace(number, QStringLiteral("<n>"));
    s.replace(space, QStringLiteral(" "));
    return s;
}

} // namespace qd
