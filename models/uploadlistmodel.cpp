#include "uploadlistmodel.h"

#include "metricsformat.h"

#include <QLocale>

namespace qd {

QString uploadStateName(UploadState state)
{
    switch (state) {
    case UploadState::Checking:
        return QObject::tr("checking");
    case UploadState::Refused:
        return QObject::tr("refused");
    case UploadState::Uploading:
        return QObject::tr("uploading");
    case UploadState::Queued:
        return QObject::tr("queued");
    case UploadState::Processing:
        return QObject::tr("processing");
    case UploadState::Retrying:
        return QObject::tr("retrying");
    case UploadState::Done:
        return QObject::tr("done");
    case UploadState::Failed:
        return QObject::tr("failed");
    case UploadState::Cancelled:
        return QObject::tr("cancelled");
    case UploadState::Duplicate:
        return QObject::tr("duplicate");
    }
    return {};
}

bool isFinal(UploadState state)
{
    return state == UploadState::Refused || state == UploadState::Done || state == UploadState::Failed
        || state == UploadState::Cancelled;
}

// Rows without a picture (yet) still take a thumbnail's room: every row has one height,
// so the view can lay out thousands without measuring each.
QImage UploadListModel::emptyThumbnail()
{
    static const QImage empty = [] {
        QImage image(kThumbnailSize, kThumbnailSize, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        return image;
    }();
    return empty;
}

UploadListModel::UploadListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int UploadListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int UploadListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UploadListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case StateRole:
        return int(r.state);
    case MessageIdRole:
        return r.messageId;
    case PathRole:
        return r.path;
    case DetailRole:
        return r.detail;
    default:
        break;
    }
    switch (Column(index.column())) {
    case File:
        if (role == Qt::DisplayRole || role == SortRole)
            return r.name;
        if (role == Qt::DecorationRole)
            return r.thumbnail.isNull() ? emptyThumbnail() : r.thumbnail;
        if (role == Qt::ToolTipRole)
            return r.path;
        break;
    case Size:
        if (role == Qt::DisplayRole)
            return r.bytes < 0 ? QString() : formatBytes(r.bytes);
        if (role == SortRole)
            return r.bytes;
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Status:
        if (role == Qt::DisplayRole) {
            const QString name = uploadStateName(r.state);
            return r.detail.isEmpty() ? name : QStringLiteral("%1: %2").arg(name, r.detail);
        }
        if (role == SortRole)
            return int(r.state);
        if (role == Qt::ToolTipRole)
            return r.detail;
        break;
    case MessageId:
        if (role == Qt::DisplayRole || role == SortRole || role == Qt::ToolTipRole)
            return r.messageId;
        break;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant UploadListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case File:
        return tr("File");
    case Size:
        return tr("Size");
    case Status:
        return tr("Status");
    case MessageId:
        return tr("Message");
    case ColumnCount:
        break;
    }
    return {};
}

quint64 UploadListModel::append(const QList<Row> &rows)
{
    const quint64 firstKey = m_nextKey;
    if (rows.isEmpty())
        return firstKey;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(rows.size()) - 1);
    for (Row r : rows) {
        r.key = m_nextKey++;
        if (isFinal(r.state))
            ++m_finalCount;
        m_byKey.insert(r.key, int(m_rows.size()));
        if (!r.messageId.isEmpty())
            m_byMessage.insert(r.messageId, int(m_rows.size()));
        m_rows.append(r);
    }
    endInsertRows();
    emit countsChanged();
    return firstKey;
}

int UploadListModel::rowOfMessage(const QString &messageId) const
{
    return m_byMessage.value(messageId, -1);
}

QStringList UploadListModel::pendingMessages() const
{
    QStringList out;
    for (const Row &r : m_rows) {
        if (!r.messageId.isEmpty()
            && (r.state == UploadState::Queued || r.state == UploadState::Processing
                || r.state == UploadState::Retrying))
            out.append(r.messageId);
    }
    return out;
}

int UploadListModel::countInState(UploadState state) const
{
    int n = 0;
    for (const Row &r : m_rows)
        n += r.state == state ? 1 : 0;
    return n;
}

void UploadListModel::apply(const QList<Change> &changes)
{
    int first = int(m_rows.size());
    int last = -1;
    for (const Change &c : changes) {
        const int at = rowOfKey(c.key);
        if (at < 0)
            continue;
        Row &r = m_rows[at];
        if (r.state == c.state && r.detail == c.detail && c.messageId.isEmpty() && c.bytes < 0
            && c.thumbnail.isNull())
            continue;
        m_finalCount += (isFinal(c.state) ? 1 : 0) - (isFinal(r.state) ? 1 : 0);
        r.state = c.state;
        r.detail = c.detail;
        if (!c.messageId.isEmpty()) {
            r.messageId = c.messageId;
            m_byMessage.insert(c.messageId, at);
        }
        if (c.bytes >= 0)
            r.bytes = c.bytes;
        if (!c.format.isEmpty())
            r.format = c.format;
        if (!c.thumbnail.isNull())
            r.thumbnail = c.thumbnail;
        first = std::min(first, at);
        last = std::max(last, at);
    }
    if (last < first)
        return;
    emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
    emit countsChanged();
}

void UploadListModel::clearFinished()
{
    QList<Row> kept;
    for (const Row &r : std::as_const(m_rows)) {
        if (!isFinal(r.state))
            kept.append(r);
    }
    if (kept.size() == m_rows.size())
        return;
    beginResetModel();
    m_rows = kept;
    reindex();
    endResetModel();
    emit countsChanged();
}

void UploadListModel::reindex()
{
    m_byKey.clear();
    m_byMessage.clear();
    m_finalCount = 0;
    for (int i = 0; i < m_rows.size(); ++i) {
        const Row &r = m_rows.at(i);
        m_byKey.insert(r.key, i);
        if (!r.messageId.isEmpty())
            m_byMessage.insert(r.messageId, i);
        m_finalCount += isFinal(r.state) ? 1 : 0;
    }
}

} // namespace qd
