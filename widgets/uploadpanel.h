#pragma once

#include <QWidget>

class QLabel;
class QMimeData;
class QProgressBar;
class QPushButton;
class QTreeView;

namespace qd {

class DropZone;
class FileUploader;
class Runtime;
class UploadListModel;

// The drop zone, its buttons and the list of dropped files with their live status.
class UploadPanel final : public QWidget {
    Q_OBJECT
public:
    explicit UploadPanel(Runtime *runtime, QWidget *parent = nullptr);

    void addPaths(const QStringList &paths);
    // Files or image data from a drop or the clipboard; false when it carries neither.
    bool addFromMime(const QMimeData *mime);
    void setTarget(const QString &queue, const QString &userId);

    FileUploader *uploader() const { return m_uploader; }
    UploadListModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    DropZone *dropZone() const { return m_dropZone; }

signals:
    void openMessageRequested(const QString &messageId);
    // Every file dropped so far has reached its end.
    void allFinished();

private:
    void addFiles();
    void addFolder();
    void paste();
    void updateSummary(int finished, int total);
    void askAboutDuplicates(int count);

    Runtime *m_runtime;
    UploadListModel *m_model;
    FileUploader *m_uploader;
    DropZone *m_dropZone;
    QTreeView *m_view;
    QProgressBar *m_progress;
    QLabel *m_summary;
    QPushButton *m_cancel;
    QPushButton *m_clear;
    QWidget *m_duplicates;
    QLabel *m_duplicatesText;
    int m_pasted = 0;
};

} // namespace qd
