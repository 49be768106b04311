#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace qd {

// Asks for something destructive to be confirmed by typing the queue's name.
class ConfirmNameDialog final : public QDialog {
    Q_OBJECT
public:
    ConfirmNameDialog(
        const QString &name, const QString &question, const QString &action, QWidget *parent = nullptr);
    QLineEdit *nameEdit() const { return m_edit; }
    QPushButton *confirmButton() const { return m_confirm; }

private:
    QString m_name;
    QLineEdit *m_edit;
    QPushButton *m_confirm;
};

// A new queue's name, checked as it is typed.
class NewQueueDialog final : public QDialog {
    Q_OBJECT
public:
    explicit NewQueueDialog(QStringList existing, QWidget *parent = nullptr);
    QString name() const;
    QLineEdit *nameEdit() const { return m_edit; }
    QPushButton *createButton() const { return m_create; }
    QLabel *errorLabel() const { return m_error; }

private:
    void validate();

    QStringList m_existing;
    QLineEdit *m_edit;
    QLabel *m_error;
    QPushButton *m_create;
};

} // namespace qd
