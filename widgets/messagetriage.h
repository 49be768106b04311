#pragma once

#include "queuestore.h"

#include <QObject>

class QAbstractButton;
class QMenu;
class QWidget;
#include <QStringList>

#include <functional>
#include <unordered_map>

namespace qd {

class BulkProgress;
class ConfirmBar;
class MessageFilterBar;
class MessageQuery;
class MessageTableModel;
class MessageTableView;
class OperatorActions;

// What both message pages do to the rows a person picked, or to everything the filter
// matches: retry (now or later), delete, export. Bulk actions say how many messages they
// touch first; large ones run chunked in the runtime with progress and cancel.
class MessageTriage final : public QObject {
    Q_OBJECT
public:
    MessageTriage(MessageQuery *query, OperatorActions *actions, MessageTableModel *model,
        MessageTableView *view, ConfirmBar *confirm, BulkProgress *progress, QObject *parent = nullptr);

    void retryPicked(int delaySeconds = 0);
    void deletePicked();
    void retryMatching(int delaySeconds = 0);
    void retrySeqs(const QList<qint64> &seqs, const QString &what, int delaySeconds = 0);
    void exportPicked(const QString &path);
    void exportMatching(const QString &path);
    // The Export menu of both pages: the picked rows or the filter's result, each asking
    // for a file (`defaultName` in the home folder) first.
    void fillExportMenu(QMenu *menu, QWidget *dialogParent, const QString &defaultName);
    // What both pages wire the same way: r and `retry` retry the picked rows, d and `remove`
    // delete them, / searches in `filterBar`; finished actions and bulk runs become notice()s
    // (a success only while `page` is shown, an error always).
    void connectPage(
        QWidget *page, MessageFilterBar *filterBar, QAbstractButton *retry, QAbstractButton *remove);
    // Counts what `filter` matches off the GUI thread, then calls `then` with it.
    void countThen(const MessageFilter &filter, std::function<void(qint64)> then);

    // Up to this many picked rows are retried by id in one step (and audited by id).
    static constexpr int kDirectLimit = 1000;
    static QString delayText(int delaySeconds);

signals:
    void notice(const QString &text);

private:
    using Resolved = std::function<void(const QStringList &ids, const QList<qint64> &seqs)>;
    // The picked rows' ids and seqs, read from the store for rows not loaded.
    void resolve(const QList<int> &rows, Resolved then);
    quint64 nextTicket();

    MessageQuery *m_query;
    OperatorActions *m_actions;
    MessageTableModel *m_model;
    MessageTableView *m_view;
    ConfirmBar *m_confirm;
    BulkProgress *m_progress;
    quint64 m_ticket;
    std::unordered_map<quint64, std::function<void(qint64)>> m_counts;
    std::unordered_map<quint64, Resolved> m_rows;
    std::unordered_map<quint64, QString> m_exports;
};

} // namespace qd
