#pragma once

#include "queuestore.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace qd {

// What a person typed into a message search box, e.g.
//   state:failed error:"timeout" user:alice queue:images since:2h broken.png
// Known keys: queue, state (ready, delayed, inflight, acked, failed, dead_lettered), error,
// user, since (a number with s, m, h or d). Values may be "quoted" (with \" inside).
// Everything else is free text, searched in body, error and id.
struct MessageSearch {
    QString queue;
    std::optional<StateFilter> state;
    bool deadLettered = false;
    QString errorText;
    QString userId;
    QString text; // the free words, joined by single spaces
    qint64 sinceMs = 0; // only messages sent in this last stretch of time; 0 = any time
    QStringList problems; // what was not understood, in words; those parts count as free text

    static MessageSearch parse(const QString &input);
    bool isEmpty() const;

    // Adds these conditions to `filter`. A queue name that queueId() does not know is a
    // problem, reported in `error`, and nothing matches.
    bool applyTo(MessageFilter *filter, const std::function<std::optional<qint64>(const QString &)> &queueId,
        qint64 nowMs, QString *error) const;
};

// A LIKE pattern (backslash escapes) for the errors an error signature stands for: its
// placeholders and spaces match anything. Broader than the signature, never narrower.
QString errorSignaturePattern(const QString &signature);

} // namespace qd
