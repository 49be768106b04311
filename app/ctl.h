#pragma once

#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStringList>

namespace qd::ctl {

// What `queuedeck ctl` exits with, so scripts can tell what went wrong (README, "Operate").
enum ExitCode {
    Ok = 0,
    Usage = 1, // bad arguments, or a config file that cannot be read
    Unreachable = 2, // nothing answers at the endpoint (refused, unknown host, timed out)
    Refused = 3, // the runtime wants a token, or a different one (HTTP 401/403)
    NotFound = 4, // no such queue or message (HTTP 404)
    ServerError = 5, // the runtime failed (HTTP 5xx) or answered something that is not its API
    Rejected = 6, // the runtime refused the request as invalid (other HTTP 4xx)
    NotDone = 7, // a purge not confirmed; `tail --count` not reached before --timeout
};

inline constexpr auto kDefaultEndpoint = "http://127.0.0.1:8787";

struct Options {
    QString command; // queues, send, messages, retry, redrive, purge, pause, resume, tail
    QStringList arguments; // the command's positional arguments
    QString endpoint; // from --endpoint, QUEUEDECK_ENDPOINT, the config file or the default
    QString token;
    QString configFile; // the one read, if any
    bool json = false;
    bool yes = false;
    bool all = false;
    bool help = false;
    QString queue; // --queue, for retry and tail
    QString state;
    QString search;
    QString contentType; // send: json or text; empty = json when BODY parses as JSON
    int limit = 50;
    qint64 offset = 0;
    int delaySeconds = -1; // -1: not given
    int count = 0; // tail: stop after this many (0 = never)
    int timeoutMs = 0; // tail: stop after this long (0 = never)
    int intervalMs = 1000; // tail: time between polls
    QString error; // set when the arguments are wrong
};

// Parses `arguments` as they follow "ctl" (the command first). Endpoint and token come from
// flags, then `environment`, then the config file (--config, QUEUEDECK_CTL_CONFIG, or
// `defaultConfigFile`), then the default endpoint.
Options parseArguments(
    const QStringList &arguments, const QProcessEnvironment &environment, const QString &defaultConfigFile);

// ~/.config/queuedeck/ctl.conf (XDG_CONFIG_HOME respected).
QString defaultConfigFile();

// "host:port", "http://host:port/" … as "http://host:port" (no trailing slash); empty when
// it is not an http(s) URL.
QString normalizeEndpoint(const QString &endpoint);

struct Column {
    QString title;
    bool rightAligned = false;
    int maxWidth = 0; // longer cells are cut with "…"; 0 = no limit
};

// A table for people: a header row, columns padded to their widest cell, two spaces apart,
// no trailing blanks. Every line ends with a newline.
QString formatTable(const QList<Column> &columns, const QList<QStringList> &rows);

// The exit code for an HTTP status the runtime answered with (200 → Ok).
ExitCode exitCodeForStatus(int status);
// The error text from either API's answer: {"error": "..."} or Cloudflare's
// {"errors": [{"code", "message"}]}; empty when there is none.
QString errorMessage(const QJsonObject &answer);

// The tables printed without --json, from the runtime's answers.
QString queuesTable(const QJsonObject &answer, qint64 nowMs);
QString messagesTable(const QJsonObject &answer);
// One line of `tail` for a failed or dead-lettered message.
QString failureLine(const QJsonObject &message);

// Which of `page` (newest first, as /api/messages?sort=updated&order=desc returns them) are
// new failures, oldest first. `seen` holds "id@updated_ms" of those already reported and
// `watermark` the newest updated_ms reported; both move on. A message that fails again is
// reported again. Messages older than `watermark - lookbackMs` are never new (they were there
// before the tail started); within the look-back, `seen` decides, so nodes whose clocks
// differ a little lose nothing. `seen` is trimmed to the look-back.
QList<QJsonObject> newFailures(
    const QJsonArray &page, QHash<QString, qint64> *seen, qint64 *watermark, qint64 lookbackMs);

// `queuedeck ctl …`: argv as main() got it, argv[1] being "ctl".
int main(int argc, char **argv);

} // namespace qd::ctl
