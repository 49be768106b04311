#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QToolButton;

namespace qd {

class BulkProgress;
class ConfirmBar;
class MessageDetailView;
class MessageFilterBar;
class MessageQuery;
class MessageTableModel;
class MessageTableView;
class MessageTriage;
class OperatorActions;
class Runtime;

// Every message of every queue in one lazy table (filter by queue, state, time and text;
// sort by any column, all in the store), with the selected message's details beside it.
// Live while shown: new and changed messages appear without moving what is on screen.
class MessagesPage final : public QWidget {
    Q_OBJECT
public:
    explicit MessagesPage(Runtime *runtime, QWidget *parent = nullptr);
    MessagesPage(MessageQuery *query, OperatorActions *actions, QWidget *parent = nullptr);

    MessageTableModel *model() const { return m_model; }
    MessageTableView *table() const { return m_table; }
    MessageFilterBar *filterBar() const { return m_filterBar; }
    MessageDetailView *detail() const { return m_detail; }
    ConfirmBar *confirmBar() const { return m_confirm; }
    QLabel *status() const { return m_status; }

    // Shows the message with this id alone in the table, with its detail open.
    void openMessage(const QString &id);

signals:
    void notice(const QString &text);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void updateCount();
    void say(const QString &text);

    MessageQuery *m_query;
    OperatorActions *m_actions;
    MessageFilterBar *m_filterBar;
    MessageTableModel *m_model;
    MessageTableView *m_table;
    MessageDetailView *m_detail;
    ConfirmBar *m_confirm;
    BulkProgress *m_progress;
    MessageTriage *m_triage;
    QLabel *m_count;
    QLabel *m_status;
    QCheckBox *m_live;
};

} // namespace qd
