#pragma once

#include "chartdatamodel.h"
#include "queuesnapshot.h"

#include <QMap>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSettings;
class QSplitter;
class QStackedWidget;

namespace qd {

class ChartPanel;
class CounterTilesModel;
class CounterTilesView;
class EmptyState;
class MetricsHistory;
class NodeTableModel;
class NodesPanel;
class Runtime;

// The live dashboard: counter tiles over four charts (queue depth, batch throughput,
// failures, latency) for one queue or all, with range, pause and export; under them the
// runtimes serving the store. Until anything has been sent it says how to send something;
// a queue that is paused or has no consumer is named where its numbers are.
class DashboardPage final : public QWidget {
    Q_OBJECT
public:
    explicit DashboardPage(MetricsHistory *history, QWidget *parent = nullptr);

    ChartDataModel *model() const { return m_model; }
    CounterTilesModel *tiles() const { return m_tiles; }
    CounterTilesView *tilesView() const { return m_tilesView; }
    ChartPanel *depthChart() const { return m_depth; }
    ChartPanel *throughputChart() const { return m_throughput; }
    ChartPanel *failuresChart() const { return m_failures; }
    ChartPanel *latencyChart() const { return m_latency; }
    QComboBox *queueBox() const { return m_queueBox; }
    QComboBox *rangeBox() const { return m_rangeBox; }
    QPushButton *pauseButton() const { return m_pause; }
    NodeTableModel *nodes() const { return m_nodes; }
    NodesPanel *nodesPanel() const { return m_nodesPanel; }
    EmptyState *welcome() const { return m_welcome; }
    QLabel *queueNotice() const { return m_notice; }
    // Whether the charts show (false: the first-run welcome does).
    bool chartsShown() const;

    // Follows the runtime's node lists and names its store.
    void attach(Runtime *runtime);

    // The queues to choose from; the choice survives when its queue is still there.
    void setQueues(const QStringList &names);
    void setPaused(bool paused);
    // Which queues are paused or have nobody to deliver to, from the runtime's snapshot.
    void setQueueStates(const QList<QueueSnapshot> &queues);
    // The producer endpoint the welcome's command line sends to.
    void setEndpoint(const QString &endpoint, const QString &token = {});
    // Writes in the background; exported() tells how it went.
    void exportPng(const QString &path);
    void exportCsv(const QString &path);
    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

public slots:
    void exportPngDialog();
    void exportCsvDialog();

protected:
    void changeEvent(QEvent *event) override;

signals:
    void exported(const QString &path, bool ok);
    void pausedChanged(bool paused);
    // The welcome's buttons: where to go to make the first messages.
    void loadGeneratorRequested();
    void submitRequested();

private:
    void selectQueue(const QString &name);
    void updateTiles();
    void buildCharts();
    void updateHeld();
    void updateWelcome();

    MetricsHistory *m_history;
    ChartDataModel *m_model;
    CounterTilesModel *m_tiles;
    CounterTilesView *m_tilesView;
    QComboBox *m_queueBox;
    QComboBox *m_rangeBox;
    QPushButton *m_pause;
    QPushButton *m_exportPng;
    QPushButton *m_exportCsv;
    QStackedWidget *m_chartsStack;
    EmptyState *m_welcome;
    QLabel *m_notice;
    QSplitter *m_rows;
    QSplitter *m_top;
    QSplitter *m_bottom;
    ChartPanel *m_depth = nullptr;
    ChartPanel *m_throughput = nullptr;
    ChartPanel *m_failures = nullptr;
    ChartPanel *m_latency = nullptr;
    NodeTableModel *m_nodes;
    NodesPanel *m_nodesPanel;
    QMap<QString, QueueSnapshot> m_queueStates;
    bool m_seenData = false;
};

} // namespace qd
