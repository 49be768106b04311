#pragma once

#include <QFrame>

#include <functional>

class QLabel;
class QPushButton;

namespace qd {

// A question asked in place, above the table it is about: a bulk action says how many
// messages it will touch before it runs, and nothing modal gets in the way of looking.
class ConfirmBar final : public QFrame {
    Q_OBJECT
public:
    explicit ConfirmBar(QWidget *parent = nullptr);

    void ask(const QString &text, const QString &actionText, std::function<void()> onConfirm,
        bool destructive = false);
    void dismiss();
    QString text() const;
    QPushButton *confirmButton() const { return m_confirm; }
    QPushButton *cancelButton() const { return m_cancel; }

private:
    QLabel *m_text;
    QPushButton *m_confirm;
    QPushButton *m_cancel;
    std::function<void()> m_onConfirm;
};

} // namespace qd
