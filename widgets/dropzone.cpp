#include "dropzone.h"

#include <QDragEnterEvent>
#include <QMimeData>
#include <QPainter>
#include <QUrl>

namespace qd {

DropZone::DropZone(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("dropZone"));
    setAcceptDrops(true);
    setMinimumHeight(90);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QStringList DropZone::localFiles(const QMimeData *mime)
{
    QStringList out;
    if (!mime || !mime->hasUrls())
        return out;
    const QList<QUrl> urls = mime->urls();
    for (const QUrl &url : urls) {
        if (url.isLocalFile())
            out.append(url.toLocalFile());
    }
    return out;
}

bool DropZone::canTake(const QMimeData *mime)
{
    return mime && (!localFiles(mime).isEmpty() || mime->hasImage());
}

void DropZone::dragEnterEvent(QDragEnterEvent *event)
{
    if (!canTake(event->mimeData()))
        return;
    event->acceptProposedAction();
    m_hover = true;
    update();
}

void DropZone::dragMoveEvent(QDragMoveEvent *event)
{
    if (canTake(event->mimeData()))
        event->acceptProposedAction();
}

void DropZone::dragLeaveEvent(QDragLeaveEvent *)
{
    m_hover = false;
    update();
}

void DropZone::dropEvent(QDropEvent *event)
{
    m_hover = false;
    update();
    if (!canTake(event->mimeData()))
        return;
    event->acceptProposedAction();
    emit dropped(event->mimeData());
}

void DropZone::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    const QRectF r = QRectF(rect()).adjusted(2, 2, -2, -2);
    QColor fill = pal.color(QPalette::Highlight);
    fill.setAlpha(m_hover ? 60 : 14);
    p.setBrush(fill);
    QPen pen(m_hover ? pal.color(QPalette::Highlight) : pal.color(QPalette::Mid), 2, Qt::DashLine);
    p.setPen(pen);
    p.drawRoundedRect(r, 10, 10);
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.2);
    const int bigHeight = QFontMetrics(big).height();
    const int smallHeight = fontMetrics().height();
    const int top = int(r.center().y()) - (bigHeight + 4 + smallHeight) / 2;
    p.setPen(pal.color(QPalette::WindowText));
    p.setFont(big);
    p.drawText(QRect(int(r.left()), top, int(r.width()), bigHeight), Qt::AlignCenter,
        m_hover ? tr("Release to upload") : tr("Drop images or folders here"));
    p.setFont(font());
    p.setPen(pal.color(QPalette::PlaceholderText));
    p.drawText(QRect(int(r.left()), top + bigHeight + 4, int(r.width()), smallHeight), Qt::AlignCenter,
        tr("each file becomes one job · anywhere on the window works too · %1 pastes")
            .arg(QKeySequence(QKeySequence::Paste).toString(QKeySequence::NativeText)));
}

FileDropFilter::FileDropFilter(QWidget *window, QObject *parent)
    : QObject(parent)
    , m_window(window)
{
    window->setAcceptDrops(true);
    window->installEventFilter(this);
}

bool FileDropFilter::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_window)
        return false;
    switch (event->type()) {
    case QEvent::DragEnter:
    case QEvent::DragMove: {
        auto *drag = static_cast<QDragMoveEvent *>(event);
        if (!DropZone::canTake(drag->mimeData()))
            return false;
        drag->acceptProposedAction();
        return true;
    }
    case QEvent::Drop: {
        auto *drop = static_cast<QDropEvent *>(event);
        if (!DropZone::canTake(drop->mimeData()))
            return false;
        drop->acceptProposedAction();
        emit dropped(drop->mimeData());
        return true;
    }
    default:
        return false;
    }
}

} // namespace qd
