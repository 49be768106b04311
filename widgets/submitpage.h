#pragma once

#include "queuesnapshot.h"

#include <QWidget>

class QMimeData;

namespace qd {

class JobForm;
class LoadGeneratorPanel;
class Runtime;
class UploadPanel;

// Where jobs come from: the form, the drop zone with its file list, and the load generator.
class SubmitPage final : public QWidget {
    Q_OBJECT
public:
    explicit SubmitPage(Runtime *runtime, QWidget *parent = nullptr);

    // The drop path, for the window's own drops and the hidden --drop-files option.
    void addPaths(const QStringList &paths);
    bool addFromMime(const QMimeData *mime);

    JobForm *form() const { return m_form; }
    UploadPanel *uploads() const { return m_uploads; }
    LoadGeneratorPanel *loadGenerator() const { return m_load; }

signals:
    void openMessageRequested(const QString &messageId);
    void uploadsFinished();

private:
    void setSnapshot(const QList<qd::QueueSnapshot> &queues);

    JobForm *m_form;
    UploadPanel *m_uploads;
    LoadGeneratorPanel *m_load;
    QString m_defaultQueue;
};

} // namespace qd
