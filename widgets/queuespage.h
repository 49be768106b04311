#pragma once

#include <QWidget>

class QTableView;
class QSortFilterProxyModel;

namespace qd {

class QueueTableModel;

// The queues with their live counts.
class QueuesPage final : public QWidget
{
    Q_OBJECT
public:
    explicit QueuesPage(QueueTableModel *model, QWidget *parent = nullptr);
    QTableView *view() const { return m_view; }

private:
    QTableView *m_view;
    QSortFilterProxyModel *m_proxy;
};

} // namespace qd
