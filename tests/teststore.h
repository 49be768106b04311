#pragma once

// The store a test runs against: a SQLite file, or with QUEUEDECK_TEST_STORE set to a
// PostgreSQL URL (the _pg variants of tests registered BOTH_STORES) a fresh schema of that
// database. Tests open it through qd::makeStore() and check what a call changed through a
// second, independent connection from openTestReader().

#include "queuestore.h"

#include <QRandomGenerator>
#include <QString>

#include <memory>

namespace qdtest {

// The store spec for one test store: the SQLite file at `path`, or the PostgreSQL URL in
// QUEUEDECK_TEST_STORE with a schema of its own, so stores sharing one database start
// empty and never see each other's rows.
inline QString chooseStoreSpec(const QString &path)
{
    const QString url = qEnvironmentVariable("QUEUEDECK_TEST_STORE");
    if (url.isEmpty())
        return path;
    QString schema = QStringLiteral("t_");
    for (int i = 0; i < 16; ++i)
        schema += QLatin1Char("0123456789abcdef"[QRandomGenerator::global()->bounded(16)]);
    return url + (url.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?'))
        + QStringLiteral("schema=") + schema;
}

// A second connection to the store at `spec`, opened as the views open theirs (read-only,
// without creating or migrating): what it sees was committed. Aborts the test run when the
// store cannot be opened.
inline std::unique_ptr<qd::QueueStore> openTestReader(const QString &spec)
{
    std::unique_ptr<qd::QueueStore> reader = qd::makeStore(spec);
    QString error;
    if (!reader->openReader(&error))
        qFatal("cannot open a reader of %s: %s", qPrintable(qd::displayStoreSpec(spec)), qPrintable(error));
    return reader;
}

} // namespace qdtest
