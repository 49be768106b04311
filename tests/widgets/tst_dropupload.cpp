#include "dropzone.h"
#include "fileuploader.h"
#include "submitpage.h"
#include "testruntime.h"
#include "uploadlistmodel.h"
#include "uploadpanel.h"

#include <QClipboard>
#include <QDir>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTreeView>
#include <QUrl>

using namespace qd;
using namespace qdtest;

// Files dropped on the Submit page end as processed images: checked, uploaded into the
// blob store, queued, and decoded by the real image consumer.
class TstDropUpload : public QObject {
    Q_OBJECT

    static constexpr qint64 kLimit = 512 * 1024;
    std::unique_ptr<TestRuntime> m_runtime;
    QTemporaryDir m_files;

    // What a file manager's drag carries, delivered the way the window system delivers it.
    static void drop(QWidget *target, const QStringList &paths)
    {
        QMimeData mime;
        QList<QUrl> urls;
        for (const QString &p : paths)
            urls.append(QUrl::fromLocalFile(p));
        mime.setUrls(urls);
        const QPoint at = target->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent dropEvent(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &dropEvent);
        QVERIFY(dropEvent.isAccepted());
    }

    static int rowNamed(const UploadListModel *model, const QString &name)
    {
        for (int i = 0; i < model->rowCount(); ++i) {
            if (model->row(i).name == name)
                return i;
        }
        return -1;
    }

private slots:
    void initTestCase()
    {
        isolateSettings();
        m_runtime = std::make_unique<TestRuntime>(kLimit);
    }

    void cleanupTestCase() { m_runtime.reset(); }

    void threeImagesAndATextFile()
    {
        const QString dir = m_files.filePath(QStringLiteral("drop1"));
        QDir().mkpath(dir);
        const QStringList paths { writeImage(dir + QStringLiteral("/red.png"), picture(120, 80, 1), "PNG"),
            writeImage(dir + QStringLiteral("/green.jpg"), picture(64, 64, 2), "JPEG"),
            writeImage(dir + QStringLiteral("/blue.bmp"), picture(33, 21, 3), "BMP"),
            writeFile(dir + QStringLiteral("/notes.txt"), "just some words, no pixels\n") };

        SubmitPage page(m_runtime->get());
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const UploadListModel *model = page.uploads()->model();
        QSignalSpy finished(&page, &SubmitPage::uploadsFinished);
        drop(page.uploads()->dropZone(), paths);

        QTRY_COMPARE(model->rowCount(), 4);
        const int text = rowNamed(model, QStringLiteral("notes.txt"));
        QVERIFY(text >= 0);
        QTRY_COMPARE(model->row(text).state, UploadState::Refused);
        QCOMPARE(model->row(text).detail, QStringLiteral("not an image Qt can read (text/plain)"));
        QVERIFY(model->row(text).messageId.isEmpty());
        QVERIFY(model->data(model->index(text, UploadListModel::Status))
                    .toString()
                    .contains(QLatin1String("refused")));

        // Each image is listed with a thumbnail and ends done, as the consumer answers.
        for (const QString &name :
            { QStringLiteral("red.png"), QStringLiteral("green.jpg"), QStringLiteral("blue.bmp") }) {
            const int row = rowNamed(model, name);
            QVERIFY2(row >= 0, qPrintable(name));
            QTRY_VERIFY2_WITH_TIMEOUT(model->row(row).state == UploadState::Done,
                qPrintable(name + QLatin1String(": ") + uploadStateName(model->row(row).state)
                    + QLatin1String(" ") + model->row(row).detail),
                20000);
            QVERIFY(!model->row(row).thumbnail.isNull());
            QVERIFY(model->row(row).thumbnail.width() <= FileUploader::kThumbnailSize);
            QVERIFY(!model->row(row).messageId.isEmpty());
        }
        QCOMPARE(model->row(rowNamed(model, QStringLiteral("red.png"))).detail, QStringLiteral("120×80 PNG"));
        QCOMPARE(model->row(rowNamed(model, QStringLiteral("blue.bmp"))).detail, QStringLiteral("33×21 BMP"));
        QTRY_COMPARE(finished.size(), 1);
        auto *progress = page.findChild<QProgressBar *>(QStringLiteral("uploadProgress"));
        QCOMPARE(progress->value(), 4);
        QCOMPARE(progress->maximum(), 4);

        // Three jobs, each naming its file's blob, for the form's user.
        const std::vector<Message> queued = m_runtime->messages(QStringLiteral("images"));
        QCOMPARE(int(queued.size()), 3);
        QSet<QString> urls;
        for (const Message &m : queued) {
            const QJsonObject body = QJsonDocument::fromJson(m.body).object();
            QCOMPARE(body.value(QLatin1String("userId")).toString(), QStringLiteral("anonymous"));
            urls.insert(body.value(QLatin1String("imageUrl")).toString());
            QCOMPARE(m.state, MessageState::Acked);
        }
        for (int i = 0; i < 3; ++i) {
            QFile f(paths.at(i));
            QVERIFY(f.open(QIODevice::ReadOnly));
            // The blob by its hash, and the file's own name after the '#'.
            QVERIFY(urls.contains(m_runtime->get()->blobBaseUrl() + BlobStore::hashOf(f.readAll())
                + QLatin1Char('#') + QFileInfo(paths.at(i)).fileName()));
        }
    }

    void foldersAreWalkedAndBigFilesRefused()
    {
        const QString dir = m_files.filePath(QStringLiteral("drop2"));
        QDir().mkpath(dir + QStringLiteral("/a/b"));
        writeImage(dir + QStringLiteral("/one.png"), picture(20, 20, 4), "PNG");
        writeImage(dir + QStringLiteral("/a/two.png"), picture(30, 20, 5), "PNG");
        writeImage(dir + QStringLiteral("/a/b/three.jpg"), picture(40, 20, 6), "JPEG");
        // Random bytes make a PNG that does not compress below the limit.
        QImage noise(600, 400, QImage::Format_RGB32);
        for (int y = 0; y < noise.height(); ++y) {
            for (int x = 0; x < noise.width(); ++x)
                noise.setPixel(x, y, QRandomGenerator::global()->generate());
        }
        writeImage(dir + QStringLiteral("/a/big.png"), noise, "PNG");
        QVERIFY(QFileInfo(dir + QStringLiteral("/a/big.png")).size() > kLimit);

        SubmitPage page(m_runtime->get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const UploadListModel *model = page.uploads()->model();
        QSignalSpy finished(&page, &SubmitPage::uploadsFinished);
        // Dropped anywhere on a window with the filter, not only on the zone.
        FileDropFilter filter(&page);
        connect(&filter, &FileDropFilter::dropped, &page, &SubmitPage::addFromMime);
        drop(&page, { dir });

        QTRY_COMPARE(model->rowCount(), 4);
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 1, 20000);
        QCOMPARE(model->countInState(UploadState::Done), 3);
        const int big = rowNamed(model, QStringLiteral("big.png"));
        QCOMPARE(model->row(big).state, UploadState::Refused);
        QVERIFY2(model->row(big).detail.endsWith(QLatin1String("; the limit is 512 KB")),
            qPrintable(model->row(big).detail));
    }

    void pastedPixelsAreUploaded()
    {
        SubmitPage page(m_runtime->get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const UploadListModel *model = page.uploads()->model();
        QApplication::clipboard()->setImage(picture(90, 60, 7));
        QPushButton *paste = nullptr;
        for (QPushButton *b : page.findChildren<QPushButton *>()) {
            if (b->text() == QLatin1String("&Paste"))
                paste = b;
        }
        QVERIFY(paste);
        QTest::mouseClick(paste, Qt::LeftButton);
        QTRY_COMPARE(model->rowCount(), 1);
        QCOMPARE(model->row(0).name, QStringLiteral("pasted-1.png"));
        QTRY_COMPARE_WITH_TIMEOUT(model->row(0).state, UploadState::Done, 20000);
        QCOMPARE(model->row(0).detail, QStringLiteral("90×60 PNG"));
    }

    void cancelStopsWhatIsNotQueued()
    {
        const QString dir = m_files.filePath(QStringLiteral("drop3"));
        QDir().mkpath(dir);
        QStringList paths;
        for (int i = 0; i < 40; ++i)
            paths.append(writeImage(dir + QStringLiteral("/img%1.png").arg(i), picture(200, 150, i), "PNG"));
        SubmitPage page(m_runtime->get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const UploadListModel *model = page.uploads()->model();
        auto *cancel = page.findChild<QPushButton *>(QStringLiteral("cancelUploads"));
        const qint64 before = m_runtime->messageCount(QStringLiteral("images"));
        QSignalSpy finished(&page, &SubmitPage::uploadsFinished);
        // Cancel is clicked as soon as the first file has passed its check, while most wait.
        bool clicked = false;
        connect(model, &QAbstractItemModel::dataChanged, this, [&] {
            if (clicked || model->countInState(UploadState::Uploading) == 0)
                return;
            clicked = true;
            QMetaObject::invokeMethod(
                cancel, [cancel] { QTest::mouseClick(cancel, Qt::LeftButton); }, Qt::QueuedConnection);
        });
        page.addPaths(paths);
        QTRY_VERIFY(clicked);
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 1, 20000);
        const int cancelled = model->countInState(UploadState::Cancelled);
        const int done = model->countInState(UploadState::Done);
        QVERIFY2(cancelled >= 30, qPrintable(QString::number(cancelled)));
        QCOMPARE(cancelled + done, 40);
        // Exactly the files that were not cancelled became jobs.
        QCOMPARE(m_runtime->messageCount(QStringLiteral("images")), before + done);
        QVERIFY(!cancel->isEnabled());
    }

    // Before any file the progress bar says nothing (no "0 of 1"). The same picture dropped
    // again is called a duplicate and waits: Skip makes no job, Queue again makes one.
    void droppingTheSameFileAgainAsks()
    {
        const QString dir = m_files.filePath(QStringLiteral("drop4"));
        QDir().mkpath(dir);
        const QString path = writeImage(dir + QStringLiteral("/again.png"), picture(77, 55, 9), "PNG");
        SubmitPage page(m_runtime->get());
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *progress = page.findChild<QProgressBar *>(QStringLiteral("uploadProgress"));
        QCOMPARE(page.findChild<QLabel *>(QStringLiteral("uploadSummary"))->text(),
            QStringLiteral("No files yet."));
        QVERIFY2(progress->text().isEmpty(), qPrintable(progress->text()));

        const UploadListModel *model = page.uploads()->model();
        const qint64 before = m_runtime->messageCount(QStringLiteral("images"));
        drop(page.uploads()->dropZone(), { path });
        QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 1 && model->row(0).state == UploadState::Done, 20000);
        QCOMPARE(progress->text(), QStringLiteral("1 of 1"));
        QCOMPARE(m_runtime->messageCount(QStringLiteral("images")), before + 1);
        auto *bar = page.findChild<QWidget *>(QStringLiteral("duplicateBar"));
        QVERIFY(bar && !bar->isVisible());

        drop(page.uploads()->dropZone(), { path });
        QTRY_COMPARE(model->rowCount(), 2);
        QTRY_COMPARE(model->row(1).state, UploadState::Duplicate);
        QTRY_VERIFY(bar->isVisible());
        QVERIFY2(page.findChild<QLabel *>(QStringLiteral("duplicateText"))
                     ->text()
                     .contains(QLatin1String("uploaded before")),
            qPrintable(page.findChild<QLabel *>(QStringLiteral("duplicateText"))->text()));
        QVERIFY(model->data(model->index(1, UploadListModel::Status))
                    .toString()
                    .contains(QLatin1String("duplicate")));
        QCOMPARE(m_runtime->messageCount(QStringLiteral("images")), before + 1);
        QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("skipDuplicates")), Qt::LeftButton);
        QTRY_COMPARE(model->row(1).state, UploadState::Cancelled);
        QVERIFY(!bar->isVisible());
        QCOMPARE(m_runtime->messageCount(QStringLiteral("images")), before + 1);

        drop(page.uploads()->dropZone(), { path });
        QTRY_COMPARE(model->rowCount(), 3);
        QTRY_COMPARE(model->row(2).state, UploadState::Duplicate);
        QTRY_VERIFY(bar->isVisible());
        QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("queueDuplicates")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(model->row(2).state == UploadState::Done, 20000);
        QCOMPARE(m_runtime->messageCount(QStringLiteral("images")), before + 2);
    }
};

QTEST_MAIN(TstDropUpload)
#include "tst_dropupload.moc"
