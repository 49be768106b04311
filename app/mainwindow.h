#pragma once

#include <QMainWindow>

class QLabel;

namespace qd {

class Runtime;
class QueueTableModel;
class QueuesPage;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(Runtime *runtime, QWidget *parent = nullptr);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    Runtime *m_runtime;
    QueueTableModel *m_queues;
    QueuesPage *m_queuesPage;
    QLabel *m_endpoint;
    QLabel *m_backlog;
};

} // namespace qd
