#include "mainwindow.h"
#include "submitpage.h"
#include "testruntime.h"
#include "uploadlistmodel.h"
#include "uploadpanel.h"

#include <QDir>
#include <QDropEvent>
#include <QMimeData>
#include <QSignalSpy>
#include <QUrl>

using namespace qd;
using namespace qdtest;

// Files dropped on the window while another page shows go to the Submit page's uploads.
class TstWindowDrop : public QObject {
    Q_OBJECT

    std::unique_ptr<TestRuntime> m_runtime;
    QTemporaryDir m_files;

private slots:
    void initTestCase()
    {
        isolateSettings();
        m_runtime = std::make_unique<TestRuntime>();
    }

    void cleanupTestCase() { m_runtime.reset(); }

    void dropOnAnyPageUploads()
    {
        const QStringList paths { writeImage(
                                      m_files.filePath(QStringLiteral("a.png")), picture(50, 40, 1), "PNG"),
            writeImage(m_files.filePath(QStringLiteral("b.jpg")), picture(60, 30, 2), "JPEG") };
        MainWindow window(m_runtime->get());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPage(MainWindow::Queues);

        QMimeData mime;
        mime.setUrls({ QUrl::fromLocalFile(paths.at(0)), QUrl::fromLocalFile(paths.at(1)) });
        const QPoint at = window.rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QVERIFY(drop.isAccepted());

        QCOMPARE(window.currentPage(), MainWindow::Submit);
        const UploadListModel *model = window.submitPage()->uploads()->model();
        QTRY_COMPARE(model->rowCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(model->countInState(UploadState::Done), 2, 20000);

        // Text alone is not a drop the window takes.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent refused(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        refused.setAccepted(false);
        QApplication::sendEvent(&window, &refused);
        QVERIFY(!refused.isAccepted());
    }
};

QTEST_MAIN(TstWindowDrop)
#include "tst_windowdrop.moc"
