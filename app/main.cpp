#include "commandline.h"
#include "ctl.h"
#include "imageconsumer.h"
#include "mainwindow.h"
#include "preferencesdialog.h"
#include "runtime.h"
#include "screenshottour.h"
#include "servicenotify.h"
#include "submitpage.h"
#include "theme.h"

#include <QApplication>
#include <QCoreApplication>
#include <QIcon>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalFd[2] = { -1, -1 };

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}

// SIGINT and SIGTERM end the event loop, so the runtime stops cleanly (commits, closes).
void quitOnSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFd[1], QSocketNotifier::Read, qApp);
    QObject::connect(notifier, &QSocketNotifier::activated, qApp, [] {
        char c;
        [[maybe_unused]] const auto n = ::read(g_signalFd[1], &c, 1);
        QCoreApplication::quit();
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

// Headless, and --help and --version too: those must work on a server with no display.
bool wantsHeadless(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        for (const char *noWindow : { "--headless", "--help", "-h", "--help-all", "--version", "-v" }) {
            if (qstrcmp(argv[i], noWindow) == 0)
                return true;
        }
    }
    return false;
}

// --screenshot-page: a page by its name in the side list; the dashboard otherwise.
qd::MainWindow::Page pageNamed(const QString &name)
{
    static const char *const names[]
        = { "dashboard", "submit", "messages", "failed", "results", "queues", "workers" };
    for (int i = 0; i < qd::MainWindow::PageCount; ++i) {
        if (name.compare(QLatin1String(names[i]), Qt::CaseInsensitive) == 0)
            return qd::MainWindow::Page(i);
    }
    return qd::MainWindow::Dashboard;
}

} // namespace

int main(int argc, char **argv)
{
    // `queuedeck ctl …` talks to a running runtime over HTTP: no window, no runtime of its own.
    if (argc > 1 && qstrcmp(argv[1], "ctl") == 0)
        return qd::ctl::main(argc, argv);
    std::unique_ptr<QCoreApplication> app;
    if (wantsHeadless(argc, argv))
        app = std::make_unique<QCoreApplication>(argc, argv);
    else {
        app = std::make_unique<QApplication>(argc, argv);
        // The desktop entry's name: a Wayland compositor finds the window's icon and menu
        // entry by it (the app id would otherwise be the binary's name). The icon is the one
        // the package puts in the hicolor theme; a build that is not installed has none.
        QGuiApplication::setDesktopFileName(QStringLiteral("io.queuedeck.QueueDeck"));
        QGuiApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.queuedeck.QueueDeck")));
    }
    QCoreApplication::setOrganizationName(QStringLiteral("QueueDeck"));
    QCoreApplication::setApplicationName(QStringLiteral("QueueDeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUEUEDECK_VERSION));

    const qd::CommandLine cli = qd::parseCommandLine(QCoreApplication::arguments());
    if (!cli.error.isEmpty()) {
        std::fprintf(stderr, "queuedeck: %s\n", qPrintable(cli.error));
        return 2;
    }
    qd::installLogHandler(cli.log);
    qRegisterMetaType<QList<qd::QueueSnapshot>>();
    qd::RuntimeOptions options = cli.runtime;
    if (!cli.headless) {
        qd::applyPreferences(&options, QCoreApplication::arguments());
        qd::applyTheme(qd::savedTheme());
    }
    options.imageConsumerFactory = qd::ImageConsumer::factory();
    qd::Runtime runtime(options);
    QString error;
    if (!runtime.start(&error)) {
        qCCritical(qd::lcRuntime, "%s", qPrintable(error));
        return 1;
    }
    quitOnSignals();
    // --config: what was imported, and what in the file was not understood.
    if (const qd::WranglerImportReport imported = runtime.startupImport(); !imported.file.isEmpty()) {
        if (imported.error.isEmpty() && imported.warnings.isEmpty())
            qCInfo(qd::lcRuntime, "%s", qPrintable(imported.summary()));
        else
            qCWarning(qd::lcRuntime, "%s", qPrintable(imported.summary()));
    }

    if (cli.headless) {
        // On stdout whatever --log-level says: scripts and tests wait for this line.
        qd::writeLogLine(stdout, QtInfoMsg, "runtime",
            QStringLiteral("QueueDeck runtime listening on %1 (data in %2)")
                .arg(runtime.endpoint(), runtime.options().dataDir));
        const qd::ServiceNotifier notifier(runtime.broker(), runtime.endpoint());
        QObject::connect(&runtime, &qd::Runtime::workerLog, app.get(), [](const qd::WorkerLogLine &line) {
            if (line.error)
                qCWarning(qd::lcWorker).noquote() << QStringLiteral("[%1] %2").arg(line.worker, line.text);
            else
                qCInfo(qd::lcWorker).noquote() << QStringLiteral("[%1] %2").arg(line.worker, line.text);
        });
        const int rc = QCoreApplication::exec();
        runtime.stop();
        qd::writeLogLine(stdout, QtInfoMsg, "runtime", QStringLiteral("QueueDeck runtime stopped"));
        return rc;
    }

    if (qd::Theme theme; qd::themeFromId(cli.theme, &theme))
        qd::applyTheme(theme);
    qd::MainWindow window(&runtime);
    window.show();
    if (!cli.screenshotAll.isEmpty()) {
        auto *tour = new qd::ScreenshotTour(&window, cli.screenshotAll, &window);
        QObject::connect(tour, &qd::ScreenshotTour::finished, &window,
            [](bool ok) { QCoreApplication::exit(ok ? 0 : 1); });
        tour->start(cli.screenshotDelayMs);
    }
    if (!cli.dropFiles.isEmpty()) {
        window.showPage(qd::MainWindow::Submit);
        window.submitPage()->addPaths({ cli.dropFiles });
    }
    if (!cli.screenshot.isEmpty()) {
        window.showPage(pageNamed(cli.screenshotPage));
        const auto shoot = [&window, &cli] {
            QTimer::singleShot(cli.screenshotDelayMs, &window, [&window, &cli] {
                const bool saved = window.grab().save(cli.screenshot);
                std::fprintf(
                    stderr, saved ? "saved %s\n" : "could not save %s\n", qPrintable(cli.screenshot));
                QCoreApplication::exit(saved ? 0 : 1);
            });
        };
        // After a drop, the picture waits until every dropped file has reached its end.
        if (!cli.dropFiles.isEmpty())
            QObject::connect(window.submitPage(), &qd::SubmitPage::uploadsFinished, &window, shoot,
                Qt::SingleShotConnection);
        else
            shoot();
    }
    const int rc = QCoreApplication::exec();
    runtime.stop();
    return rc;
}
