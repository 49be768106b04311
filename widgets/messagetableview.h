#pragma once

#include <QKeySequence>
#include <QTableView>

#include <functional>

namespace qd {

class MessageTableModel;

// A message table made for triage by keyboard: j/k move, x marks a row (a checkbox in the
// first column), Shift+j/k mark while moving, Enter opens it, r retries, d deletes, / goes
// to the search box. It tells its MessageTableModel which rows
// are on screen, and keeps those rows in place when rows arrive or leave above them.
class MessageTableView final : public QTableView {
    Q_OBJECT
public:
    explicit MessageTableView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    // What actions act on, ascending: the marked rows and a selection of several rows; with
    // neither, the selected row or else the current one.
    QList<int> pickedRows() const;
    // How many messages pickedRows() stands for, marked ones not loaded included.
    int pickedCount() const;

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
    void extendMarks(int delta);
    void addKeyAction(const QString &text, const QList<QKeySequence> &keys, std::function<void()> run);

    MessageTableModel *m_messages = nullptr;
    QAbstractItemDelegate *m_middle;
    QList<QAction *> m_keyActions;
};

} // namespace qd
