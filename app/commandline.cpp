#include "commandline.h"

#include "accesspolicy.h"
#include "theme.h"

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
    const QCommandLineOption worker(QStringLiteral("worker"),
        QStringLiteral("Run the Cloudflare Worker project at PATH (a folder with wrangler.toml, .jsonc or "
                       ".json, or the file itself) in workerd, with its queues here; repeatable."),
        QStringLiteral("PATH"));
    const QCommandLineOption token(QStringLiteral("token"),
        QStringLiteral("Require Authorization: Bearer TOKEN."), QStringLiteral("TOKEN"));
    const QCommandLineOption allowHost(QStringLiteral("allow-host"),
        QStringLiteral("Also accept requests whose Host is NAME (any port), e.g. behind a proxy; repeatable. "
                       "Without a token only this server's own addresses and localhost are accepted."),
        QStringLiteral("NAME"));
    const QCommandLineOption allowOrigin(QStringLiteral("allow-origin"),
        QStringLiteral("Let web pages from ORIGIN (scheme://host[:port]) call the API; repeatable. Pages "
                       "of other origins are refused."),
        QStringLiteral("ORIGIN"));
    const QCommandLineOption insecureNoToken(QStringLiteral("insecure-no-token"),
        QStringLiteral("Listen on a non-loopback --bind address without --token (anyone who can reach it "
                       "can use the API)."));
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
    const QCommandLineOption logFormat(QStringLiteral("log-format"),
        QStringLiteral("Log lines as text (one line per event, with its level) or json (JSON lines)."),
        QStringLiteral("FORMAT"), QStringLiteral("text"));
    const QCommandLineOption logLevel(QStringLiteral("log-level"),
        QStringLiteral("The lowest level logged: debug, info, warning or error (default info)."),
        QStringLiteral("LEVEL"), QStringLiteral("info"));
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
    // For pictures of one page in one theme; the theme chosen in Preferences stays as it was.
    QCommandLineOption theme(QStringLiteral("theme"),
        QStringLiteral("Colours for this run: system, light or dark."), QStringLiteral("THEME"));
    theme.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({ screenshotAll, theme });
    parser.addOptions({ headless, dataDir, store, nodeTimeout, bind, port, config, worker, token, allowHost,
        allowOrigin, insecureNoToken, maxImage, fetchTimeout, allowFileUrls, allowPrivateUrls, screenshot,
        screenshotDelay, screenshotPage, dropFiles });
    parser.addOptions({ logFormat, logLevel });
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
    out.runtime.allowHosts = parser.values(allowHost);
    for (const QString &origin : parser.values(allowOrigin)) {
        if (normalizeOrigin(origin.toUtf8()).isEmpty())
            out.error
                = QStringLiteral("--allow-origin: expected scheme://host[:port], like http://localhost:3000, "
                                 "got %1")
                      .arg(origin);
    }
    out.runtime.allowOrigins = parser.values(allowOrigin);
    out.runtime.insecureNoToken = parser.isSet(insecureNoToken);
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
    out.runtime.workers = parser.values(worker);
    if (!logFormatFromName(parser.value(logFormat), &out.log.format))
        out.error = QStringLiteral("--log-format: text or json, got %1").arg(parser.value(logFormat));
    if (!logLevelFromName(parser.value(logLevel), &out.log.minimum))
        out.error = QStringLiteral("--log-level: debug, info, warning or error, got %1")
                        .arg(parser.value(logLevel));
    out.screenshot = parser.value(screenshot);
    out.screenshotDelayMs = parser.value(screenshotDelay).toInt();
    out.screenshotPage = parser.value(screenshotPage);
    out.dropFiles = parser.value(dropFiles);
    out.screenshotAll = parser.value(screenshotAll);
    out.theme = parser.value(theme);
    if (Theme unused; !out.theme.isEmpty() && !themeFromId(out.theme, &unused))
        out.error = QStringLiteral("--theme: system, light or dark, got %1").arg(out.theme);
    return out;
}

} // namespace qd
