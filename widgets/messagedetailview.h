#pragma once

#include "messagequery.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace qd {

class MessageTableModel;
class MessageTableView;

// Everything about one message: body (pretty JSON, text, or bytes in hex), the image
// result if the consumer made one, timestamps, every attempt newest first with its error,
// duration and the batch it rode in (the other messages of that batch and their outcomes),
// and what operators did to it. Read off the GUI thread; copy id, body or error.
class MessageDetailView final : public QWidget {
    Q_OBJECT
public:
    explicit MessageDetailView(MessageQuery *query, QWidget *parent = nullptr);

    // Shows `id` (empty: nothing) once the reader answers.
    void showMessage(const QString &id);
    void reload();
    // Asks again every `ms` (0: never) while a message is shown, so its state, attempts and
    // result follow what the pipeline does to it; an unchanged answer leaves the pane be.
    void setLiveInterval(int ms);
    // Shows the table's current row a moment after it changes (so j/k through rows stays
    // light), and a row at once when it is opened (Enter, double-click).
    void follow(MessageTableView *table, MessageTableModel *model);
    QString messageId() const { return m_id; }
    std::optional<MessageDetail> detail() const { return m_detail; }

signals:
    void loaded(const qd::MessageDetail &detail);

protected:
    void changeEvent(QEvent *event) override;

private:
    void present(const MessageDetail &d);
    void clear(const QString &text);

    MessageQuery *m_query;
    QTimer m_followDelay;
    QTimer m_live;
    bool m_waiting = false; // a request is out: the live timer does not pile more on
    QString m_id;
    quint64 m_ticket = 0;
    std::optional<MessageDetail> m_detail;
    QLabel *m_title;
    QLabel *m_facts;
    QLabel *m_bodyKind;
    QPlainTextEdit *m_body;
    QLabel *m_thumbnail;
    QLabel *m_result;
    QTreeWidget *m_attempts;
    QLabel *m_history;
    QPushButton *m_copyId;
    QPushButton *m_copyBody;
    QPushButton *m_copyError;
};

} // namespace qd
