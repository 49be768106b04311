#pragma once

#include "message.h"
#include "metricsformat.h"

#include <QColor>
#include <QString>

namespace qd {

// How message values read in the tables and the detail pane: the state's name (message.cpp),
// "in flight" for inflight, with the queue it was dead-lettered from.
QString stateText(StateFilter state, const QString &sourceQueue = {});
// A message's state in its colour from the state palette, for the application palette's light
// or dark; a message waiting in a dead-letter queue (it has a source queue) in the
// dead-lettered colour. Invalid for Any.
QColor stateColor(StateFilter state, const QString &sourceQueue = {});
// An attempt's outcome in the colour of the state it shares: acked, retried, dead-lettered,
// failed; one with no colour of its own (a lease that expired, an interrupted delivery) is a
// failure.
QColor outcomeColor(AttemptOutcome outcome);
QString firstLine(const QString &text);
// `one` or `many` with %1 replaced by n, in the locale's digits ("1 message", "2,500 messages").
QString countText(qint64 n, const QString &one, const QString &many);
// An error signature (errorsignature.h) as a person reads it: its placeholders ("<n>.<n>",
// "<url>", "<id>") become "…", so "host <n>.<n>" reads "host …".
QString readableSignature(const QString &signature);

struct BodyView {
    QString kind; // "JSON", "text", "bytes", or for v8 "V8 structured clone, decoded" or "…, base64"
    QString text;
    QString note {}; // for v8: why it is not decoded, or what JSON could not keep
};
// JSON pretty-printed, text as it is, bytes (and anything unparseable) as a hex dump; v8
// decoded to pretty JSON, or as base64 (what the API carries) with the note why not.
BodyView formatBody(const QByteArray &body, ContentType type);
QString hexDump(const QByteArray &bytes, qsizetype maxBytes = qsizetype(16) * 1024);

} // namespace qd
