// Fuzzes request parsing and validation end to end. An input whose first byte is below
// 0x80 is one request: the HTTP head parser, then the whole router (producer,
// Cloudflare-compatible API, /api, uploads) over a real store. An input whose first byte
// is 0x80 or above is a byte stream for the real server over a loopback connection: the
// rest of the input goes out as it is (pipelined requests, whatever they hold) or, when
// the first byte is 0xF0 | k, in pieces of 2^k bytes with the event loop run between
// them (slow heads and bodies, split anywhere).
#include "broker.h"
#include "httpapi.h"
#include "httpserver.h"
#include "sqlitestore.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <cstdint>
#include <memory>

namespace {

struct Target {
    Target()
    {
        static int argc = 1;
        static char name[] = "fuzz_requests";
        static char *argv[] = { name, nullptr };
        app = std::make_unique<QCoreApplication>(argc, argv);
        store = std::make_unique<qd::SqliteStore>(dir.filePath(QStringLiteral("fuzz.db")));
        QString error;
        if (!store->open(&error))
            qFatal("%s", qPrintable(error));
        broker = std::make_unique<qd::Broker>(store.get(), &clock);
        if (!broker->start(&error))
            qFatal("%s", qPrintable(error));
        qd::QueueSettings settings;
        settings.consumerType = qd::ConsumerType::HttpPull;
        broker->createQueue(QStringLiteral("images"), settings);
        api = std::make_unique<qd::HttpApi>(broker.get(), QStringLiteral("images"), QString());
        // Small bounds, so inputs of fuzzer size reach them.
        qd::HttpLimits limits = api->server().limits();
        limits.maxHeaderBytes = 2048;
        limits.maxUnsentBytes = 4096;
        limits.maxDiscardBytes = 512;
        limits.requestTimeoutMs = 20;
        api->server().setLimits(limits);
        if (!api->listen(QHostAddress::LocalHost, 0, &error))
            qFatal("%s", qPrintable(error));
    }

    void request(const QByteArray &input)
    {
        const qsizetype end = input.indexOf("\r\n\r\n");
        qd::RequestHead head;
        if (!qd::parseRequestHead(end < 0 ? input : input.left(end), &head).isEmpty())
            return;
        head.request.body = end < 0 ? QByteArray() : input.mid(end + 4, head.bodyLength);
        if (head.request.body.size() > api->bodyLimit(head.request))
            return;
        api->handle(head.request, qd::HttpResponder());
        QCoreApplication::processEvents(); // lets commits and deliveries run
    }

    // Sends the stream and reads the answers until the server has nothing under way (an
    // unfinished request ends at the short request timeout), then closes and waits until
    // the server has let go of the connection, so no input leaves work for the next.
    void stream(const QByteArray &bytes, qsizetype piece)
    {
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, api->port());
        if (!client.waitForConnected(2000))
            qFatal("cannot connect to the server under test");
        QObject::connect(&client, &QTcpSocket::readyRead, &client, [&client] { client.readAll(); });
        for (qsizetype at = 0; at < bytes.size() && client.state() == QAbstractSocket::ConnectedState;
             at += piece) {
            client.write(bytes.mid(at, piece));
            client.flush();
            QCoreApplication::processEvents();
        }
        QDeadlineTimer deadline(2000);
        int quiet = 0;
        while (quiet < 3 && !deadline.hasExpired() && client.state() == QAbstractSocket::ConnectedState) {
            QCoreApplication::processEvents(); // loopback data is there at once: no need to wait
            quiet = api->server().busyConnections() == 0 && client.bytesToWrite() == 0 ? quiet + 1 : 0;
        }
        client.disconnectFromHost();
        deadline.setRemainingTime(2000);
        while (api->server().connectionCount() > 0) {
            if (deadline.hasExpired())
                qFatal("the server kept a closed connection");
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        }
    }

    std::unique_ptr<QCoreApplication> app;
    QTemporaryDir dir;
    qd::SystemClock clock;
    std::unique_ptr<qd::SqliteStore> store;
    std::unique_ptr<qd::Broker> broker;
    std::unique_ptr<qd::HttpApi> api;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Target target;
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    if (input.isEmpty())
        return 0;
    const auto mode = static_cast<unsigned char>(input[0]);
    if (mode < 0x80)
        target.request(input);
    else if ((mode & 0xF0) == 0xF0)
        target.stream(input.mid(1), qsizetype(1) << (mode & 0x0F));
    else
        target.stream(input.mid(1), input.size());
    return 0;
}
