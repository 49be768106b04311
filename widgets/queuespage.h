#pragma once

#include <QWidget>

class QAction;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;

namespace qd {

class QueueCommands;
class QueueSettingsEditor;
class QueueTableModel;
struct WranglerImportReport;

// Every queue with its live counts; create, delete, pause, purge, edit consumer settings
// and import from wrangler. Actions go through QueueCommands, so they run on the runtime
// thread and land in the audit log.
class QueuesPage final : public QWidget {
    Q_OBJECT
public:
    QueuesPage(QueueTableModel *model, QueueCommands *commands, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QueueSettingsEditor *editor() const { return m_editor; }
    QAction *newQueueAction() const { return m_newQueue; }
    QAction *deleteAction() const { return m_delete; }
    QAction *pauseAction() const { return m_pause; }
    QAction *purgeAction() const { return m_purge; }
    QAction *importAction() const { return m_import; }

    QString selectedQueue() const;
    void selectQueue(const QString &name);
    void importFile(const QString &path);
    void showImportReport(const WranglerImportReport &report);
    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

signals:
    // A line for the status bar.
    void message(const QString &text);

private:
    // Columns as wide as their contents the first time there are queues, unless a saved layout
    // says otherwise; after that only the person changes them.
    void sizeColumnsOnce();
    void newQueue();
    void deleteSelected();
    void togglePause();
    void purgeSelected();
    void importDialog();
    void selectionChanged();
    void refreshEditor();
    void finished(const QString &action, const QString &queue, const QString &error);

    QueueTableModel *m_model;
    QueueCommands *m_commands;
    QTableView *m_view;
    QSortFilterProxyModel *m_proxy;
    QueueSettingsEditor *m_editor;
    QSplitter *m_splitter;
    QAction *m_newQueue;
    QAction *m_delete;
    QAction *m_pause;
    QAction *m_purge;
    QAction *m_import;
    QString m_keepSelected;
    bool m_columnsSized = false;
};

} // namespace qd
