#pragma once

#include <QMainWindow>

class QAction;
class QActionGroup;
class QLabel;
class QListWidget;
class QSplitter;
class QStackedWidget;
class QToolButton;

namespace qd {

class DashboardPage;
class FailedPage;
class MetricsHistory;
class QueueCommands;
class QueuesPage;
class ResultsPage;
class MessagesPage;
class SubmitPage;
class WorkerProjects;
class WorkersPage;
class QueueTableModel;
class Runtime;

// The window: pages in a side list (Ctrl+1…), menus, a toolbar, and a status bar with the
// producer endpoint and the pipeline's pulse. Everything it shows comes from the
// runtime's snapshots and frames; everything it does goes through queued calls.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    enum Page { Dashboard, Submit, Messages, Failed, Results, Queues, Workers, PageCount };

    explicit MainWindow(Runtime *runtime, QWidget *parent = nullptr);

    void showPage(Page page);
    Page currentPage() const;
    DashboardPage *dashboard() const { return m_dashboard; }
    QueuesPage *queuesPage() const { return m_queuesPage; }
    SubmitPage *submitPage() const { return m_submitPage; }
    ResultsPage *resultsPage() const { return m_resultsPage; }
    WorkersPage *workersPage() const { return m_workersPage; }
    QToolButton *endpointButton() const { return m_endpoint; }
    QLabel *rateLabel() const { return m_rate; }
    QLabel *backlogLabel() const { return m_backlog; }
    QAction *pageAction(Page page) const;
    QAction *preferencesAction() const { return m_preferences; }
    QAction *shortcutsAction() const { return m_shortcuts; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void restoreSettings();
    void saveSettings() const;
    void updatePulse();
    QWidget *placeholder(const QString &title, const QString &text);
    void openMessage(const QString &messageId);
    void openLoadGenerator();
    void installEmptyStates(MessagesPage *messages, FailedPage *failed);
    void openPreferences();
    void showShortcuts();

    Runtime *m_runtime;
    MetricsHistory *m_history;
    QueueTableModel *m_queues;
    QueueCommands *m_commands;
    DashboardPage *m_dashboard;
    QueuesPage *m_queuesPage;
    SubmitPage *m_submitPage;
    ResultsPage *m_resultsPage;
    WorkerProjects *m_workerProjects;
    WorkersPage *m_workersPage;
    MessagesPage *m_messagesPage = nullptr;
    QListWidget *m_nav;
    QStackedWidget *m_stack;
    QSplitter *m_splitter;
    QActionGroup *m_pageActions;
    QAction *m_pauseCharts = nullptr;
    QActionGroup *m_rangeActions = nullptr;
    QAction *m_preferences = nullptr;
    QAction *m_shortcuts = nullptr;
    QToolButton *m_endpoint;
    QLabel *m_rate;
    QLabel *m_backlog;
};

} // namespace qd
