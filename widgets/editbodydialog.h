#pragma once

#include "message.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace qd {

// Edits a failed message's body before it is resubmitted; checks it as you type (size,
// and JSON when the content type is json). The original stays in the audit log.
class EditBodyDialog final : public QDialog {
    Q_OBJECT
public:
    EditBodyDialog(const QString &id, const QByteArray &body, ContentType type, QWidget *parent = nullptr);

    QByteArray body() const;
    ContentType contentType() const;
    int delaySeconds() const;
    QPlainTextEdit *editor() const { return m_editor; }

private:
    void validate();

    QPlainTextEdit *m_editor;
    QComboBox *m_type;
    QComboBox *m_delay;
    QLabel *m_problem;
    QPushButton *m_ok;
};

} // namespace qd
