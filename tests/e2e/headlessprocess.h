#pragma once

#include <QProcess>
#include <QRegularExpression>
#include <QTest>

// Starts `queuedeck --headless` on a free loopback port and learns its endpoint from the
// line it prints.
class HeadlessProcess {
public:
    explicit HeadlessProcess(const QString &dataDir, QStringList extra = {})
    {
        m_process.setProgram(QStringLiteral(QUEUEDECK_BINARY));
        m_process.setArguments(QStringList { QStringLiteral("--headless"), QStringLiteral("--data-dir"),
                                   dataDir, QStringLiteral("--port"), QStringLiteral("0") }
            + extra);
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
    }
    ~HeadlessProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    // The endpoint URL ("http://127.0.0.1:PORT/"), or empty when it did not come up.
    QString start()
    {
        m_process.start();
        if (!m_process.waitForStarted(10000))
            return {};
        static const QRegularExpression line(QStringLiteral("listening on (http://\\S+/)"));
        QByteArray out;
        for (int i = 0; i < 100; ++i) {
            m_process.waitForReadyRead(100);
            out += m_process.readAllStandardOutput();
            const auto m = line.match(QString::fromUtf8(out));
            if (m.hasMatch())
                return m.captured(1);
            if (m_process.state() == QProcess::NotRunning)
                break;
        }
        qWarning(
            "headless did not start: %s %s", out.constData(), m_process.readAllStandardError().constData());
        return {};
    }

    // Runs it to its end, for a start that should be refused: whether it ended (20 s at most).
    bool runToEnd()
    {
        m_process.start();
        return m_process.waitForStarted(10000) && m_process.waitForFinished(20000);
    }

    QProcess &process() { return m_process; }

private:
    QProcess m_process;
};
