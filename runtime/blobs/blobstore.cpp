#include "blobstore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace qd {

namespace {

const QLatin1String kTempPrefix(".incoming-");

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// A rename is durable only once the directory entry is on disk too.
bool syncDirectory(const QString &directory)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

} // namespace

BlobStore::BlobStore(QString directory, qint64 maxBytes)
    : m_directory(std::move(directory))
    , m_maxBytes(maxBytes)
{
}

bool BlobStore::open(QString *error)
{
    QDir dir(m_directory);
    if (!dir.mkpath(QStringLiteral("."))) {
        *error = QStringLiteral("cannot create the blob directory %1").arg(m_directory);
        return false;
    }
    const QStringList leftovers
        = dir.entryList({ kTempPrefix + QLatin1Char('*') }, QDir::Files | QDir::Hidden);
    for (const QString &name : leftovers)
        dir.remove(name);
    return true;
}

bool BlobStore::isBlobName(QStringView name)
{
    if (name.size() != 64)
        return false;
    for (const QChar c : name) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9'))
                || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

QString BlobStore::hashOf(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

QString BlobStore::pathFor(const QString &sha256) const
{
    return isBlobName(sha256) ? m_directory + QLatin1Char('/') + sha256 : QString();
}

bool BlobStore::contains(const QString &sha256) const
{
    const QString path = pathFor(sha256);
    return !path.isEmpty() && QFileInfo::exists(path);
}

std::optional<QByteArray> BlobStore::get(const QString &sha256) const
{
    const QString path = pathFor(sha256);
    if (path.isEmpty())
        return std::nullopt;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    return file.readAll();
}

Error BlobStore::put(const QByteArray &data, QString *sha256, bool *created)
{
    if (data.size() > m_maxBytes)
        return Error::make(ErrorCode::TooLarge,
            QStringLiteral("the file is %1 bytes; the limit is %2 bytes").arg(data.size()).arg(m_maxBytes));
    const QString name = hashOf(data);
    *sha256 = name;
    const QString target = pathFor(name);
    if (created)
        *created = false;
    // Same name, same bytes: a blob that is already there (renames are atomic, so it is
    // whole) is not written again.
    if (const QFileInfo existing(target); existing.exists() && existing.size() == data.size())
        return {};

    const QString temp = m_directory + QLatin1Char('/') + kTempPrefix
        + QString::number(QRandomGenerator::global()->generate64(), 16);
    const QByteArray tempPath = QFile::encodeName(temp);
    const int fd = ::open(tempPath.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return Error::make(
            ErrorCode::Storage, QStringLiteral("cannot create %1: %2").arg(temp, systemError()));
    qsizetype written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + written, size_t(data.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        written += n;
    }
    const bool ok = written == data.size() && ::fsync(fd) == 0;
    const QString writeError = ok ? QString() : systemError();
    ::close(fd);
    if (!ok) {
        ::unlink(tempPath.constData());
        return Error::make(
            ErrorCode::Storage, QStringLiteral("cannot write blob %1: %2").arg(name, writeError));
    }
    if (std::rename(tempPath.constData(), QFile::encodeName(target).constData()) != 0) {
        const QString renameError = systemError();
        ::unlink(tempPath.constData());
        return Error::make(
            ErrorCode::Storage, QStringLiteral("cannot store blob %1: %2").arg(name, renameError));
    }
    if (!syncDirectory(m_directory))
        return Error::make(
            ErrorCode::Storage, QStringLiteral("cannot sync the blob directory: %1").arg(systemError()));
    if (created)
        *created = true;
    return {};
}

} // namespace qd
