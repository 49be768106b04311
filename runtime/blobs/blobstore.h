#pragma once

#include "error.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace qd {

// Content-addressed files in one directory, each named by the SHA-256 of its bytes (64
// lowercase hex). A put is atomic and durable before it returns (temporary file in the
// same directory, fsync, rename, fsync of the directory), so a job that names a blob
// never outlives it; the same bytes are stored once. Names come only from hashing, never
// from a request, so no path can escape the directory.
class BlobStore final {
public:
    static constexpr qint64 kDefaultMaxBytes = 25LL * 1024 * 1024;

    explicit BlobStore(QString directory, qint64 maxBytes = kDefaultMaxBytes);

    // Creates the directory and removes temporary files a crash left behind.
    bool open(QString *error);

    QString directory() const { return m_directory; }
    qint64 maxBytes() const { return m_maxBytes; }

    // Stores `data`; `sha256` receives its name, `created` whether it was new.
    Error put(const QByteArray &data, QString *sha256, bool *created = nullptr);
    // The blob's bytes; nullopt for a name that is not a stored blob's.
    std::optional<QByteArray> get(const QString &sha256) const;
    bool contains(const QString &sha256) const;
    // Where a blob lives; empty for anything that is not 64 lowercase hex.
    QString pathFor(const QString &sha256) const;

    static bool isBlobName(QStringView name);
    static QString hashOf(const QByteArray &data);

private:
    QString m_directory;
    qint64 m_maxBytes;
};

} // namespace qd
