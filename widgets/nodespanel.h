#pragma once

#include <QWidget>

class QLabel;
class QTableView;

namespace qd {

class NodeTableModel;

// Which runtimes serve the store: a heading naming the store and how many nodes serve it,
// over a table of them only as tall as its rows.
class NodesPanel final : public QWidget {
    Q_OBJECT
public:
    explicit NodesPanel(NodeTableModel *model, QWidget *parent = nullptr);

    QLabel *heading() const { return m_heading; }
    QTableView *table() const { return m_table; }

    // The store as people may see it (no password), and whether other runtimes may share it.
    void setStore(const QString &displaySpec, bool shared);

    static constexpr int kMaxVisibleRows = 5;

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateHeading();
    void fitHeight();
    void fitColumns();

    NodeTableModel *m_model;
    QLabel *m_heading;
    QTableView *m_table;
    QString m_store;
    bool m_shared = false;
};

} // namespace qd
