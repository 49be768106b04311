#pragma once

#include "messagebrowser.h"

#include <QWidget>

class QCheckBox;
class QLabel;

namespace qd {

class MessageQuery;
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

    MessageTableModel *model() const { return m_browser->model(); }
    MessageTableView *table() const { return m_browser->table(); }
    MessageFilterBar *filterBar() const { return m_browser->filterBar(); }
    MessageDetailView *detail() const { return m_browser->detail(); }
    ConfirmBar *confirmBar() const { return m_browser->confirmBar(); }
    QLabel *status() const { return m_browser->status(); }

    // Shows the message with this id alone in the table, with its detail open.
    void openMessage(const QString &id);

signals:
    void notice(const QString &text);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void updateCount();
    void setLive(bool on);

    MessageQuery *m_query;
    OperatorActions *m_actions;
    MessageBrowser *m_browser;
    QLabel *m_count;
    QCheckBox *m_live;
};

} // namespace qd
