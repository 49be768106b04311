#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace qd {

class OperatorActions;

// Progress of the bulk retries this page started, with a Cancel that stops the runtime
// between chunks. Hidden while none runs.
class BulkProgress final : public QWidget {
    Q_OBJECT
public:
    explicit BulkProgress(OperatorActions *actions, QWidget *parent = nullptr);

    // Bulk operations started elsewhere are not shown.
    void expect(bool expecting) { m_expecting = expecting; }
    qint64 operation() const { return m_operation; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *bar() const { return m_bar; }

signals:
    void finished(qint64 done, qint64 total, bool cancelled);

private:
    OperatorActions *m_actions;
    QProgressBar *m_bar;
    QLabel *m_label;
    QPushButton *m_cancel;
    qint64 m_operation = 0;
    bool m_expecting = false;
};

} // namespace qd
