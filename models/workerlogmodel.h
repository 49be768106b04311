#pragma once

#include "workerhost.h"

#include <QAbstractListModel>
#include <QHash>
#include <QTimer>

#include <deque>

namespace qd {

// What the Workers print, kept per Worker and bounded (the oldest lines go first), so a
// chatty Worker cannot grow the window's memory; shows one Worker's lines, oldest first.
// Lines arrive one signal each and reach views in one insertion per tick.
class WorkerLogModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { ErrorRole = Qt::UserRole, TimeRole, TextRole };

    static constexpr int kDefaultMaxLines = 5000;

    explicit WorkerLogModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    void append(const WorkerLogLine &line);
    // Hands buffered lines to the views now rather than at the next tick.
    void flush();
    // The Worker whose lines are the rows (empty: none).
    void setWorker(const QString &name);
    QString worker() const { return m_worker; }
    // Forgets the shown Worker's lines.
    void clear();
    void setMaxLines(int lines);
    int maxLines() const { return m_maxLines; }
    // Kept lines of a Worker, flushed or not.
    int lineCount(const QString &worker) const;

private:
    void trim(std::deque<WorkerLogLine> &lines, bool shown);

    QHash<QString, std::deque<WorkerLogLine>> m_lines;
    QList<WorkerLogLine> m_pending;
    qint64 m_lastSeq = 0;
    QString m_worker;
    int m_maxLines = kDefaultMaxLines;
    QTimer m_flush;
};

} // namespace qd
