#pragma once

#include <QFrame>

class QAbstractItemView;
class QLabel;
class QPushButton;
class QVBoxLayout;

namespace qd {

// What a page says while it has nothing to show: what would be here, and how to get it
// there — a line to copy, a button to press. Standing alone (the dashboard's first screen)
// or laid over a view that has no rows (watch()), which it hides behind until rows come.
class EmptyState final : public QFrame {
    Q_OBJECT
public:
    explicit EmptyState(const QString &title, const QString &text, QWidget *parent = nullptr);

    void setText(const QString &text);
    // A command shown whole in a monospaced, selectable box with a Copy button beside it.
    void setCommand(const QString &command);
    QString command() const;
    QPushButton *addButton(const QString &text, const QIcon &icon = {});
    QPushButton *copyButton() const { return m_copy; }
    QLabel *titleLabel() const { return m_title; }
    QLabel *textLabel() const { return m_text; }

    // Lies over the view's viewport and shows while its model has no rows.
    void watch(QAbstractItemView *view);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateShown();

    QLabel *m_title;
    QLabel *m_text;
    QLabel *m_command;
    QPushButton *m_copy;
    QWidget *m_buttons;
    QAbstractItemView *m_view = nullptr;
};

} // namespace qd
