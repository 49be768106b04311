#pragma once

// A test's own connection to the PostgreSQL database behind a store spec
// (postgresql://user[:password]@host[:port]/database?schema=…), beside the store's, to look
// at or change the store from outside: its catalogue, its query plans, a fault.

#include <QSqlDatabase>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

namespace qdtest {

// Adds the connection `name` (not opened yet) and returns the schema the spec names.
inline QString addTestPgConnection(const QString &spec, const QString &name)
{
    const QUrl url(spec);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(url.host());
    db.setPort(url.port(5432));
    db.setDatabaseName(url.path().mid(1));
    db.setUserName(url.userName());
    db.setPassword(url.password());
    return QUrlQuery(url).queryItemValue(QStringLiteral("schema"));
}

} // namespace qdtest
