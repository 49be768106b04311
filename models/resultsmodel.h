#pragma once

#include "queuestore.h"

#include <QAbstractTableModel>
#include <QImage>

#include <map>

namespace qd {

class Runtime;

// The image consumer's results, newest first, for the gallery and the table. A window
// over the store: rowCount() is the store's count, rows are fetched a page at a time on
// the runtime thread when a view first asks for them, thumbnails are decoded on a worker
// pool, and only a bounded number of rows is kept. New results arrive at the top; rows
// are cached by their distance from the oldest result, which prepending does not change,
// so a refresh that finds new results inserts them without reloading what is shown.
class ResultsModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Image, Dimensions, Format, Size, User, When, ProcessingTime, MessageId, ColumnCount };
    enum Role { SortRole = Qt::UserRole, MessageIdRole, CaptionRole, LoadedRole };

    explicit ResultsModel(Runtime *runtime, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Shows only this user's results (exact; empty for all) matching `text` (URL, user,
    // message id, hash, format or type).
    void setFilter(const QString &userId, const QString &text);
    ResultFilter filter() const { return m_filter; }
    // Asks the store for the count again: new results appear at the top.
    void refresh();
    bool isCounting() const { return m_counting; }

    static constexpr int kPageSize = 100;
    static constexpr int kMaxCachedRows = 1500;
    static constexpr int kThumbnailSize = 128;

signals:
    // The store answered a count (after setFilter() or refresh()).
    void counted(qint64 total);

private:
    struct Row {
        ImageResult result; // without its thumbnail bytes
        QImage thumbnail;
        mutable quint64 lastUse = 0; // when a view last read it
    };

    const Row *rowAt(int row) const;
    void requestPage(int row) const;
    void pageLoaded(quint64 generation, qint64 requestKey, qint64 firstStable,
        const QList<ImageResult> &results, const QList<QImage> &thumbnails);
    void countLoaded(quint64 generation, qint64 total);
    void evict();
    qint64 stableOf(int row) const { return m_count - 1 - row; }

    Runtime *m_runtime;
    ResultFilter m_filter;
    qint64 m_count = 0;
    quint64 m_generation = 0;
    bool m_counting = false;
    bool m_recountWanted = false;
    std::map<qint64, Row> m_rows; // by stable index: 0 is the oldest result
    mutable QSet<qint64> m_requested;
    mutable quint64 m_useClock = 0; // stable index of each page's first row in flight
};

} // namespace qd
