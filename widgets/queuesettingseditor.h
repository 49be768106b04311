#pragma once

#include "queuesettings.h"

#include <QWidget>

#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace qd {

// A queue's consumer settings as a form that checks every keystroke with the runtime's
// own validation, and names the setting that is wrong before anything is sent.
class QueueSettingsEditor final : public QWidget {
    Q_OBJECT
public:
    explicit QueueSettingsEditor(QWidget *parent = nullptr);

    // Shows a queue's settings as the runtime has them. While the person has changes not
    // yet applied to the same queue, their fields stay as typed.
    void setQueue(const QString &name, const QueueSettings &settings, const QStringList &queueNames);
    void clear();
    QString queueName() const { return m_name; }
    bool isDirty() const { return m_dirty; }
    // The settings the form holds, or nothing while a field is wrong.
    std::optional<QueueSettings> settings() const;
    QString error() const;
    // After an apply: the runtime's answer (empty: applied).
    void applied(const QString &error);

    QLineEdit *batchSizeEdit() const { return m_batchSize; }
    QLineEdit *batchTimeoutEdit() const { return m_batchTimeout; }
    QLineEdit *retriesEdit() const { return m_retries; }
    QLineEdit *retryDelayEdit() const { return m_retryDelay; }
    QLineEdit *concurrencyEdit() const { return m_concurrency; }
    QComboBox *deadLetterBox() const { return m_deadLetter; }
    QComboBox *consumerBox() const { return m_consumer; }
    QLineEdit *urlEdit() const { return m_url; }
    QPushButton *applyButton() const { return m_apply; }
    QPushButton *revertButton() const { return m_revert; }
    QLabel *errorLabel() const { return m_errorLabel; }

signals:
    void applyRequested(const QString &name, const QueueSettings &settings);

private:
    struct Parsed {
        QueueSettings settings;
        QString error;
        QWidget *field = nullptr; // the one the error is about
    };
    Parsed parse() const;
    void load(const QueueSettings &settings);
    void edited();
    void validate();
    QLineEdit *addNumber(const QString &name, const QString &placeholder, const QString &tip);

    QString m_name;
    QueueSettings m_base; // the runtime's latest, for what the form does not show
    bool m_dirty = false;
    QLineEdit *m_batchSize;
    QLineEdit *m_batchTimeout;
    QLineEdit *m_retries;
    QLineEdit *m_retryDelay;
    QLineEdit *m_concurrency;
    QComboBox *m_deadLetter;
    QComboBox *m_consumer;
    QLineEdit *m_url;
    QLabel *m_title;
    QLabel *m_errorLabel;
    QPushButton *m_apply;
    QPushButton *m_revert;
    QList<QPair<QWidget *, QAction *>> m_marks;
};

} // namespace qd
