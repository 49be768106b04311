#pragma once

#include "uploadlistmodel.h"

#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <deque>
#include <memory>
#include <unordered_map>

namespace qd {

class Runtime;

// What checking one file off the GUI thread found.
struct CheckedFile {
    QString error; // empty when the file may be uploaded
    QString format;
    qint64 bytes = -1;
    QImage thumbnail;
    QByteArray data;
};

// Reads and checks one file (or pasted bytes when `data` is set): under the size limit,
// an image Qt can read, and decodable; makes its thumbnail. Runs on a worker thread.
CheckedFile checkImageFile(const QString &path, const QByteArray *data, qint64 maxBytes, int thumbnailSize);
// Files and folders (recursed) into the files they hold, in a stable order.
QStringList expandPaths(const QStringList &paths);

// Turns dropped files into image jobs: folders are walked and files read, checked and
// thumbnailed on a worker pool; the good ones go to the runtime in chunks, where
// POST /uploads' own code stores them in the blob store and queues one job per file; then
// the jobs' states are polled from the store once a second until each is done or failed.
// Nothing here touches the disk or the store on the GUI thread.
class FileUploader final : public QObject {
    Q_OBJECT
public:
    explicit FileUploader(Runtime *runtime, UploadListModel *model, QObject *parent = nullptr);
    ~FileUploader() override;

    UploadListModel *model() const { return m_model; }
    // Where the files checked from now on go.
    void setTarget(const QString &queue, const QString &userId);
    void addPaths(const QStringList &paths);
    void addData(const QString &name, const QByteArray &data);
    // Stops what has not been queued yet; what is queued stays queued.
    void cancel();
    // Something is still being checked, uploaded or processed.
    bool isBusy() const;
    // Files whose bytes were uploaded before wait as duplicates (duplicatesFound) until
    // the person queues them as new jobs anyway, or skips them.
    void queueDuplicates();
    void skipDuplicates();
    int duplicateCount() const { return int(m_held.size()); }

    static constexpr int kParallelChecks = 4;
    static constexpr int kChunkFiles = 25;
    static constexpr qint64 kChunkBytes = 32LL * 1024 * 1024;
    static constexpr int kThumbnailSize = UploadListModel::kThumbnailSize;
    static constexpr int kPollMs = 1000;

signals:
    void progressChanged(int finished, int total);
    // Every file so far has reached its end (done, failed, refused or cancelled).
    void allFinished();
    // Files were found to be uploaded before; `count` wait for a choice.
    void duplicatesFound(int count);

private:
    struct Pending {
        quint64 key = 0;
        QString path;
        QByteArray data; // pasted bytes; empty for files
        bool pasted = false;
    };
    struct Ready {
        quint64 key = 0;
        QString name;
        QByteArray data;
        bool evenIfDuplicate = false;
    };
    struct Polled {
        QString id;
        UploadState state = UploadState::Queued;
        QString detail;
    };

    void scanned(const QStringList &files);
    void startChecks();
    void checked(quint64 key, const CheckedFile &result);
    void flush();
    void queued(const QList<quint64> &keys, const QStringList &ids, const QStringList &errors,
        const QList<bool> &duplicates);
    void poll();
    void polled(const QList<Polled> &states);
    void updateProgress();

    Runtime *m_runtime;
    UploadListModel *m_model;
    QThreadPool m_pool;
    std::shared_ptr<std::atomic_bool> m_cancelled;
    std::deque<Pending> m_toCheck;
    int m_checking = 0;
    int m_scanning = 0;
    std::vector<Ready> m_ready;
    std::unordered_map<quint64, Ready> m_held; // sent, or duplicates waiting (bytes shared)
    qint64 m_readyBytes = 0;
    QString m_queue = QStringLiteral("images");
    QString m_userId = QStringLiteral("anonymous");
    QTimer m_flushTimer;
    QTimer m_pollTimer;
    bool m_polling = false;
    bool m_wasBusy = false;
};

} // namespace qd
