#include "resultsmodel.h"

#include "messageformat.h"
#include "runtime.h"
#include "uploadlistmodel.h"

#include <QDateTime>
#include <QLocale>
#include <QThreadPool>
#include <QUrl>

#include <algorithm>

namespace qd {

namespace {

QString imageName(const ImageResult &r)
{
    const QUrl url(r.url);
    // An upload's own file name, kept in the job's URL when it was queued.
    if (url.hasFragment() && !url.fragment().isEmpty())
        return url.fragment(QUrl::FullyDecoded);
    const QString last = url.path().section(QLatin1Char('/'), -1);
    if (BlobStore::isBlobName(last))
        return QObject::tr("blob %1…").arg(last.left(10));
    return last.isEmpty() ? r.url : last;
}

} // namespace

ResultsModel::ResultsModel(Runtime *runtime, QObject *parent)
    : QAbstractTableModel(parent)
    , m_runtime(runtime)
{
    refresh();
}

int ResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::min<qint64>(m_count, std::numeric_limits<int>::max()));
}

int ResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const ResultsModel::Row *ResultsModel::rowAt(int row) const
{
    const auto it = m_rows.find(stableOf(row));
    if (it == m_rows.end())
        return nullptr;
    it->second.lastUse = ++m_useClock;
    return &it->second;
}

QVariant ResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row *row = rowAt(index.row());
    if (!row) {
        if (role == Qt::DisplayRole || role == Qt::DecorationRole || role == CaptionRole)
            requestPage(index.row());
        if (role == LoadedRole)
            return false;
        if (role == Qt::DisplayRole && index.column() == Image)
            return tr("loading…");
        return {};
    }
    const ImageResult &r = row->result;
    switch (role) {
    case MessageIdRole:
        return r.messageId;
    case LoadedRole:
        return true;
    case CaptionRole:
        // What tells tiles apart first: the file's name; then its size and whose it is.
        return QStringLiteral("%1\n%2×%3 %4 · %5")
            .arg(imageName(r))
            .arg(r.width)
            .arg(r.height)
            .arg(r.format.toUpper(), r.userId);
    case Qt::ToolTipRole:
        return tr("%1\n%2×%3 %4, %5\nuser %6, message %7")
            .arg(r.url)
            .arg(r.width)
            .arg(r.height)
            .arg(r.format.toUpper(), formatBytes(r.bytes), r.userId, r.messageId);
    default:
        break;
    }
    switch (Column(index.column())) {
    case Image:
        if (role == Qt::DisplayRole || role == SortRole)
            return imageName(r);
        if (role == Qt::DecorationRole && !row->thumbnail.isNull())
            return row->thumbnail;
        break;
    case Dimensions:
        if (role == Qt::DisplayRole)
            return QStringLiteral("%1×%2").arg(r.width).arg(r.height);
        if (role == SortRole)
            return qint64(r.width) * r.height;
        break;
    case Format:
        if (role == Qt::DisplayRole || role == SortRole)
            return r.format.toUpper();
        break;
    case Size:
        if (role == Qt::DisplayRole)
            return formatBytes(r.bytes);
        if (role == SortRole)
            return r.bytes;
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case User:
        if (role == Qt::DisplayRole || role == SortRole)
            return r.userId;
        break;
    case When:
        if (role == Qt::DisplayRole)
            return formatTimestamp(r.createdMs);
        if (role == SortRole)
            return r.createdMs;
        break;
    case ProcessingTime:
        if (role == Qt::DisplayRole)
            return formatDuration(r.fetchMs + r.decodeMs);
        if (role == SortRole)
            return r.fetchMs + r.decodeMs;
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case MessageId:
        if (role == Qt::DisplayRole || role == SortRole)
            return r.messageId;
        break;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant ResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Image:
        return tr("Image");
    case Dimensions:
        return tr("Dimensions");
    case Format:
        return tr("Format");
    case Size:
        return tr("Size");
    case User:
        return tr("User");
    case When:
        return tr("Processed");
    case ProcessingTime:
        return tr("Processing time");
    case MessageId:
        return tr("Message");
    case ColumnCount:
        break;
    }
    return {};
}

void ResultsModel::setFilter(const QString &userId, const QString &text)
{
    const ResultFilter filter { userId.trimmed(), text.trimmed() };
    if (filter.userId == m_filter.userId && filter.text == m_filter.text)
        return;
    beginResetModel();
    m_filter = filter;
    ++m_generation;
    m_count = 0;
    m_rows.clear();
    m_requested.clear();
    m_counting = false;
    endResetModel();
    refresh();
}

void ResultsModel::refresh()
{
    if (m_counting) {
        m_recountWanted = true;
        return;
    }
    const quint64 generation = m_generation;
    const ResultFilter filter = m_filter;
    m_counting = m_runtime->ask(
        this, [filter](Broker &broker) { return broker.store()->countResults(filter); },
        [this, generation](qint64 total) { countLoaded(generation, total); });
}

void ResultsModel::countLoaded(quint64 generation, qint64 total)
{
    if (generation != m_generation)
        return;
    m_counting = false;
    if (total > m_count) {
        // Newer results go on top; every cached row keeps its stable index.
        beginInsertRows({}, 0, int(total - m_count) - 1);
        m_count = total;
        endInsertRows();
    } else if (total < m_count) {
        // Results went away (retention or a purge): what is cached may no longer match.
        beginResetModel();
        ++m_generation;
        m_count = total;
        m_rows.clear();
        m_requested.clear();
        endResetModel();
    }
    emit counted(total);
    if (std::exchange(m_recountWanted, false))
        refresh();
}

void ResultsModel::requestPage(int row) const
{
    const int offset = row - row % kPageSize;
    const qint64 requestKey = stableOf(offset);
    if (m_requested.contains(requestKey))
        return;
    // data() is const; loading is not a visible change of the model's state.
    auto *self = const_cast<ResultsModel *>(this);
    const quint64 generation = m_generation;
    const ResultFilter filter = m_filter;
    const bool asked = m_runtime->askLater(
        self,
        [filter, offset](Broker &broker, auto &answer) {
            HistoryStore *store = broker.store();
            // Results may have arrived since the model counted: where the page really starts
            // follows from the count now.
            const qint64 firstStable = store->countResults(filter) - 1 - offset;
            const std::vector<ImageResult> page = store->listResults(filter, offset, kPageSize);
            QList<QByteArray> pngs;
            pngs.reserve(qsizetype(page.size()));
            for (const ImageResult &r : page) {
                const auto full = store->resultForMessage(r.messageId);
                pngs.append(full ? full->thumbnail : QByteArray());
            }
            QList<ImageResult> results(page.begin(), page.end());
            // Decoding a page of PNGs is real work: neither the runtime nor the GUI does it.
            QThreadPool::globalInstance()->start([answer, firstStable, results, pngs] {
                QList<QImage> thumbnails;
                thumbnails.reserve(pngs.size());
                for (const QByteArray &png : pngs) {
                    QImage image = QImage::fromData(png, "PNG");
                    if (!image.isNull()
                        && (image.width() > kThumbnailSize || image.height() > kThumbnailSize))
                        image = image.scaled(
                            kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio, Qt::SmoothTransformation);
                    if (!image.isNull())
                        image = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
                    thumbnails.append(image);
                }
                answer(firstStable, results, thumbnails);
            });
        },
        [self, generation, requestKey](
            qint64 firstStable, const QList<ImageResult> &results, const QList<QImage> &thumbnails) {
            self->pageLoaded(generation, requestKey, firstStable, results, thumbnails);
        });
    if (asked)
        m_requested.insert(requestKey);
}

void ResultsModel::pageLoaded(quint64 generation, qint64 requestKey, qint64 firstStable,
    const QList<ImageResult> &results, const QList<QImage> &thumbnails)
{
    if (generation != m_generation)
        return;
    m_requested.remove(requestKey);
    int top = int(m_count);
    int bottom = -1;
    for (qsizetype i = 0; i < results.size(); ++i) {
        const qint64 stable = firstStable - i;
        if (stable < 0)
            break;
        if (stable >= m_count)
            continue; // newer than this model knows of: the next refresh inserts its row
        m_rows[stable] = Row { results.at(i), thumbnails.value(i), ++m_useClock };
        const int row = int(m_count - 1 - stable);
        top = std::min(top, row);
        bottom = std::max(bottom, row);
    }
    evict();
    if (bottom >= top && top >= 0)
        emit dataChanged(index(top, 0), index(std::min<int>(bottom, int(m_count) - 1), ColumnCount - 1));
}

void ResultsModel::evict()
{
    if (m_rows.size() <= std::size_t(kMaxCachedRows))
        return;
    // The rows no view has asked for the longest go first: what is on screen stays.
    std::vector<std::pair<quint64, qint64>> byUse;
    byUse.reserve(m_rows.size());
    for (const auto &[stable, row] : m_rows)
        byUse.emplace_back(row.lastUse, stable);
    const std::size_t excess = m_rows.size() - std::size_t(kMaxCachedRows);
    std::nth_element(byUse.begin(), byUse.begin() + std::ptrdiff_t(excess), byUse.end());
    for (std::size_t i = 0; i < excess; ++i)
        m_rows.erase(byUse[i].second);
}

} // namespace qd
