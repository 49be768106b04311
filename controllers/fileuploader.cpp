#include "fileuploader.h"

#include "blobstore.h"
#include "metricsformat.h"
#include "runtime.h"
#include "uploadjobs.h"

#include <QBuffer>
#include <QCollator>
#include <QDirIterator>
#include <QFileInfo>
#include <QImageReader>
#include <QLocale>
#include <QMimeDatabase>
#include <QSet>

#include <algorithm>

namespace qd {

QStringList expandPaths(const QStringList &paths)
{
    QStringList files;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (!info.isDir()) {
            files.append(path);
            continue;
        }
        QStringList inside;
        QDirIterator it(
            path, QDir::Files | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext())
            inside.append(it.next());
        // "img2" before "img10", as a file manager shows them.
        QCollator collator;
        collator.setNumericMode(true);
        std::sort(inside.begin(), inside.end(), collator);
        files += inside;
    }
    return files;
}

CheckedFile checkImageFile(const QString &path, const QByteArray *data, qint64 maxBytes, int thumbnailSize)
{
    CheckedFile out;
    if (data) {
        out.data = *data;
    } else {
        const QFileInfo info(path);
        if (!info.exists()) {
            out.error = QObject::tr("the file is gone");
            return out;
        }
        out.bytes = info.size();
        if (out.bytes > maxBytes) {
            out.error = QObject::tr("%1; the limit is %2").arg(formatBytes(out.bytes), formatBytes(maxBytes));
            return out;
        }
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            out.error = QObject::tr("cannot read it: %1").arg(file.errorString());
            return out;
        }
        out.data = file.readAll();
    }
    out.bytes = out.data.size();
    if (out.data.isEmpty()) {
        out.error = QObject::tr("the file is empty");
        return out;
    }
    if (out.bytes > maxBytes) {
        out.error = QObject::tr("%1; the limit is %2").arg(formatBytes(out.bytes), formatBytes(maxBytes));
        out.data.clear();
        return out;
    }
    QBuffer buffer(&out.data);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAutoTransform(true);
    if (!reader.canRead()) {
        const QString type = QMimeDatabase().mimeTypeForFileNameAndData(path, out.data).name();
        out.error = QObject::tr("not an image Qt can read (%1)").arg(type);
        out.data.clear();
        return out;
    }
    out.format = QString::fromLatin1(reader.format());
    const QSize size = reader.size();
    if (size.isValid() && (size.width() > thumbnailSize || size.height() > thumbnailSize))
        reader.setScaledSize(size.scaled(thumbnailSize, thumbnailSize, Qt::KeepAspectRatio));
    QImage thumbnail = reader.read();
    if (thumbnail.isNull()) {
        out.error = QObject::tr("cannot decode it: %1").arg(reader.errorString());
        out.data.clear();
        return out;
    }
    if (thumbnail.width() > thumbnailSize || thumbnail.height() > thumbnailSize)
        thumbnail
            = thumbnail.scaled(thumbnailSize, thumbnailSize, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    out.thumbnail = thumbnail;
    return out;
}

FileUploader::FileUploader(Runtime *runtime, UploadListModel *model, QObject *parent)
    : QObject(parent)
    , m_runtime(runtime)
    , m_model(model)
    , m_cancelled(std::make_shared<std::atomic_bool>(false))
{
    m_pool.setMaxThreadCount(2);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(50);
    connect(&m_flushTimer, &QTimer::timeout, this, &FileUploader::flush);
    m_pollTimer.setInterval(kPollMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &FileUploader::poll);
    connect(m_model, &UploadListModel::countsChanged, this, &FileUploader::updateProgress);
}

FileUploader::~FileUploader()
{
    // Workers post back to this object: none may outlive it.
    m_cancelled->store(true);
    m_pool.clear();
    m_pool.waitForDone();
}

void FileUploader::setTarget(const QString &queue, const QString &userId)
{
    m_queue = queue;
    m_userId = userId.trimmed().isEmpty() ? QStringLiteral("anonymous") : userId.trimmed();
}

bool FileUploader::isBusy() const
{
    return m_scanning > 0 || m_model->finalCount() < m_model->rowCount();
}

void FileUploader::addPaths(const QStringList &paths)
{
    if (paths.isEmpty())
        return;
    ++m_scanning;
    auto cancelled = m_cancelled;
    m_pool.start([this, paths, cancelled] {
        const QStringList files = cancelled->load() ? QStringList() : expandPaths(paths);
        QMetaObject::invokeMethod(
            this, [this, files, cancelled] { scanned(cancelled->load() ? QStringList() : files); },
            Qt::QueuedConnection);
    });
    updateProgress();
}

void FileUploader::addData(const QString &name, const QByteArray &data)
{
    UploadListModel::Row row;
    row.path = name;
    row.name = name;
    const quint64 key = m_model->append({ row });
    m_toCheck.push_back(Pending { key, name, data, true });
    startChecks();
}

void FileUploader::scanned(const QStringList &files)
{
    --m_scanning;
    QList<UploadListModel::Row> rows;
    rows.reserve(files.size());
    for (const QString &path : files) {
        UploadListModel::Row row;
        row.path = path;
        row.name = QFileInfo(path).fileName();
        rows.append(row);
    }
    const quint64 first = m_model->append(rows);
    for (qsizetype i = 0; i < files.size(); ++i)
        m_toCheck.push_back(Pending { first + quint64(i), files.at(i), {}, false });
    startChecks();
    updateProgress();
}

void FileUploader::startChecks()
{
    const qint64 maxBytes = m_runtime->options().images.maxImageBytes;
    // Checked files wait in memory for their chunk: bound them, not just the workers.
    while (!m_toCheck.empty() && m_checking < kParallelChecks && m_readyBytes < 2 * kChunkBytes) {
        Pending p = std::move(m_toCheck.front());
        m_toCheck.pop_front();
        ++m_checking;
        auto cancelled = m_cancelled;
        m_pool.start([this, p = std::move(p), maxBytes, cancelled] {
            if (cancelled->load())
                return; // cancel() already marked the row
            CheckedFile result
                = checkImageFile(p.path, p.pasted ? &p.data : nullptr, maxBytes, kThumbnailSize);
            QMetaObject::invokeMethod(
                this,
                [this, key = p.key, result = std::move(result), cancelled] {
                    if (!cancelled->load())
                        checked(key, result);
                },
                Qt::QueuedConnection);
        });
    }
}

void FileUploader::checked(quint64 key, const CheckedFile &result)
{
    --m_checking;
    UploadListModel::Change change;
    change.key = key;
    change.bytes = result.bytes;
    change.format = result.format;
    change.thumbnail = result.thumbnail;
    if (!result.error.isEmpty()) {
        change.state = UploadState::Refused;
        change.detail = result.error;
    } else {
        change.state = UploadState::Uploading;
        const int at = m_model->rowOfKey(key);
        m_ready.push_back(Ready { key, at < 0 ? QString() : m_model->row(at).name, result.data });
        m_readyBytes += result.data.size();
    }
    m_model->apply({ change });
    if (int(m_ready.size()) >= kChunkFiles || m_readyBytes >= kChunkBytes)
        flush();
    else if (!m_ready.empty())
        m_flushTimer.start();
    startChecks();
}

void FileUploader::flush()
{
    m_flushTimer.stop();
    if (m_ready.empty())
        return;
    std::vector<Ready> chunk = std::exchange(m_ready, {});
    m_readyBytes = 0;
    if (!m_runtime->isRunning()) {
        QList<UploadListModel::Change> changes;
        for (const Ready &r : chunk) {
            UploadListModel::Change c;
            c.key = r.key;
            c.state = UploadState::Refused;
            c.detail = tr("the runtime is not running");
            changes.append(c);
        }
        m_model->apply(changes);
        return;
    }
    QList<quint64> keys;
    QList<bool> evenIfDuplicate;
    std::vector<UploadFile> files;
    for (Ready &r : chunk) {
        keys.append(r.key);
        evenIfDuplicate.append(r.evenIfDuplicate);
        // Kept (the bytes are shared, not copied) in case the person queues a duplicate.
        m_held[r.key] = r;
        files.push_back(UploadFile { r.name, r.data, {} });
    }
    Runtime *runtime = m_runtime;
    const QString queue = m_queue;
    const QString userId = m_userId;
    m_runtime->askLater(
        this,
        [runtime, queue, userId, keys, evenIfDuplicate, files = std::move(files)](
            Broker &broker, auto &answer) mutable {
            BlobStore *blobs = runtime->blobs();
            QStringList ids(keys.size());
            QStringList errors(keys.size());
            QList<bool> duplicates(keys.size(), false);
            QSet<QString> seen;
            // The same check POST /uploads makes; a file refused here does not hold up the others.
            std::vector<UploadFile> accepted;
            QList<qsizetype> positions;
            for (qsizetype i = 0; i < keys.size(); ++i) {
                UploadFile &f = files[std::size_t(i)];
                const UploadCheck check
                    = checkUpload(f, QStringLiteral("\"%1\"").arg(f.filename), blobs->maxBytes());
                if (!check.ok()) {
                    errors[i] = check.message;
                    continue;
                }
                // The same bytes again (uploaded before, or twice in this drop) would make a
                // second job for one picture: ask first.
                const QString sha = BlobStore::hashOf(f.data);
                const bool again = blobs->contains(sha) || seen.contains(sha);
                seen.insert(sha);
                if (again && !evenIfDuplicate.at(i)) {
                    duplicates[i] = true;
                    continue;
                }
                positions.append(i);
                accepted.push_back(std::move(f));
            }
            if (accepted.empty()) {
                answer(ids, errors, duplicates);
                return;
            }
            const Error error = storeAndQueueUploads(broker, *blobs, runtime->blobBaseUrl(), queue, userId,
                std::move(accepted), std::nullopt,
                [answer, ids, errors, duplicates, positions](
                    const Error &commitError, const std::vector<QueuedUpload> &jobs) mutable {
                    for (qsizetype j = 0; j < positions.size(); ++j) {
                        if (commitError.isError())
                            errors[positions.at(j)] = commitError.message;
                        else
                            ids[positions.at(j)] = jobs.at(std::size_t(j)).id;
                    }
                    answer(ids, errors, duplicates);
                });
            if (error.isError()) {
                for (const qsizetype p : std::as_const(positions))
                    errors[p] = error.message;
                answer(ids, errors, duplicates);
            }
        },
        [this, keys](const QStringList &ids, const QStringList &errors, const QList<bool> &duplicates) {
            queued(keys, ids, errors, duplicates);
        });
}

void FileUploader::queued(const QList<quint64> &keys, const QStringList &ids, const QStringList &errors,
    const QList<bool> &duplicates)
{
    QList<UploadListModel::Change> changes;
    int found = 0;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        UploadListModel::Change c;
        c.key = keys.at(i);
        if (duplicates.at(i)) {
            c.state = UploadState::Duplicate;
            c.detail = tr("the same picture was uploaded before");
            changes.append(c);
            ++found;
            continue;
        }
        m_held.erase(keys.at(i));
        if (!errors.at(i).isEmpty()) {
            c.state = UploadState::Refused;
            c.detail = errors.at(i);
        } else {
            c.state = UploadState::Queued;
            c.messageId = ids.at(i);
        }
        changes.append(c);
    }
    m_model->apply(changes);
    if (!m_pollTimer.isActive())
        m_pollTimer.start();
    startChecks();
    if (found > 0)
        emit duplicatesFound(int(m_held.size()));
}

void FileUploader::queueDuplicates()
{
    QList<UploadListModel::Change> changes;
    for (auto &[key, ready] : m_held) {
        const int at = m_model->rowOfKey(key);
        if (at < 0 || m_model->row(at).state != UploadState::Duplicate)
            continue;
        ready.evenIfDuplicate = true;
        m_readyBytes += ready.data.size();
        m_ready.push_back(ready);
        UploadListModel::Change c;
        c.key = key;
        c.state = UploadState::Uploading;
        changes.append(c);
    }
    m_held.clear();
    m_model->apply(changes);
    flush();
}

void FileUploader::skipDuplicates()
{
    QList<UploadListModel::Change> changes;
    for (const auto &[key, ready] : m_held) {
        UploadListModel::Change c;
        c.key = key;
        c.state = UploadState::Cancelled;
        c.detail = tr("skipped: the same picture was uploaded before");
        changes.append(c);
    }
    m_held.clear();
    m_model->apply(changes);
}

void FileUploader::poll()
{
    if (m_polling)
        return;
    QStringList ids = m_model->pendingMessages();
    if (ids.isEmpty() || !m_runtime->isRunning()) {
        m_pollTimer.stop();
        return;
    }
    // A second's worth of lookups stays small however big the drop; the rest wait a tick.
    constexpr qsizetype kMaxPerPoll = 2000;
    if (ids.size() > kMaxPerPoll)
        ids.resize(kMaxPerPoll);
    m_polling = m_runtime->ask(
        this,
        [ids](Broker &broker) {
            QueueStore *store = broker.store();
            QList<Polled> states;
            states.reserve(ids.size());
            for (const QString &id : ids) {
                Polled p { id, UploadState::Queued, {} };
                const std::optional<Message> m = store->messageById(id);
                if (!m) {
                    p.state = UploadState::Failed;
                    p.detail = tr("the message was deleted");
                } else if (m->sourceQueueId != 0) {
                    p.state = UploadState::Failed;
                    p.detail = tr("dead-lettered: %1").arg(m->lastError);
                } else if (m->state == MessageState::Acked) {
                    p.state = UploadState::Done;
                    if (const auto r = store->resultForMessage(id))
                        p.detail = QStringLiteral("%1×%2 %3")
                                       .arg(r->width)
                                       .arg(r->height)
                                       .arg(r->format.toUpper());
                } else if (m->state == MessageState::Failed) {
                    p.state = UploadState::Failed;
                    p.detail = m->lastError;
                } else if (m->state == MessageState::InFlight) {
                    p.state = UploadState::Processing;
                } else if (m->attempts > 0 || !m->lastError.isEmpty()) {
                    p.state = UploadState::Retrying;
                    p.detail = m->lastError;
                }
                states.append(p);
            }
            return states;
        },
        [this](const QList<Polled> &states) { polled(states); });
}

void FileUploader::polled(const QList<Polled> &states)
{
    m_polling = false;
    QList<UploadListModel::Change> changes;
    for (const Polled &p : states) {
        const int at = m_model->rowOfMessage(p.id);
        if (at < 0)
            continue;
        UploadListModel::Change c;
        c.key = m_model->row(at).key;
        c.state = p.state;
        c.detail = p.detail;
        changes.append(c);
    }
    m_model->apply(changes);
}

void FileUploader::cancel()
{
    m_cancelled->store(true);
    m_cancelled = std::make_shared<std::atomic_bool>(false);
    m_checking = 0; // the workers' answers are dropped
    m_flushTimer.stop();
    QList<UploadListModel::Change> changes;
    const auto cancelRow = [&](quint64 key) {
        UploadListModel::Change c;
        c.key = key;
        c.state = UploadState::Cancelled;
        changes.append(c);
    };
    for (const Pending &p : m_toCheck)
        cancelRow(p.key);
    for (const Ready &r : m_ready)
        cancelRow(r.key);
    for (int i = 0; i < m_model->rowCount(); ++i) {
        if (m_model->row(i).state == UploadState::Checking)
            cancelRow(m_model->row(i).key);
    }
    for (const auto &[key, ready] : m_held) {
        const int at = m_model->rowOfKey(key);
        if (at >= 0 && m_model->row(at).state == UploadState::Duplicate)
            cancelRow(key);
    }
    m_held.clear();
    m_toCheck.clear();
    m_ready.clear();
    m_readyBytes = 0;
    m_model->apply(changes);
}

void FileUploader::updateProgress()
{
    emit progressChanged(m_model->finalCount(), m_model->rowCount());
    const bool busy = isBusy();
    if (m_wasBusy && !busy)
        emit allFinished();
    m_wasBusy = busy;
}

} // namespace qd
