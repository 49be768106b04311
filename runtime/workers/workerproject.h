#pragma once

#include "wranglerconfig.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace qd {

// A producer binding: `env.<binding>.send()` in the Worker lands in `queue`.
struct WorkerProducerBinding {
    QString binding;
    QString queue;
};

// What a Worker project's wrangler file says, read for running it (docs/workers.md).
struct WorkerProject {
    QString configPath; // absolute path of wrangler.toml / .jsonc / .json
    QString directory; // the folder it is in: paths in the file are relative to it
    QString name;
    QString mainPath; // absolute path of the entry module
    QString compatibilityDate;
    QStringList compatibilityFlags;
    QJsonObject vars;
    std::vector<WorkerProducerBinding> producers;
    QStringList consumedQueues; // queues whose batches go to the Worker's queue()
    // The queues to create or update, as the wrangler import does; consumers without a
    // `type` (or with type "worker") are this Worker's, so their consumer_type is worker.
    WranglerConfig queues;
};

// Finds the config in a folder (wrangler.toml, then wrangler.jsonc, then wrangler.json) or
// takes the file itself. Returns an empty text, with *error set, when there is none.
QString findWorkerConfig(const QString &path, QString *error);

// Reads and checks the project. An error names the file (and line, for a syntax error) and
// what to do; warnings (unknown keys...) go to out->queues.warnings.
bool loadWorkerProject(const QString &path, WorkerProject *out, QString *error);

} // namespace qd
