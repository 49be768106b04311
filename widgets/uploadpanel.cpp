#include "uploadpanel.h"

#include "dropzone.h"
#include "fileuploader.h"
#include "runtime.h"
#include "uploadlistmodel.h"

#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QImageWriter>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QStandardPaths>
#include <QTreeView>
#include <QVBoxLayout>

namespace qd {

namespace {

const QString kLastDirKey = QStringLiteral("submit/lastDirectory");

QString startDirectory()
{
    const QString last = QSettings().value(kLastDirKey).toString();
    return last.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::PicturesLocation) : last;
}

} // namespace

UploadPanel::UploadPanel(Runtime *runtime, QWidget *parent)
    : QWidget(parent)
    , m_runtime(runtime)
    , m_model(new UploadListModel(this))
    , m_uploader(new FileUploader(runtime, m_model, this))
    , m_dropZone(new DropZone(this))
    , m_view(new QTreeView(this))
    , m_progress(new QProgressBar(this))
    , m_summary(new QLabel(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_clear(new QPushButton(tr("Clear finished"), this))
    , m_duplicates(new QWidget(this))
    , m_duplicatesText(new QLabel(m_duplicates))
{
    auto *addFiles = new QPushButton(tr("Add &files…"), this);
    auto *addFolder = new QPushButton(tr("Add f&older…"), this);
    auto *paste = new QPushButton(tr("&Paste"), this);
    paste->setToolTip(tr("Upload the files or the image on the clipboard (%1)")
                          .arg(QKeySequence(QKeySequence::Paste).toString(QKeySequence::NativeText)));
    m_cancel->setObjectName(QStringLiteral("cancelUploads"));
    m_cancel->setEnabled(false);
    m_progress->setObjectName(QStringLiteral("uploadProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_summary->setObjectName(QStringLiteral("uploadSummary"));

    m_view->setObjectName(QStringLiteral("uploadList"));
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setIconSize(QSize(FileUploader::kThumbnailSize, FileUploader::kThumbnailSize));
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(UploadListModel::File, QHeaderView::Interactive);
    m_view->header()->setSectionResizeMode(UploadListModel::Status, QHeaderView::Stretch);
    m_view->header()->resizeSection(UploadListModel::File, 260);
    m_view->header()->resizeSection(UploadListModel::Size, 80);
    // A whole message id: they share a time prefix, and their ends tell them apart.
    m_view->header()->resizeSection(UploadListModel::MessageId,
        fontMetrics().horizontalAdvance(QString(32, QLatin1Char('0')))
            + 2 * fontMetrics().averageCharWidth());
    m_view->setTextElideMode(Qt::ElideMiddle);

    // The same picture dropped again would silently make a second job: ask instead.
    m_duplicates->setObjectName(QStringLiteral("duplicateBar"));
    m_duplicatesText->setObjectName(QStringLiteral("duplicateText"));
    m_duplicatesText->setWordWrap(true);
    auto *queueAgain = new QPushButton(tr("&Queue them again"), m_duplicates);
    queueAgain->setObjectName(QStringLiteral("queueDuplicates"));
    queueAgain->setToolTip(tr("Make one more job for each of these pictures"));
    auto *skip = new QPushButton(tr("S&kip them"), m_duplicates);
    skip->setObjectName(QStringLiteral("skipDuplicates"));
    auto *duplicatesRow = new QHBoxLayout(m_duplicates);
    duplicatesRow->setContentsMargins(0, 0, 0, 0);
    duplicatesRow->addWidget(m_duplicatesText, 1);
    duplicatesRow->addWidget(queueAgain);
    duplicatesRow->addWidget(skip);
    m_duplicates->hide();
    connect(queueAgain, &QPushButton::clicked, this, [this] {
        m_duplicates->hide();
        m_uploader->queueDuplicates();
    });
    connect(skip, &QPushButton::clicked, this, [this] {
        m_duplicates->hide();
        m_uploader->skipDuplicates();
    });
    connect(m_uploader, &FileUploader::duplicatesFound, this, &UploadPanel::askAboutDuplicates);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(addFiles);
    buttons->addWidget(addFolder);
    buttons->addWidget(paste);
    buttons->addStretch();
    buttons->addWidget(m_clear);
    auto *progress = new QHBoxLayout;
    progress->addWidget(m_progress, 1);
    progress->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_dropZone);
    layout->addLayout(buttons);
    layout->addWidget(m_duplicates);
    layout->addWidget(m_view, 1);
    layout->addLayout(progress);
    layout->addWidget(m_summary);

    connect(m_dropZone, &DropZone::dropped, this, &UploadPanel::addFromMime);
    connect(addFiles, &QPushButton::clicked, this, &UploadPanel::addFiles);
    connect(addFolder, &QPushButton::clicked, this, &UploadPanel::addFolder);
    connect(paste, &QPushButton::clicked, this, &UploadPanel::paste);
    auto *pasteShortcut = new QShortcut(QKeySequence::Paste, this, this, &UploadPanel::paste);
    pasteShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    pasteShortcut->setWhatsThis(tr("Upload the images on the clipboard"));
    pasteShortcut->setProperty("shortcutGroup", tr("Submit page"));
    connect(m_cancel, &QPushButton::clicked, m_uploader, &FileUploader::cancel);
    connect(m_clear, &QPushButton::clicked, m_model, &UploadListModel::clearFinished);
    connect(m_uploader, &FileUploader::progressChanged, this, &UploadPanel::updateSummary);
    connect(m_uploader, &FileUploader::allFinished, this, &UploadPanel::allFinished);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString id = index.data(UploadListModel::MessageIdRole).toString();
        if (!id.isEmpty())
            emit openMessageRequested(id);
    });
    updateSummary(0, 0);
}

void UploadPanel::setTarget(const QString &queue, const QString &userId)
{
    m_uploader->setTarget(queue, userId);
}

void UploadPanel::addPaths(const QStringList &paths)
{
    m_uploader->addPaths(paths);
}

bool UploadPanel::addFromMime(const QMimeData *mime)
{
    const QStringList files = DropZone::localFiles(mime);
    if (!files.isEmpty()) {
        addPaths(files);
        return true;
    }
    if (mime && mime->hasImage()) {
        // Pasted pixels have no file: they go up as a PNG, encoded here because the
        // image already is in memory and small enough to have been on the clipboard.
        const auto image = qvariant_cast<QImage>(mime->imageData());
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        if (image.isNull() || !image.save(&buffer, "PNG"))
            return false;
        m_uploader->addData(tr("pasted-%1.png").arg(++m_pasted), png);
        return true;
    }
    return false;
}

void UploadPanel::addFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add images"), startDirectory(),
        tr("Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp "
           "*.tif *.tiff *.ico);;All files (*)"));
    if (files.isEmpty())
        return;
    QSettings().setValue(kLastDirKey, QFileInfo(files.constFirst()).absolutePath());
    addPaths(files);
}

void UploadPanel::addFolder()
{
    const QString dir
        = QFileDialog::getExistingDirectory(this, tr("Add a folder of images"), startDirectory());
    if (dir.isEmpty())
        return;
    QSettings().setValue(kLastDirKey, dir);
    addPaths({ dir });
}

void UploadPanel::paste()
{
    addFromMime(QApplication::clipboard()->mimeData());
}

void UploadPanel::askAboutDuplicates(int count)
{
    m_duplicatesText->setText(count == 1
            ? tr("1 picture was uploaded before (the same contents). Queue it as a new job anyway?")
            : tr("%1 pictures were uploaded before (the same contents). Queue them as new jobs anyway?")
                  .arg(count));
    m_duplicates->show();
}

void UploadPanel::updateSummary(int finished, int total)
{
    m_progress->setRange(0, std::max(1, total));
    m_progress->setValue(finished);
    // Nothing to count yet: no "0 of 1" beside "No files yet".
    m_progress->setFormat(total > 0 ? tr("%v of %m") : QString());
    m_cancel->setEnabled(m_uploader->isBusy());
    m_clear->setEnabled(m_model->finalCount() > 0);
    if (total == 0) {
        m_summary->setText(tr("No files yet."));
        return;
    }
    QStringList parts;
    const auto part = [&](UploadState state) {
        if (const int n = m_model->countInState(state))
            parts.append(QStringLiteral("%1 %2").arg(n).arg(uploadStateName(state)));
    };
    for (UploadState s : { UploadState::Checking, UploadState::Uploading, UploadState::Duplicate,
             UploadState::Queued, UploadState::Processing, UploadState::Retrying, UploadState::Done,
             UploadState::Failed, UploadState::Refused, UploadState::Cancelled })
        part(s);
    m_summary->setText(
        tr("%1 of %2 finished: %3").arg(finished).arg(total).arg(parts.join(QStringLiteral(", "))));
}

} // namespace qd
