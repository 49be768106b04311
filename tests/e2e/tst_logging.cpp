#include "headlessprocess.h"
#include "logging.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace qd;

namespace {

// A wrangler file whose import the runtime reports at start: an info line, or a warning when
// the file holds keys QueueDeck does not know.
QString writeWrangler(const QTemporaryDir &dir, bool withUnknownKey)
{
    const QString path = dir.filePath(QStringLiteral("wrangler.toml"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write("name = \"logs\"\n\n[[queues.producers]]\nqueue = \"imported\"\nbinding = \"JOBS\"\n");
    if (withUnknownKey)
        f.write("shiny = true\n");
    return path;
}

struct Output {
    int exitCode = -1;
    QStringList out;
    QStringList err;
};

// Runs the headless runtime until it has said where it listens, then stops it with SIGTERM;
// every line of both streams is kept.
Output runHeadless(const QStringList &extra)
{
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(QUEUEDECK_BINARY),
        QStringList { QStringLiteral("--headless"), QStringLiteral("--data-dir"),
            dir.filePath(QStringLiteral("data")), QStringLiteral("--port"), QStringLiteral("0") }
            + extra);
    Output o;
    if (!p.waitForStarted(10000))
        return o;
    QByteArray out;
    for (int i = 0; i < 200 && !out.contains("listening on http://"); ++i) {
        p.waitForReadyRead(100);
        out += p.readAllStandardOutput();
    }
    // Never kill(0, …): that would signal this whole process group.
    if (p.state() == QProcess::Running && p.processId() > 0)
        ::kill(pid_t(p.processId()), SIGTERM);
    if (!p.waitForFinished(20000))
        return o;
    out += p.readAllStandardOutput();
    o.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.out = QString::fromUtf8(out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    o.err = QString::fromUtf8(p.readAllStandardError()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return o;
}

} // namespace

// The runtime's log: one line per event with a time and a level, as text or JSON lines, with
// a level filter; the formatting function driven directly, then the headless binary itself.
class TstLogging : public QObject {
    Q_OBJECT

private slots:
    void names()
    {
        LogFormat f = LogFormat::Text;
        QVERIFY(logFormatFromName(QStringLiteral("json"), &f));
        QCOMPARE(f, LogFormat::Json);
        QVERIFY(logFormatFromName(QStringLiteral("text"), &f));
        QCOMPARE(f, LogFormat::Text);
        QVERIFY(!logFormatFromName(QStringLiteral("xml"), &f));
        QtMsgType level = QtInfoMsg;
        QVERIFY(logLevelFromName(QStringLiteral("error"), &level));
        QCOMPARE(level, QtCriticalMsg);
        QVERIFY(logLevelFromName(QStringLiteral("debug"), &level));
        QCOMPARE(level, QtDebugMsg);
        QVERIFY(!logLevelFromName(QStringLiteral("loud"), &level));
    }

    void levels_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("minimum");
        QTest::addColumn<bool>("passes");
        QTest::newRow("debug at info") << int(QtDebugMsg) << int(QtInfoMsg) << false;
        QTest::newRow("info at info") << int(QtInfoMsg) << int(QtInfoMsg) << true;
        QTest::newRow("info at warning") << int(QtInfoMsg) << int(QtWarningMsg) << false;
        QTest::newRow("warning at info") << int(QtWarningMsg) << int(QtInfoMsg) << true;
        QTest::newRow("warning at error") << int(QtWarningMsg) << int(QtCriticalMsg) << false;
        QTest::newRow("error at error") << int(QtCriticalMsg) << int(QtCriticalMsg) << true;
        QTest::newRow("debug at debug") << int(QtDebugMsg) << int(QtDebugMsg) << true;
    }
    void levels()
    {
        QFETCH(int, type);
        QFETCH(int, minimum);
        QFETCH(bool, passes);
        QCOMPARE(logLevelPasses(QtMsgType(type), QtMsgType(minimum)), passes);
    }

    void textLine()
    {
        const qint64 t = QDateTime(QDate(2026, 12, 7), QTime(6, 45, 0, 123), Qt::UTC).toMSecsSinceEpoch();
        QCOMPARE(formatLogLine(LogFormat::Text, t, QtInfoMsg, "runtime",
                     QStringLiteral("listening on http://127.0.0.1:8787/")),
            QByteArray("2026-12-07T06:45:00.123Z info runtime: listening on http://127.0.0.1:8787/"));
        QCOMPARE(formatLogLine(LogFormat::Text, t, QtCriticalMsg, "default", QStringLiteral("two\nlines")),
            QByteArray("2026-12-07T06:45:00.123Z error queuedeck: two\\nlines"));
        QCOMPARE(formatLogLine(LogFormat::Text, t, QtWarningMsg, "qt.network", QStringLiteral("ü")),
            QByteArray("2026-12-07T06:45:00.123Z warning qt.network: \xc3\xbc"));
    }

    void jsonLine()
    {
        const qint64 t = QDateTime(QDate(2026, 12, 7), QTime(6, 45, 0, 123), Qt::UTC).toMSecsSinceEpoch();
        const QByteArray line = formatLogLine(
            LogFormat::Json, t, QtDebugMsg, "runtime", QStringLiteral("a \"quoted\"\nline\twith ü"));
        QVERIFY(!line.contains('\n'));
        QCOMPARE(line.left(6), QByteArray("{\"ts\":"));
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o,
            (QJsonObject { { QStringLiteral("ts"), QStringLiteral("2026-12-07T06:45:00.123Z") },
                { QStringLiteral("level"), QStringLiteral("debug") },
                { QStringLiteral("category"), QStringLiteral("runtime") },
                { QStringLiteral("msg"), QStringLiteral("a \"quoted\"\nline\twith ü") } }));
    }

    // Every line the headless runtime writes, on either stream, is one JSON object with the fields.
    void headlessJson()
    {
        QTemporaryDir dir;
        const Output o = runHeadless({ QStringLiteral("--log-format"), QStringLiteral("json"),
            QStringLiteral("--config"), writeWrangler(dir, false) });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(!o.err.isEmpty(), "the import is reported on stderr");
        QStringList messages;
        for (const QString &line : o.out + o.err) {
            QJsonParseError error;
            const QJsonObject j = QJsonDocument::fromJson(line.toUtf8(), &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(line));
            QVERIFY2(
                QDateTime::fromString(j.value(QLatin1String("ts")).toString(), Qt::ISODateWithMs).isValid(),
                qPrintable(line));
            QVERIFY2(j.value(QLatin1String("ts")).toString().endsWith(QLatin1Char('Z')), qPrintable(line));
            QVERIFY2(QStringList({ QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"),
                                     QStringLiteral("error") })
                         .contains(j.value(QLatin1String("level")).toString()),
                qPrintable(line));
            QVERIFY2(!j.value(QLatin1String("category")).toString().isEmpty(), qPrintable(line));
            QVERIFY2(j.value(QLatin1String("msg")).isString(), qPrintable(line));
            messages.append(j.value(QLatin1String("msg")).toString());
        }
        QVERIFY2(
            messages.contains(QStringLiteral("QueueDeck runtime stopped")), qPrintable(messages.join(u'|')));
        QVERIFY2(
            messages.value(0).startsWith(QLatin1String("QueueDeck runtime listening on http://127.0.0.1:")),
            qPrintable(messages.join(u'|')));
        QVERIFY2(std::any_of(messages.begin(), messages.end(),
                     [](const QString &m) { return m.startsWith(QLatin1String("Imported ")); }),
            qPrintable(messages.join(u'|')));
    }

    // The default: text lines with a time and a level; HeadlessProcess found "listening on" in one.
    void headlessText()
    {
        QTemporaryDir dir;
        const Output o = runHeadless({ QStringLiteral("--config"), writeWrangler(dir, true) });
        QCOMPARE(o.exitCode, 0);
        static const QRegularExpression line(QStringLiteral(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (debug|info|warning|error) [\\w.]+: "));
        for (const QString &l : o.out + o.err)
            QVERIFY2(line.match(l).hasMatch(), qPrintable(l));
        QVERIFY(
            o.out.value(0).contains(QLatin1String(" info runtime: QueueDeck runtime listening on http://")));
        QVERIFY(
            o.out.contains(QRegularExpression(QStringLiteral(".* info runtime: QueueDeck runtime stopped"))));
        // A file with keys it does not know is a warning, on one line however many it lists.
        QCOMPARE(o.err.size(), 1);
        QVERIFY2(o.err[0].contains(QLatin1String(" warning runtime: Imported ")), qPrintable(o.err[0]));
        QVERIFY2(o.err[0].contains(QLatin1String("shiny")), qPrintable(o.err[0]));
    }

    // --log-level error: the info lines are gone (the endpoint line stays on stdout: it is the
    // answer scripts wait for, not a diagnostic).
    void headlessLevel()
    {
        QTemporaryDir dir;
        const Output o = runHeadless(
            { QStringLiteral("--log-level"), QStringLiteral("error"), QStringLiteral("--log-format"),
                QStringLiteral("json"), QStringLiteral("--config"), writeWrangler(dir, true) });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.err.isEmpty(), qPrintable(o.err.join(u'\n')));
        const Output info = runHeadless({ QStringLiteral("--log-level"), QStringLiteral("info"),
            QStringLiteral("--config"), writeWrangler(dir, false) });
        QCOMPARE(info.err.size(), 1);
        QVERIFY2(info.err[0].contains(QLatin1String(" info runtime: Imported ")), qPrintable(info.err[0]));
    }

    void badOptionsAreRefused_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("format") << QStringList { QStringLiteral("--log-format"), QStringLiteral("xml") }
                                << QStringLiteral("--log-format: text or json, got xml");
        QTest::newRow("level") << QStringList { QStringLiteral("--log-level"), QStringLiteral("loud") }
                               << QStringLiteral("--log-level: debug, info, warning or error, got loud");
    }
    void badOptionsAreRefused()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QTemporaryDir dir;
        HeadlessProcess p(dir.path(), arguments);
        QVERIFY(p.runToEnd());
        QVERIFY(p.process().exitCode() != 0);
        const QString err = QString::fromUtf8(p.process().readAllStandardError());
        QVERIFY2(err.contains(message), qPrintable(err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("queuedeck.db"))));
    }
};

QTEST_GUILESS_MAIN(TstLogging)
#include "tst_logging.moc"
