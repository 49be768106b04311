#pragma once

#include "messagefilterbar.h"

#include <QWidget>

class QAbstractButton;
class QHBoxLayout;
class QLabel;
class QSplitter;
class QTimer;
class QToolButton;
class QVBoxLayout;

namespace qd {

class BulkProgress;
class ConfirmBar;
class MessageDetailView;
class MessageQuery;
class MessageTableModel;
class MessageTableView;
class MessageTriage;
class OperatorActions;

// What the Messages and Failed pages are both made of: a filter bar, a row for the page's
// count and buttons, a lazy message table (with the confirm bar and bulk progress above
// it) beside the open message's details, and the triage that acts on the picked rows.
// A page adds its own buttons to bar() and its own panes around listPane().
class MessageBrowser final : public QWidget {
    Q_OBJECT
public:
    MessageBrowser(MessageQuery *query, OperatorActions *actions, MessageFilterBar::Scope scope,
        QWidget *parent = nullptr);

    MessageFilterBar *filterBar() const { return m_filterBar; }
    MessageTableModel *model() const { return m_model; }
    MessageTableView *table() const { return m_table; }
    MessageDetailView *detail() const { return m_detail; }
    ConfirmBar *confirmBar() const { return m_confirm; }
    BulkProgress *progress() const { return m_progress; }
    MessageTriage *triage() const { return m_triage; }
    QLabel *status() const { return m_status; }
    QHBoxLayout *bar() const { return m_bar; }
    // The table side: the confirm bar, the bulk progress and the table, top to bottom.
    QWidget *listPane() const { return m_listPane; }
    QVBoxLayout *listLayout() const { return m_listLayout; }
    // The list side beside the details; a page may put it into a splitter of its own.
    QSplitter *panes() const { return m_panes; }

    // A button at the end of bar(); its tool tip is kept in the "tip" property so a page
    // can put it back after saying why the button is off.
    QToolButton *addButton(const QString &text, const QString &name, const QString &tip);
    // An Export button at the end of bar(), its menu asking for a file named `defaultName`.
    QToolButton *addExportButton(const QString &defaultName, const QString &tip);
    // r and `retry` retry the picked rows, d and `remove` delete them.
    void connectTriage(QAbstractButton *retry, QAbstractButton *remove);
    // Narrows the filter bar's filter to errors matching `pattern` (empty: no narrowing).
    void setErrorPattern(const QString &pattern);
    // Opens the first row unless a row is open already, so j/k start there.
    void openFirst();
    // Shows `text` in status() and emits notice(); it goes after `setNoticeTimeout` ms if set.
    void say(const QString &text);
    void setNoticeTimeout(int ms);

signals:
    void notice(const QString &text);
    // The table's rows, its count or whether it is loading changed.
    void countChanged();

private:
    void applyFilter();

    MessageFilterBar *m_filterBar;
    MessageTableModel *m_model;
    MessageTableView *m_table;
    MessageDetailView *m_detail;
    ConfirmBar *m_confirm;
    BulkProgress *m_progress;
    MessageTriage *m_triage;
    QLabel *m_status;
    QTimer *m_statusTimer = nullptr;
    QHBoxLayout *m_bar;
    QWidget *m_listPane;
    QVBoxLayout *m_listLayout;
    QSplitter *m_panes;
    QString m_errorPattern;
};

} // namespace qd
