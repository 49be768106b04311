#pragma once

#include <QLoggingCategory>
#include <QString>

#include <cstdio>

namespace qd {

Q_DECLARE_LOGGING_CATEGORY(lcRuntime)
// What Worker projects print, each line prefixed with the Worker's name.
Q_DECLARE_LOGGING_CATEGORY(lcWorker)

enum class LogFormat { Text, Json };

struct LogOptions {
    LogFormat format = LogFormat::Text;
    QtMsgType minimum = QtInfoMsg; // events below this level are dropped
};

// "text" or "json"; false for anything else.
bool logFormatFromName(const QString &name, LogFormat *format);
// "debug", "info", "warning" or "error"; false for anything else.
bool logLevelFromName(const QString &name, QtMsgType *level);
// Whether an event of `type` is kept when `minimum` is the lowest level wanted.
bool logLevelPasses(QtMsgType type, QtMsgType minimum);

// One event as one line (no newline): "2026-12-07T06:45:00.123Z info runtime: listening on …",
// or {"ts":…,"level":…,"category":…,"msg":…}. Line breaks in the message are escaped, so a
// service manager never sees one event as two.
QByteArray formatLogLine(
    LogFormat format, qint64 msecsSinceEpoch, QtMsgType type, const char *category, const QString &message);

// Routes qDebug/qInfo/qWarning/qCritical to stderr, one formatted line per event.
void installLogHandler(const LogOptions &options);

// Writes one event to `stream` in the installed format, whatever the level filter says: for
// the lines a caller waits for (the headless endpoint), not for diagnostics.
void writeLogLine(FILE *stream, QtMsgType type, const char *category, const QString &message);

} // namespace qd
