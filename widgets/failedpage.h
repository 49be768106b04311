#pragma once

#include "messagebrowser.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;
class QToolButton;

namespace qd {

class FailureGroupModel;
class FailureNotifier;
class MessageQuery;
class OperatorActions;
class Runtime;

// Failed and dead-lettered messages, grouped by error signature above and listed below,
// for triage: retry one, the selection, a whole group or everything the filter matches
// (now or later), edit a body and resubmit it, redrive a dead-letter queue, delete. Bulk
// actions say how many they touch and run chunked in the runtime with progress and cancel.
class FailedPage final : public QWidget {
    Q_OBJECT
public:
    explicit FailedPage(Runtime *runtime, QWidget *parent = nullptr);
    FailedPage(MessageQuery *query, OperatorActions *actions, QWidget *parent = nullptr);

    MessageTableModel *model() const { return m_browser->model(); }
    MessageTableView *table() const { return m_browser->table(); }
    FailureGroupModel *groups() const { return m_groups; }
    QTableView *groupsView() const { return m_groupsView; }
    MessageFilterBar *filterBar() const { return m_browser->filterBar(); }
    MessageDetailView *detail() const { return m_browser->detail(); }
    ConfirmBar *confirmBar() const { return m_browser->confirmBar(); }
    BulkProgress *progress() const { return m_browser->progress(); }
    QLabel *status() const { return m_browser->status(); }
    QString groupSignature() const { return m_group; }
    QLabel *markedCount() const { return m_marked; }
    // How long a notice such as "Retried 5 messages" stays before it goes.
    void setNoticeTimeout(int ms);

signals:
    void notice(const QString &text);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void showGroup(const QString &signature);
    void retryGroup();
    void editCurrent();
    void fillRedriveMenu();
    void updateCount();
    void updateActions();

    MessageQuery *m_query;
    OperatorActions *m_actions;
    FailureNotifier *m_notifier = nullptr;
    MessageBrowser *m_browser;
    FailureGroupModel *m_groups;
    QTableView *m_groupsView;
    QLabel *m_count;
    QLabel *m_marked;
    QLabel *m_groupLabel;
    QPushButton *m_showAll;
    QToolButton *m_redrive = nullptr;
    QList<QToolButton *> m_messageActions; // what needs a message to act on
    QToolButton *m_retryGroup = nullptr;
    QToolButton *m_edit = nullptr;
    QString m_group;
    bool m_groupsKnown = false;
};

} // namespace qd
