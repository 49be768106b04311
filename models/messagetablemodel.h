#pragma once

#include "messagequery.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <map>
#include <set>
#include <unordered_map>

namespace qd {

// Every message matching a filter, in the store's order, as a table that holds only a
// window of rows: rowCount comes from a count query, rows are read a page at a time around
// what a view shows, and sorting and filtering are the store's queries, all answered off the
// GUI thread by a MessageQuery. Rows not read yet show empty until their page arrives.
//
// Live: refresh() (on a timer while live) re-reads the count and the visible window in one
// snapshot and turns the difference into exact row removals and insertions around the
// window, by message identity, plus one ranged dataChanged; so selections and the rows a
// person looks at stay put while messages come and go.
class MessageTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    // Mark comes last so the other columns keep their numbers; views show it first.
    enum Column { Queue, Id, State, Attempts, User, Url, Enqueued, LastError, Mark, ColumnCount };
    enum Role { SortRole = Qt::UserRole, SeqRole, IdRole, StateRole, LoadedRole };
    static constexpr int kPageSize = 200;

    explicit MessageTableModel(MessageQuery *query, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // A new filter (its sort fields included) starts over from the first page.
    void setFilter(const MessageFilter &filter);
    MessageFilter filter() const { return m_filter; }
    static MessageSort sortOf(Column column);

    // The rows a view shows; their pages are read first and kept across refreshes.
    void setVisibleRows(int first, int last);
    void refresh();
    // Refreshes on its own every `ms` (0: never); slower when the store answers slowly.
    void setLiveInterval(int ms);

    bool isLoaded(int row) const;
    std::optional<MessageRow> rowAt(int row) const;
    bool isLoading() const { return m_loading; }

    // Marks are what bulk actions act on, kept by message (not by row) so they survive live
    // updates and scrolling; a new filter starts without any.
    void setMarked(int row, bool marked);
    bool isMarked(int row) const;
    void clearMarks();
    int markCount() const { return int(m_marks.size()); }
    // Marked messages as seq → id, and the rows of those that are loaded, ascending.
    const std::map<qint64, QString> &marks() const { return m_marks; }
    QList<int> markedRows() const;
    // Rows are shown but not yet counted: rowCount is a lower bound until counted().
    bool isCounting() const { return m_counting; }

signals:
    // The first answer for the current filter has arrived (rowCount is now right).
    void loaded();
    void loadingChanged(bool loading);
    void counted();
    void marksChanged();

private:
    struct Pending {
        enum Kind { Page, Refresh } kind = Page;
        quint64 generation = 0;
        quint64 layout = 0;
        qint64 windowStart = 0;
        qint64 anchorRow = 0;
        bool hadAnchors = false;
    };

    quint64 nextTicket();
    void onWindow(quint64 ticket, const WindowResult &result);
    void fetchMissing();
    void applyPage(const WindowResult &result);
    void applyRefresh(const Pending &pending, const WindowResult &result);
    void diffWindow(const QList<MessageRow> &fresh, int *changedFirst, int *changedLast);
    void trimCache();
    void setLoading(bool loading);
    std::pair<int, int> target() const;

    MessageQuery *m_query;
    int m_client;
    quint64 m_ticketCounter = 0;
    quint64 m_generation = 0;
    quint64 m_layout = 0; // bumped by every structural change, so older pages are dropped
    MessageFilter m_filter;
    int m_count = 0;
    int m_cacheStart = 0;
    QList<MessageRow> m_cache; // rows [m_cacheStart, m_cacheStart + size), in model order
    std::set<int> m_pendingPages;
    std::map<qint64, QString> m_marks;
    std::unordered_map<quint64, Pending> m_pending;
    bool m_refreshInFlight = false;
    bool m_refreshAgain = false;
    bool m_loading = false;
    bool m_counting = false;
    int m_visibleFirst = -1;
    int m_visibleLast = -1;
    mutable int m_wantFirst = -1;
    mutable int m_wantLast = -1;
    int m_askedFirst = -1; // the rows last asked for without a view's range
    int m_askedLast = -1;
    mutable QTimer m_fetchTimer;
    QTimer m_liveTimer;
    int m_liveInterval = 0;
};

} // namespace qd
