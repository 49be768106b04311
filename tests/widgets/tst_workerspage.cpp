// The Workers page over a real runtime running a real Worker project (bundled by the pinned
// esbuild, run by the pinned workerd), driven with clicks and keys.
#include "../imaging/httpclient.h"
#include "../workerproject.h"
#include "isolatedsettings.h"
#include "mainwindow.h"
#include "runtime.h"
#include "workerlistmodel.h"
#include "workerlogmodel.h"
#include "workerprojects.h"
#include "workerspage.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace qd;
using qdtest::HttpClient;
using qdtest::writeWorkerProject;

namespace {

constexpr const char *kSource = R"ts(
interface Env { JOBS: Queue<unknown>; }
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname;
    console.log(`hello from fetch ${path}`);
    return new Response("hi");
  },
};
)ts";

constexpr const char *kWrangler = R"(name = "hello-worker"
main = "src/index.ts"
compatibility_date = "2024-09-23"

[[queues.producers]]
binding = "JOBS"
queue = "hello-jobs"
)";

// The closing brace of fetch() is missing: esbuild stops at the comma on line 4.
constexpr const char *kBrokenSource = R"ts(export default {
  async fetch(request: Request): Promise<Response> {
    return new Response("never");
  ,
};
)ts";

constexpr const char *kBrokenWrangler = R"(name = "broken-worker"
main = "src/index.ts"
compatibility_date = "2024-09-23"
)";

QStringList shownLines(const QListView *view)
{
    QStringList out;
    for (int row = 0; row < view->model()->rowCount(); ++row)
        out.append(view->model()->index(row, 0).data().toString());
    return out;
}

bool anyContains(const QStringList &lines, const QString &text)
{
    return std::any_of(lines.begin(), lines.end(), [&text](const QString &l) { return l.contains(text); });
}

void clickRow(QTableView *table, int row)
{
    const QRect rect = table->visualRect(table->model()->index(row, WorkerListModel::Name));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
}

} // namespace

class TstWorkersPage : public QObject {
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_project;
    QTemporaryDir m_broken;
    std::unique_ptr<Runtime> m_runtime;
    std::unique_ptr<MainWindow> m_window;
    HttpClient m_http;

    WorkersPage *page() const { return m_window->workersPage(); }
    QString cell(int row, int column) const
    {
        return page()->listModel()->index(row, column).data().toString();
    }
    int rowNamed(const QString &name) const
    {
        for (int row = 0; row < page()->listModel()->rowCount(); ++row) {
            if (cell(row, WorkerListModel::Name) == name)
                return row;
        }
        return -1;
    }
    QString stateOf(const QString &name) const
    {
        const int row = rowNamed(name);
        return row < 0 ? QString() : cell(row, WorkerListModel::State);
    }

private slots:
    void initTestCase()
    {
        qdtest::isolateSettings();
        QVERIFY(m_data.isValid() && m_project.isValid() && m_broken.isValid());
        writeWorkerProject(m_project.path(), kWrangler, kSource);
        writeWorkerProject(m_broken.path(), kBrokenWrangler, kBrokenSource);
        QString error;
        m_runtime = qdtest::startWorkerRuntime(m_data.path(), m_project.path(), &error);
        QVERIFY2(m_runtime, qPrintable(error));
        m_window = std::make_unique<MainWindow>(m_runtime.get());
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        // Ctrl+7, as the side list numbers its pages.
        QTest::keyClick(m_window.get(), Qt::Key_7, Qt::ControlModifier);
        QCOMPARE(m_window->currentPage(), MainWindow::Workers);
        QVERIFY(page()->isVisible());
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_runtime.reset();
    }

    void theWorkerRunsAndItsLogShowsWhatItPrints()
    {
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("hello-worker")), QStringLiteral("running"), 30000);
        const int row = rowNamed(QStringLiteral("hello-worker"));
        QCOMPARE(
            page()->listModel()->index(row, WorkerListModel::State).data(Qt::ForegroundRole).value<QColor>(),
            workerStateColor(WorkerState::Running));
        const QString url = cell(row, WorkerListModel::Url);
        QVERIFY2(url.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(url));
        QCOMPARE(cell(row, WorkerListModel::Produces), QStringLiteral("hello-jobs"));
        clickRow(page()->table(), row);
        QVERIFY(!page()->errorView()->isVisible());

        QCOMPARE(m_http.get(url + QStringLiteral("greet")).status, 200);
        QTRY_VERIFY(anyContains(shownLines(page()->logView()), QStringLiteral("hello from fetch /greet")));
        // Newest last, and the view followed it.
        QVERIFY(
            shownLines(page()->logView()).constLast().contains(QStringLiteral("hello from fetch /greet")));

        page()->copyUrlButton()->click();
        QCOMPARE(QGuiApplication::clipboard()->text(), url);
    }

    void theFilterHidesLinesThatDoNotMatch()
    {
        const QString url = cell(rowNamed(QStringLiteral("hello-worker")), WorkerListModel::Url);
        QCOMPARE(m_http.get(url + QStringLiteral("alpha")).status, 200);
        QCOMPARE(m_http.get(url + QStringLiteral("beta")).status, 200);
        QTRY_VERIFY(anyContains(shownLines(page()->logView()), QStringLiteral("/beta")));
        QTest::mouseClick(page()->filterEdit(), Qt::LeftButton);
        QTest::keyClicks(page()->filterEdit(), QStringLiteral("ALPHA"));
        const QStringList shown = shownLines(page()->logView());
        QCOMPARE(shown.size(), 1);
        QVERIFY2(shown.at(0).contains(QStringLiteral("hello from fetch /alpha")), qPrintable(shown.at(0)));

        // Copy without a selection: every line the filter lets through.
        QTest::mouseClick(page()->copyLogButton(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), shown.at(0));

        page()->filterEdit()->clear();
        QVERIFY(anyContains(shownLines(page()->logView()), QStringLiteral("/beta")));
    }

    void copyTakesTheSelectedLines()
    {
        QListView *view = page()->logView();
        const QStringList all = shownLines(view);
        QVERIFY(all.size() >= 3);
        const int last = int(all.size()) - 1;
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
            view->visualRect(view->model()->index(last - 2, 0)).center());
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier,
            view->visualRect(view->model()->index(last, 0)).center());
        QTest::mouseClick(page()->copyLogButton(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), all.at(last - 2) + QLatin1Char('\n') + all.at(last));

        view->clearSelection();
        QTest::mouseClick(page()->copyLogButton(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), all.join(QLatin1Char('\n')));

        QTest::mouseClick(page()->clearLogButton(), Qt::LeftButton);
        QCOMPARE(view->model()->rowCount(), 0);
    }

    void reloadGoesThroughStartingBackToRunning()
    {
        const int row = rowNamed(QStringLiteral("hello-worker"));
        clickRow(page()->table(), row);
        QStringList seen;
        const QMetaObject::Connection watch = connect(page()->listModel(), &QAbstractItemModel::dataChanged,
            this, [this, &seen] { seen.append(stateOf(QStringLiteral("hello-worker"))); });
        QTest::mouseClick(page()->reloadButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains(QStringLiteral("starting")), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("hello-worker")), QStringLiteral("running"), 30000);
        disconnect(watch);
        QVERIFY(seen.indexOf(QStringLiteral("starting")) < seen.lastIndexOf(QStringLiteral("running")));
    }

    // Opened from File → Open Worker Project…: it shows (in error, with esbuild's file:line),
    // is remembered for the next start, and can be forgotten.
    void aBrokenProjectShowsItsErrorAndCanBeForgotten()
    {
        const QString config = m_broken.filePath(QStringLiteral("wrangler.toml"));
        QTimer::singleShot(0, this, [config] {
            for (QWidget *w : QApplication::topLevelWidgets()) {
                if (auto *dialog = qobject_cast<QFileDialog *>(w); dialog && dialog->isVisible()) {
                    dialog->selectFile(config);
                    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept is protected
                }
            }
        });
        page()->openAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("broken-worker")), QStringLiteral("error"), 30000);
        QCOMPARE(page()->listModel()->worker(rowNamed(QStringLiteral("broken-worker")))->path,
            WorkerProjects::normalized(config));
        QCOMPARE(QSettings().value(QStringLiteral("workers/projects")).toStringList(),
            QStringList { WorkerProjects::normalized(config) });

        clickRow(page()->table(), rowNamed(QStringLiteral("broken-worker")));
        QTRY_VERIFY(page()->errorView()->isVisible());
        const QString error = page()->errorView()->toPlainText();
        QVERIFY2(error.contains(QStringLiteral("src/index.ts:4:2")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("\n        ╵   ^")), qPrintable(error)); // the caret, in place
        QVERIFY(page()->errorView()->isReadOnly());
        QVERIFY(page()->errorView()->textInteractionFlags() & Qt::TextSelectableByMouse);

        // One from the command line is not remembered, so there is nothing to forget.
        clickRow(page()->table(), rowNamed(QStringLiteral("hello-worker")));
        QVERIFY(!page()->forgetButton()->isEnabled());
        clickRow(page()->table(), rowNamed(QStringLiteral("broken-worker")));
        QVERIFY(page()->forgetButton()->isEnabled());
        QTest::mouseClick(page()->forgetButton(), Qt::LeftButton);
        QCOMPARE(QSettings().value(QStringLiteral("workers/projects")).toStringList(), QStringList());
        QVERIFY(!page()->forgetButton()->isEnabled());
    }

    // The next start loads what was opened before, and once only when --worker names it too.
    void rememberedProjectsLoadAtTheNextStart()
    {
        const QString missing = m_data.filePath(QStringLiteral("no-such-project"));
        QSettings().setValue(QStringLiteral("workers/projects"),
            QStringList {
                WorkerProjects::normalized(m_project.path()), WorkerProjects::normalized(missing) });
        QTemporaryDir data;
        RuntimeOptions options;
        options.dataDir = data.path();
        options.port = 0;
        options.workers = { m_project.path() };
        Runtime runtime(options);
        QString error;
        QVERIFY2(runtime.start(&error), qPrintable(error));
        MainWindow window(&runtime);
        QTRY_COMPARE(runtime.workerList().size(), 2);
        QTRY_COMPARE(window.workersPage()->listModel()->rowCount(), 2);
        const int row = window.workersPage()->listModel()->rowOfPath(WorkerProjects::normalized(missing));
        QVERIFY(row >= 0);
        QTRY_COMPARE(window.workersPage()->listModel()->worker(row)->state, WorkerState::Error);
        QSettings().remove(QStringLiteral("workers/projects"));
    }
};

QTEST_MAIN(TstWorkersPage)
#include "tst_workerspage.moc"
