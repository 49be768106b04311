#pragma once

#include "queuestore.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;

namespace qd {

class MessageQuery;

// Queue, state, time range and a search box with a small syntax (MessageSearch), turned
// into one MessageFilter. Typing is debounced; the combos apply at once.
class MessageFilterBar final : public QWidget {
    Q_OBJECT
public:
    enum class Scope { AllMessages, Failures };

    explicit MessageFilterBar(MessageQuery *query, Scope scope, QWidget *parent = nullptr);

    MessageFilter filter() const { return m_filter; }
    QLineEdit *searchEdit() const { return m_search; }
    QComboBox *queueBox() const { return m_queue; }
    QComboBox *stateBox() const { return m_state; }
    void focusSearch();
    // Every queue, state and time, and `text` in the search box: what finds one message by id.
    void showOnly(const QString &text);
    // The queue filter's name; empty for every queue.
    QString queueName() const;

signals:
    void filterChanged(const qd::MessageFilter &filter);

private:
    void apply();
    void reloadQueues();

    MessageQuery *m_query;
    Scope m_scope;
    QComboBox *m_queue;
    QComboBox *m_state;
    QComboBox *m_time;
    QLineEdit *m_search;
    QLabel *m_problem;
    QTimer m_debounce;
    MessageFilter m_filter;
};

} // namespace qd
