// Fuzzes request parsing and validation end to end: the HTTP head parser, then the whole
// router (producer, Cloudflare-compatible API, /api, uploads) over a real store.
#include "broker.h"
#include "httpapi.h"
#include "httpserver.h"
#include "sqlitestore.h"

#include <QCoreApplication>
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
    const qsizetype end = input.indexOf("\r\n\r\n");
    qd::RequestHead head;
    if (!qd::parseRequestHead(end < 0 ? input : input.left(end), &head).isEmpty())
        return 0;
    head.request.body = end < 0 ? QByteArray() : input.mid(end + 4, head.bodyLength);
    if (head.request.body.size() > target.api->bodyLimit(head.request))
        return 0;
    target.api->handle(head.request, qd::HttpResponder());
    QCoreApplication::processEvents(); // lets commits and deliveries run
    return 0;
}
