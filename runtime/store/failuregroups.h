#pragma once

#include "message.h"

#include <QList>
#include <QString>

#include <functional>
#include <vector>

namespace qd {

// Failed and dead-lettered messages whose errors share a signature (errorsignature.h).
struct FailureGroup {
    QString signature;
    qint64 count = 0;
    qint64 firstSeenMs = 0;
    qint64 lastSeenMs = 0;
    QString sampleId;
    QString sampleError;
    QList<qint64> seqs; // the group as it was counted: what "retry group" acts on
};

// Groups `failures` by the signature `signatureOf` gives each error, most frequent first
// (equal counts in signature order), skipping messages `keep` refuses. A group's first and
// last seen are its messages' oldest and newest update; its sample is the newest message.
QList<FailureGroup> groupFailures(const std::vector<Message> &failures,
    const std::function<QString(const QString &error)> &signatureOf,
    const std::function<bool(const Message &)> &keep = {});

} // namespace qd
