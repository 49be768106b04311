#pragma once

#include <QAbstractTableModel>
#include <QImage>

namespace qd {

// Where one file of a drop stands, from the check before upload to the consumer's answer.
enum class UploadState {
    Checking, // being read and checked off the GUI thread
    Refused, // failed the check: never uploaded
    Uploading, // checked, on its way into the blob store and the queue
    Queued, // a message waiting in the queue
    Processing, // in flight to the consumer
    Retrying, // the consumer failed once and the message waits for its next attempt
    Done, // acked: the image has a result
    Failed, // failed for good (or dead-lettered)
    Cancelled, // cancelled before it was queued
    Duplicate, // the same bytes were uploaded before: waits for the person to choose
};

QString uploadStateName(UploadState state);
bool isFinal(UploadState state);

// The files of the Submit page's drops, one row each, with thumbnail, size and status.
// Changes come in bursts from worker threads and the state poller, so they are applied
// in groups: one insert per group of new rows, one ranged dataChanged per group of updates.
class UploadListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { File, Size, Status, MessageId, ColumnCount };
    enum Role { SortRole = Qt::UserRole, StateRole, MessageIdRole, PathRole, DetailRole };

    struct Row {
        quint64 key = 0; // stable while rows come and go; given by append()
        QString path; // the local file, or a name for pasted data
        QString name;
        qint64 bytes = -1; // unknown until checked
        QImage thumbnail;
        QString format;
        UploadState state = UploadState::Checking;
        QString detail; // why it was refused or failed, or what the result found
        QString messageId;
    };

    static constexpr int kThumbnailSize = 48;

    explicit UploadListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends rows with consecutive keys; returns the first key.
    quint64 append(const QList<Row> &rows);
    const Row &row(int index) const { return m_rows.at(index); }
    int rowOfKey(quint64 key) const { return m_byKey.value(key, -1); }
    int rowOfMessage(const QString &messageId) const;
    // Message ids of the rows in a queue's hands (queued, processing, retrying).
    QStringList pendingMessages() const;
    int countInState(UploadState state) const;
    int finalCount() const { return m_finalCount; }

    // Changes to apply together, by row key.
    struct Change {
        quint64 key = 0;
        UploadState state = UploadState::Checking;
        QString detail;
        QString messageId; // kept when empty
        qint64 bytes = -1; // kept when negative
        QString format; // kept when empty
        QImage thumbnail; // kept when null
    };
    void apply(const QList<Change> &changes);
    // Forgets rows that reached a final state.
    void clearFinished();

signals:
    void countsChanged();

private:
    static QImage emptyThumbnail();

    void reindex();

    QList<Row> m_rows;
    QHash<quint64, int> m_byKey;
    QHash<QString, int> m_byMessage;
    quint64 m_nextKey = 1;
    int m_finalCount = 0;
};

} // namespace qd
