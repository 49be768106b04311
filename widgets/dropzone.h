#pragma once

#include <QFrame>
#include <QMimeData> // signals carry it: connects need the whole type

namespace qd {

// Where files and folders are dropped: a framed area that lights up while something
// it can take hovers over it.
class DropZone final : public QFrame {
    Q_OBJECT
public:
    explicit DropZone(QWidget *parent = nullptr);

    // Whether a drop or a paste carries local files or image data.
    static bool canTake(const QMimeData *mime);
    static QStringList localFiles(const QMimeData *mime);

signals:
    void dropped(const QMimeData *mime);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    bool m_hover = false;
};

// Lets a whole window take drops: files dropped anywhere on it that no child takes itself
// go where a DropZone's would.
class FileDropFilter final : public QObject {
    Q_OBJECT
public:
    explicit FileDropFilter(QWidget *window, QObject *parent = nullptr);

signals:
    void dropped(const QMimeData *mime);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *m_window;
};

} // namespace qd
