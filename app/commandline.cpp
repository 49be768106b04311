#include "commandline.h"

#include <QCommandLineParser>

namespace qd {

CommandLine parseCommandLine(const QStringList &arguments)
{
    CommandLine out;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("QueueDeck: a durable image-processing queue you can watch."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(
        QStringLiteral("headless"), QStringLiteral("Run the runtime without a window."));
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"), QStringLiteral("Where the store lives."), QStringLiteral("DIR"));
    const QCommandLineOption store(QStringLiteral("store"),
        QStringLiteral("A PostgreSQL database to share with other runtimes, as "
                       "postgresql://user[:password]@host[:port]/db[?schema=NAME] (default: the SQLite file "
                       "in the data directory; also QUEUEDECK_STORE)."),
        QStringLiteral("URL"));
    const QCommandLineOption nodeTimeout(QStringLiteral("node-timeout"),
        QStringLiteral("With a shared store: seconds without a heartbeat before other nodes take back this "
                       "one's batches (default 10)."),
        QStringLiteral("SECONDS"), QStringLiteral("10"));
    const QCommandLineOption bind(QStringLiteral("bind"),
        QStringLiteral("Address to listen on (default 127.0.0.1)."), QStringLiteral("ADDRESS"),
        QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"),
        QStringLiteral("Port to listen on (default 8787; 0 picks one)."), QStringLiteral("PORT"),
        QStringLiteral("8787"));
    const QCommandLineOption config(QStringLiteral("config"),
        QStringLiteral("A wrangler.toml or wrangler.jsonc to import."), QStringLiteral("FILE"));
    const QCommandLineOption token(QStringLiteral("token"),
        QStringLiteral("Require Authorization: Bearer TOKEN."), QStringLiteral("TOKEN"));
    const QCommandLineOption maxImage(QStringLiteral("max-image-mb"),
        QStringLiteral("Largest image to upload or fetch, in MB (default 25)."), QStringLiteral("MB"),
        QStringLiteral("25"));
    const QCommandLineOption fetchTimeout(QStringLiteral("fetch-timeout"),
        QStringLiteral("Seconds to connect and read one image (default 30)."), QStringLiteral("SECONDS"),
        QStringLiteral("30"));
    const QCommandLineOption allowFileUrls(QStringLiteral("allow-file-urls"),
        QStringLiteral("Let image jobs read local files through file:// URLs."));
    const QCommandLineOption allowPrivateUrls(QStringLiteral("allow-private-urls"),
        QStringLiteral("Let image jobs fetch from private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, "
                       "fc00::/7); loopback is allowed without it, link-local and cloud metadata never."));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Save the window as FILE and quit."), QStringLiteral("FILE"));
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption screenshotDelay(QStringLiteral("screenshot-delay"),
        QStringLiteral("Milliseconds before the screenshot."), QStringLiteral("MS"), QStringLiteral("2000"));
    screenshotDelay.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption screenshotPage(QStringLiteral("screenshot-page"),
        QStringLiteral("The page to show in the screenshot."), QStringLiteral("PAGE"));
    screenshotPage.setFlags(QCommandLineOption::HiddenFromHelp);
    // Feeds the drop path, so a script can show what dropping a folder does; with
    // --screenshot, the picture waits until every dropped file is processed.
    QCommandLineOption dropFiles(QStringLiteral("drop-files"),
        QStringLiteral("Drop these files on the window at start."), QStringLiteral("PATH"));
    dropFiles.setFlags(QCommandLineOption::HiddenFromHelp);
    // Every page at two screen sizes, light and dark, for the README and for review.
    QCommandLineOption screenshotAll(QStringLiteral("screenshot-all"),
        QStringLiteral("After the delay, save every page as DIR/<page>-<size>-<light|dark>.png and quit."),
        QStringLiteral("DIR"));
    screenshotAll.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("Colours: system, light or dark."),
        QStringLiteral("THEME"), QStringLiteral("system"));
    theme.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({ screenshotAll, theme });
    parser.addOptions(
        { headless, dataDir, store, nodeTimeout, bind, port, config, token, maxImage, fetchTimeout,
            allowFileUrls, allowPrivateUrls, screenshot, screenshotDelay, screenshotPage, dropFiles });
    parser.process(arguments);

    out.headless = parser.isSet(headless);
    out.runtime.dataDir = parser.value(dataDir);
    out.runtime.store
        = parser.isSet(store) ? parser.value(store) : qEnvironmentVariable("QUEUEDECK_STORE").trimmed();
    if (!out.runtime.store.isEmpty() && !isPostgresSpec(out.runtime.store))
        out.error = QStringLiteral("--store: expected postgresql://user@host:port/database, got %1")
                        .arg(displayStoreSpec(out.runtime.store));
    bool ok = false;
    const double nodeTimeoutSeconds = parser.value(nodeTimeout).toDouble(&ok);
    if (!ok || nodeTimeoutSeconds < 1 || nodeTimeoutSeconds > 3600)
        out.error
            = QStringLiteral("--node-timeout: seconds from 1 to 3600: %1").arg(parser.value(nodeTimeout));
    out.runtime.nodeTimeoutMs = int(nodeTimeoutSeconds * 1000);
    if (!out.runtime.bind.setAddress(parser.value(bind)))
        out.error = QStringLiteral("--bind: not an IP address: %1").arg(parser.value(bind));
    const uint p = parser.value(port).toUInt(&ok);
    if (!ok || p > 65535)
        out.error = QStringLiteral("--port: not a port number: %1").arg(parser.value(port));
    out.runtime.port = quint16(p);
    out.runtime.token = parser.value(token);
    const int maxImageMb = parser.value(maxImage).toInt(&ok);
    if (!ok || maxImageMb < 1 || maxImageMb > 256)
        out.error = QStringLiteral("--max-image-mb: a whole number of MB from 1 to 256: %1")
                        .arg(parser.value(maxImage));
    out.runtime.images.maxImageBytes = qint64(maxImageMb) * 1024 * 1024;
    const int timeoutSeconds = parser.value(fetchTimeout).toInt(&ok);
    if (!ok || timeoutSeconds < 1 || timeoutSeconds > 600)
        out.error
            = QStringLiteral("--fetch-timeout: seconds from 1 to 600: %1").arg(parser.value(fetchTimeout));
    out.runtime.images.fetchTimeoutMs = timeoutSeconds * 1000;
    out.runtime.images.allowFileUrls = parser.isSet(allowFileUrls);
    out.runtime.images.allowPrivateUrls = parser.isSet(allowPrivateUrls);
    out.config = parser.value(config);
    out.runtime.configFile = out.config;
    out.screenshot = parser.value(screenshot);
    out.screenshotDelayMs = parser.value(screenshotDelay).toInt();
    out.screenshotPage = parser.value(screenshotPage);
    out.dropFiles = parser.value(dropFiles);
    out.screenshotAll = parser.value(screenshotAll);
    out.theme = parser.value(theme);
    return out;
}

} // namespace qd
