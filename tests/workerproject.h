#pragma once

// Worker projects on disk for the tests that run them (tests/runtime/tst_workers,
// tests/widgets/tst_workerspage): a wrangler.toml and the module it names, src/index.ts, the
// layout docs/workers.md describes; and a runtime that loads one.

#include "runtime.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

#include <memory>

namespace qdtest {

// Writes `text` to `path`, making its folder. A test that cannot write its project would only
// fail later, further from the cause, so this ends the run.
inline void writeTestFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(path));
}

// The project's module, src/index.ts; written again, it is a save the runtime reloads.
inline void writeWorkerSource(const QString &dir, const QByteArray &source)
{
    writeTestFile(QDir(dir).filePath(QStringLiteral("src/index.ts")), source);
}

inline void writeWorkerProject(const QString &dir, const QByteArray &wrangler, const QByteArray &source)
{
    writeTestFile(QDir(dir).filePath(QStringLiteral("wrangler.toml")), wrangler);
    writeWorkerSource(dir, source);
}

// A runtime with its data in `dataDir`, on an ephemeral loopback port, loading the Worker
// project in `project`; null, with `error` saying why, when it does not start.
inline std::unique_ptr<qd::Runtime> startWorkerRuntime(
    const QString &dataDir, const QString &project, QString *error)
{
    qd::RuntimeOptions options;
    options.dataDir = dataDir;
    options.port = 0;
    options.workers = { project };
    auto runtime = std::make_unique<qd::Runtime>(options);
    if (!runtime->start(error))
        return nullptr;
    return runtime;
}

} // namespace qdtest
