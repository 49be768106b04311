#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;
class QTimer;
class QToolButton;

namespace qd {

class BulkProgress;
class ConfirmBar;
class FailureGroupModel;
class FailureNotifier;
class MessageDetailView;
class MessageFilterBar;
class MessageQuery;
class MessageTableModel;
class MessageTableView;
class MessageTriage;
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

    MessageTableModel *model() const { return m_model; }
    MessageTableView *table() const { return m_table; }
    FailureGroupModel *groups() const { return m_groups; }
    QTableView *groupsView() const { return m_groupsView; }
    MessageFilterBar *filterBar() const { return m_filterBar; }
    MessageDetailView *detail() const { return m_detail; }
    ConfirmBar *confirmBar() const { return m_confirm; }
    BulkProgress *progress() const { return m_progress; }
    QLabel *status() const { return m_status; }
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
    QToolButton *addButton(const QString &text, const QString &name, const QString &tip);
    void applyFilter();
    void showGroup(const QString &signature);
    void retryGroup();
    void editCurrent();
    void fillRedriveMenu();
    void updateCount();
    void updateActions();
    void say(const QString &text);

    MessageQuery *m_query;
    OperatorActions *m_actions;
    FailureNotifier *m_notifier = nullptr;
    MessageFilterBar *m_filterBar;
    FailureGroupModel *m_groups;
    QTableView *m_groupsView;
    MessageTableModel *m_model;
    MessageTableView *m_table;
    MessageDetailView *m_detail;
    ConfirmBar *m_confirm;
    BulkProgress *m_progress;
    MessageTriage *m_triage;
    QLabel *m_count;
    QLabel *m_marked;
    QTimer *m_statusTimer;
    QLabel *m_status;
    QLabel *m_groupLabel;
    QPushButton *m_showAll;
    QWidget *m_buttons;
    QToolButton *m_redrive = nullptr;
    QList<QToolButton *> m_messageActions; // what needs a message to act on
    QToolButton *m_retryGroup = nullptr;
    QToolButton *m_edit = nullptr;
    QString m_group;
    bool m_groupsKnown = false;
};

} // namespace qd
