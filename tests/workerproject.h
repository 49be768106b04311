#pragma once

// Worker projects on disk for the tests that run them (tests/runtime/tst_workers,
// tests/widgets/tst_workerspage): a wrangler.toml and the module it names, src/index.ts, the
// layout docs/workers.md describes.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

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

} // namespace qdtest
