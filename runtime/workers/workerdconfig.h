#pragma once

#include "workerproject.h"

#include <QByteArray>
#include <QString>

namespace qd {

// Where the pieces of one workerd process are. The files are relative to the config's
// folder; the host is QueueDeck's listener for the Worker's queue bindings and logs.
struct WorkerdLayout {
    QString bundleFile = QStringLiteral("worker.mjs");
    QString bridgeFile = QStringLiteral("bridge.mjs");
    quint16 fetchPort = 0; // the Worker's own fetch(), http://127.0.0.1:PORT/
    quint16 bridgePort = 0; // where QueueDeck delivers batches
    quint16 hostPort = 0; // QueueDeck's binding listener
    QString secret; // sent by both sides; nothing else on the machine knows it
};

// The workerd configuration (Cap'n Proto text) that runs the project's bundle with its
// vars and queue bindings, and the bridge beside it (docs/workers.md, "The workerd
// configuration").
QByteArray workerdConfig(const WorkerProject &project, const WorkerdLayout &layout);

// A Cap'n Proto text literal: quoted, with quotes, backslashes and control bytes escaped.
QByteArray capnpString(const QString &text);

} // namespace qd
