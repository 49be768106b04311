#include "logging.h"

#include "clock.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace qd {

Q_LOGGING_CATEGORY(lcRuntime, "runtime")
Q_LOGGING_CATEGORY(lcWorker, "worker")

namespace {

LogOptions g_options;

// QtMsgType's values are not in order of severity (QtInfoMsg came last).
int severity(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return 0;
    case QtInfoMsg:
        return 1;
    case QtWarningMsg:
        return 2;
    case QtCriticalMsg:
        return 3;
    case QtFatalMsg:
        return 4;
    }
    return 1;
}

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

// A JSON string literal, quotes included; QJsonDocument only writes arrays and objects.
QByteArray jsonString(const QString &s)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray { s }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type != QtFatalMsg && !logLevelPasses(type, g_options.minimum))
        return;
    writeLogLine(stderr, type, context.category, message);
}

} // namespace

bool logFormatFromName(const QString &name, LogFormat *format)
{
    if (name == QLatin1String("text"))
        *format = LogFormat::Text;
    else if (name == QLatin1String("json"))
        *format = LogFormat::Json;
    else
        return false;
    return true;
}

bool logLevelFromName(const QString &name, QtMsgType *level)
{
    static const std::pair<QLatin1String, QtMsgType> names[] = {
        { QLatin1String("debug"), QtDebugMsg },
        { QLatin1String("info"), QtInfoMsg },
        { QLatin1String("warning"), QtWarningMsg },
        { QLatin1String("error"), QtCriticalMsg },
    };
    for (const auto &[n, type] : names) {
        if (name == n) {
            *level = type;
            return true;
        }
    }
    return false;
}

bool logLevelPasses(QtMsgType type, QtMsgType minimum)
{
    return severity(type) >= severity(minimum);
}

QByteArray formatLogLine(
    LogFormat format, qint64 msecsSinceEpoch, QtMsgType type, const char *category, const QString &message)
{
    const QByteArray ts = isoTimeUtc(msecsSinceEpoch).toLatin1();
    // Messages logged without a category are QueueDeck's own (the runtime's qWarning()s).
    const QByteArray cat = (!category || qstrcmp(category, "default") == 0) ? QByteArrayLiteral("queuedeck")
                                                                            : QByteArray(category);
    if (format == LogFormat::Json) {
        return "{\"ts\":\"" + ts + "\",\"level\":\"" + levelName(type) + "\",\"category\":"
            + jsonString(QString::fromUtf8(cat)) + ",\"msg\":" + jsonString(message) + '}';
    }
    QString text = message;
    text.replace(QLatin1Char('\r'), QLatin1String("\\r")).replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return ts + ' ' + levelName(type) + ' ' + cat + ": " + text.toUtf8();
}

void installLogHandler(const LogOptions &options)
{
    g_options = options;
    qInstallMessageHandler(handler);
}

void writeLogLine(FILE *stream, QtMsgType type, const char *category, const QString &message)
{
    // One fwrite per event: lines from several threads never interleave.
    const QByteArray line
        = formatLogLine(g_options.format, QDateTime::currentMSecsSinceEpoch(), type, category, message)
        + '\n';
    std::fwrite(line.constData(), 1, std::size_t(line.size()), stream);
    std::fflush(stream);
}

} // namespace qd
