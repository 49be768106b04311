#include "workerlogmodel.h"

#include "statepalette.h"

#include <QDateTime>

#include <algorithm>

namespace qd {

namespace {
// Often enough to read as live, rarely enough that a Worker printing in a loop costs the
// views one insertion per tick instead of one per line.
constexpr int kFlushMs = 100;
} // namespace

WorkerLogModel::WorkerLogModel(QObject *parent)
    : QAbstractListModel(parent)
{
    m_flush.setSingleShot(true);
    m_flush.setInterval(kFlushMs);
    connect(&m_flush, &QTimer::timeout, this, &WorkerLogModel::flush);
}

int WorkerLogModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    const auto it = m_lines.constFind(m_worker);
    return it == m_lines.cend() ? 0 : int(it->size());
}

QVariant WorkerLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    // checkIndex passed: the shown Worker has lines.
    const WorkerLogLine &line = m_lines.constFind(m_worker)->at(size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        return QString(QDateTime::fromMSecsSinceEpoch(line.timeMs).toString(QStringLiteral("HH:mm:ss.zzz  "))
            + line.text);
    case TextRole:
        return line.text;
    case TimeRole:
        return line.timeMs;
    case ErrorRole:
        return line.error;
    case Qt::ForegroundRole:
        return line.error ? QVariant(stateColor(MessageStateKind::Failed)) : QVariant();
    default:
        return {};
    }
}

void WorkerLogModel::append(const WorkerLogLine &line)
{
    // A line can come twice: from Runtime::recentWorkerLog() and, queued, from the signal.
    if (line.seq != 0 && line.seq <= m_lastSeq)
        return;
    m_lastSeq = std::max(m_lastSeq, line.seq);
    m_pending.append(line);
    if (!m_flush.isActive())
        m_flush.start();
}

void WorkerLogModel::flush()
{
    m_flush.stop();
    if (m_pending.isEmpty())
        return;
    const QList<WorkerLogLine> pending = std::exchange(m_pending, {});
    QList<WorkerLogLine> shown;
    for (const WorkerLogLine &line : pending) {
        if (line.worker == m_worker)
            shown.append(line);
        else {
            std::deque<WorkerLogLine> &lines = m_lines[line.worker];
            lines.push_back(line);
            trim(lines, false);
        }
    }
    if (shown.isEmpty())
        return;
    std::deque<WorkerLogLine> &lines = m_lines[m_worker];
    const int first = int(lines.size());
    beginInsertRows({}, first, first + int(shown.size()) - 1);
    lines.insert(lines.end(), shown.cbegin(), shown.cend());
    endInsertRows();
    trim(lines, true);
}

void WorkerLogModel::trim(std::deque<WorkerLogLine> &lines, bool shown)
{
    const int excess = int(lines.size()) - m_maxLines;
    if (excess <= 0)
        return;
    if (shown)
        beginRemoveRows({}, 0, excess - 1);
    lines.erase(lines.begin(), lines.begin() + excess);
    if (shown)
        endRemoveRows();
}

void WorkerLogModel::setWorker(const QString &name)
{
    if (name == m_worker)
        return;
    // Lines of the old Worker still buffered belong to it, not to the new one.
    flush();
    beginResetModel();
    m_worker = name;
    endResetModel();
}

void WorkerLogModel::clear()
{
    flush();
    const auto it = m_lines.find(m_worker);
    if (it == m_lines.end() || it->empty())
        return;
    beginRemoveRows({}, 0, int(it->size()) - 1);
    it->clear();
    endRemoveRows();
}

void WorkerLogModel::setMaxLines(int lines)
{
    m_maxLines = std::max(1, lines);
    flush();
    for (auto it = m_lines.begin(); it != m_lines.end(); ++it)
        trim(*it, it.key() == m_worker);
}

int WorkerLogModel::lineCount(const QString &worker) const
{
    int pending = 0;
    for (const WorkerLogLine &line : m_pending)
        pending += line.worker == worker ? 1 : 0;
    const auto it = m_lines.constFind(worker);
    return (it == m_lines.cend() ? 0 : int(it->size())) + pending;
}

} // namespace qd
