#pragma once

#include <QTableView>

namespace qd {

class MessageTableModel;

// A message table made for triage by keyboard: j/k move, x marks a row, Enter opens it,
// r retries, d deletes, / goes to the search box. It tells its MessageTableModel which rows
// are on screen, and keeps those rows in place when rows arrive or leave above them.
class MessageTableView final : public QTableView {
    Q_OBJECT
public:
    explicit MessageTableView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    // Rows selected, or the current row when none is; ascending.
    QList<int> pickedRows() const;

signals:
    void openRequested(int row);
    void retryRequested();
    void deleteRequested();
    void searchRequested();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void reportVisibleRows();
    void moveCurrent(int delta);

    MessageTableModel *m_messages = nullptr;
};

} // namespace qd
