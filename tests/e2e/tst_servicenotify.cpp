#include <QDir>
#include <QFile>
#include <QMultiHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

// The service manager's end of sd_notify: a unix datagram socket the runtime is pointed at
// through NOTIFY_SOCKET, as systemd does for a Type=notify unit.
class NotifySocket {
public:
    // name: a file path, or "@name" for the abstract namespace.
    explicit NotifySocket(const QByteArray &name)
        : m_name(name)
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un address = {};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
        if (name.startsWith('@'))
            address.sun_path[0] = '\0';
        const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(name.size()));
        if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), length) != 0)
            qFatal("cannot bind the notify socket %s", name.constData());
        m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    }
    ~NotifySocket()
    {
        m_notifier.reset();
        ::close(m_fd);
    }
    QByteArray name() const { return m_name; }
    QSocketNotifier *notifier() const { return m_notifier.get(); }

    // Every datagram waiting, one state line each ("READY=1", "STATUS=…").
    QList<QByteArray> readLines()
    {
        QList<QByteArray> lines;
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                break;
            for (const QByteArray &line : QByteArray(buffer, int(n)).split('\n')) {
                if (!line.isEmpty())
                    lines.append(line);
            }
        }
        return lines;
    }

private:
    QByteArray m_name;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
};

// What queuedeck.service says about how to start the runtime: its [Service] settings, and
// ExecStart= expanded as systemd would for a state directory under `stateRoot` (%S) with
// QUEUEDECK_OPTIONS set to `options`, as a drop-in sets it.
struct ServiceUnit {
    QMultiHash<QString, QString> service;
    QStringList command;
};

ServiceUnit readServiceUnit(const QString &stateRoot, const QString &options)
{
    ServiceUnit unit;
    QFile file(QStringLiteral(QUEUEDECK_SERVICE_UNIT));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return unit;
    QString section;
    for (const QString &raw : QString::fromUtf8(file.readAll()).split(u'\n')) {
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        if (line.startsWith(u'[')) {
            section = line;
            continue;
        }
        const qsizetype equals = line.indexOf(u'=');
        if (section == QLatin1String("[Service]") && equals > 0)
            unit.service.insert(line.left(equals), line.mid(equals + 1));
    }
    // systemd splits "$VAR" into words and keeps "${VAR}" one word; %S is /var/lib.
    for (const QString &word :
        unit.service.value(QStringLiteral("ExecStart")).split(u' ', Qt::SkipEmptyParts)) {
        if (word == QLatin1String("$QUEUEDECK_OPTIONS"))
            unit.command += options.split(u' ', Qt::SkipEmptyParts);
        else
            unit.command += QString(word).replace(QLatin1String("%S"), stateRoot);
    }
    return unit;
}

class TstServiceNotify : public QObject {
    Q_OBJECT
private slots:
    void notifiesLikeATypeNotifyService_data()
    {
        QTest::addColumn<bool>("abstract");
        QTest::addRow("socket file") << false;
        QTest::addRow("abstract socket") << true;
    }

    // The unit is one the test below can follow: notify type, a watchdog, the state directory
    // as the data directory, options from a drop-in.
    void unitIsTypeNotifyWithAWatchdog()
    {
        const ServiceUnit unit = readServiceUnit(QStringLiteral("/var/lib"), QString());
        QCOMPARE(unit.service.value(QStringLiteral("Type")), QStringLiteral("notify"));
        QCOMPARE(unit.service.value(QStringLiteral("NotifyAccess")), QStringLiteral("main"));
        QVERIFY(!unit.service.value(QStringLiteral("WatchdogSec")).isEmpty());
        QCOMPARE(unit.service.value(QStringLiteral("StateDirectory")), QStringLiteral("queuedeck"));
        QCOMPARE(unit.command,
            QStringList({ QStringLiteral("/usr/bin/queuedeck"), QStringLiteral("--headless"),
                QStringLiteral("--data-dir"), QStringLiteral("/var/lib/queuedeck") }));
    }

    // Started the way queuedeck.service starts it (its ExecStart=, a state directory, options
    // from a drop-in, NOTIFY_SOCKET and WATCHDOG_USEC as systemd sets them): READY=1 comes
    // once the port accepts connections (probed the moment it arrives), WATCHDOG=1 keeps
    // coming at half of WATCHDOG_USEC, and SIGTERM brings STOPPING=1 and a clean exit.
    void notifiesLikeATypeNotifyService()
    {
        QFETCH(bool, abstract);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray name = abstract
            ? "@queuedeck-test-" + QByteArray::number(QRandomGenerator::global()->generate64(), 16)
            : QFile::encodeName(dir.filePath(QStringLiteral("notify")));
        NotifySocket socket(name);

        // systemd makes the state directory before it starts the service.
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("queuedeck")));
        // Port 0: the unit's default 8787 may be taken on a machine running tests.
        ServiceUnit unit = readServiceUnit(dir.path(), QStringLiteral("--port 0"));
        QVERIFY(unit.command.size() > 1);
        QCOMPARE(unit.command.first(), QStringLiteral("/usr/bin/queuedeck"));
        unit.command.first() = QStringLiteral(QUEUEDECK_BINARY);

        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("NOTIFY_SOCKET"), QString::fromUtf8(name));
        // The unit's WatchdogSec is 30 s; a short one shows the pings without a long wait.
        environment.insert(QStringLiteral("WATCHDOG_USEC"), QStringLiteral("400000"));
        environment.insert(QStringLiteral("STATE_DIRECTORY"), dir.filePath(QStringLiteral("queuedeck")));
        process.setProcessEnvironment(environment);
        process.setProgram(unit.command.takeFirst());
        process.setArguments(unit.command);

        QList<QByteArray> states;
        bool ready = false;
        bool listeningAtReady = false;
        QByteArray output;
        connect(socket.notifier(), &QSocketNotifier::activated, this, [&] {
            const QList<QByteArray> lines = socket.readLines();
            states += lines;
            if (ready || !lines.contains("READY=1"))
                return;
            ready = true;
            // The endpoint line is printed before READY=1 is sent; read it and connect now.
            static const QRegularExpression endpoint(QStringLiteral("listening on (http://\\S+/)"));
            QRegularExpressionMatch match;
            for (int i = 0; i < 50 && !match.hasMatch(); ++i) {
                process.waitForReadyRead(100);
                output += process.readAllStandardOutput();
                match = endpoint.match(QString::fromUtf8(output));
            }
            if (!match.hasMatch())
                return;
            const QUrl url(match.captured(1));
            QTcpSocket probe;
            probe.connectToHost(url.host(), quint16(url.port()));
            listeningAtReady = probe.waitForConnected(5000);
        });

        process.start();
        QVERIFY(process.waitForStarted(10000));
        QTRY_VERIFY_WITH_TIMEOUT(ready, 20000);
        QVERIFY2(listeningAtReady, output.constData());
        QVERIFY(states.contains("READY=1"));
        QVERIFY(std::any_of(states.cbegin(), states.cend(),
            [](const QByteArray &line) { return line.startsWith("STATUS=Listening on http://127.0.0.1:"); }));
        // Pings every 200 ms; three in a row shows they keep coming.
        QTRY_VERIFY_WITH_TIMEOUT(states.count("WATCHDOG=1") >= 3, 20000);
        QVERIFY(!states.contains("STOPPING=1"));

        process.terminate();
        QTRY_VERIFY_WITH_TIMEOUT(states.contains("STOPPING=1"), 20000);
        // The event loop QTRY spins may already have reaped it, so wait on the state.
        QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 20000);
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(states.indexOf("STOPPING=1") > states.indexOf("READY=1"));
        // The store went where the unit's state directory is.
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("queuedeck/queuedeck.db"))));
    }
};

QTEST_GUILESS_MAIN(TstServiceNotify)
#include "tst_servicenotify.moc"
