#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace qd {

class Runtime;

// One image job by hand: URL, user, queue and delay, checked as you type by the same
// rules POST / applies, with the exact body that will be sent. Each field says what is
// wrong with it, in words, under itself, once the person has been in it. Send (or Enter) queues it
// through the broker; the new message's id then links to the message.
class JobForm final : public QWidget {
    Q_OBJECT
public:
    explicit JobForm(Runtime *runtime, QWidget *parent = nullptr);

    // The queues to choose from; the current choice stays when it still exists.
    void setQueues(const QStringList &names);
    QString queue() const;
    QString userId() const;
    // Empty when the form can be sent; otherwise why not, as POST / would answer.
    QString validationError() const { return m_error; }
    // What a field shows as wrong with it: empty until it was touched or Send was tried.
    QString urlProblem() const;
    QString userProblem() const;
    QByteArray body() const;

signals:
    void openMessageRequested(const QString &messageId);
    void sent(const QString &messageId);
    void targetChanged(const QString &queue, const QString &userId);

private:
    void validate();
    void touch(QWidget *field);
    void send();
    void sendFinished(const QString &messageId, const QString &error);

    Runtime *m_runtime;
    QLineEdit *m_url;
    QLineEdit *m_user;
    QComboBox *m_queue;
    QSpinBox *m_delay;
    QPlainTextEdit *m_preview;
    QLabel *m_validation;
    QLabel *m_urlError;
    QLabel *m_userError;
    QLabel *m_queueError;
    QList<QWidget *> m_touched;
    QPushButton *m_send;
    QLabel *m_sentLink;
    QString m_error;
    bool m_sending = false;
};

} // namespace qd
