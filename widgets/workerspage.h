#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace qd {

class EmptyState;
class Runtime;
class WorkerListModel;
class WorkerLogModel;
class WorkerProjects;

// The Worker projects the runtime runs: their state, URL and queues, and for the selected
// one its error and its log (filtered, copied, cleared). Opens projects and reloads them;
// what happens then arrives from the runtime as lists and log lines.
class WorkersPage final : public QWidget {
    Q_OBJECT
public:
    explicit WorkersPage(Runtime *runtime, WorkerProjects *projects, QWidget *parent = nullptr);

    // File → Open Worker Project…: asks for a wrangler file and loads its project.
    QAction *openAction() const { return m_openAction; }
    void openProjectDialog();

    QTableView *table() const { return m_table; }
    QListView *logView() const { return m_logView; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QPlainTextEdit *errorView() const { return m_error; }
    QPushButton *reloadButton() const { return m_reload; }
    QPushButton *copyUrlButton() const { return m_copyUrl; }
    QPushButton *forgetButton() const { return m_forget; }
    QPushButton *copyLogButton() const { return m_copyLog; }
    QPushButton *clearLogButton() const { return m_clearLog; }
    EmptyState *emptyState() const { return m_empty; }
    WorkerListModel *listModel() const { return m_list; }
    WorkerLogModel *logModel() const { return m_log; }

signals:
    void notice(const QString &text);

private:
    void showSelected();
    int selectedRow() const;
    void copyLog();

    Runtime *m_runtime;
    WorkerProjects *m_projects;
    WorkerListModel *m_list;
    WorkerLogModel *m_log;
    QSortFilterProxyModel *m_filter;
    QAction *m_openAction;
    QTableView *m_table;
    EmptyState *m_empty;
    QWidget *m_details;
    QLabel *m_title;
    QPushButton *m_reload;
    QPushButton *m_copyUrl;
    QPushButton *m_openUrl;
    QPushButton *m_forget;
    QLabel *m_errorTitle;
    QPlainTextEdit *m_error;
    QLineEdit *m_filterEdit;
    QPushButton *m_copyLog;
    QPushButton *m_clearLog;
    QListView *m_logView;
    bool m_followTail = true;
};

} // namespace qd
