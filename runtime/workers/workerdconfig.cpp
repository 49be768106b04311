#include "workerdconfig.h"

#include <QJsonDocument>
#include <QStringList>

namespace qd {

QByteArray capnpString(const QString &text)
{
    QByteArray out = "\"";
    for (const char c : text.toUtf8()) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += "\\x" + QByteArray::number(static_cast<unsigned char>(c), 16).rightJustified(2, '0');
        } else {
            out += c;
        }
    }
    return out + '"';
}

namespace {

QByteArray external(
    const QString &name, const WorkerdLayout &layout, const QString &workerName, const QString &queue)
{
    QByteArray headers = "(name = \"X-QueueDeck-Secret\", value = " + capnpString(layout.secret)
        + "), (name = \"X-QueueDeck-Worker\", value = " + capnpString(workerName) + ")";
    if (!queue.isEmpty())
        headers += ", (name = \"X-QueueDeck-Queue\", value = " + capnpString(queue) + ")";
    return "    (name = " + capnpString(name) + ", external = (address = \"127.0.0.1:"
        + QByteArray::number(layout.hostPort) + "\", http = (injectRequestHeaders = [" + headers + "]))),\n";
}

} // namespace

QByteArray workerdConfig(const WorkerProject &project, const WorkerdLayout &layout)
{
    QByteArrayList bindings;
    for (auto it = project.vars.begin(); it != project.vars.end(); ++it) {
        // Strings are text bindings; anything else reaches the Worker as its JSON value.
        if (it.value().isString()) {
            bindings.append(
                "(name = " + capnpString(it.key()) + ", text = " + capnpString(it.value().toString()) + ")");
        } else {
            const QJsonDocument doc = QJsonDocument::fromVariant(QVariantList { it.value().toVariant() });
            QByteArray json = doc.toJson(QJsonDocument::Compact);
            json = json.mid(1, json.size() - 2); // the value without the array around it
            bindings.append("(name = " + capnpString(it.key())
                + ", json = " + capnpString(QString::fromUtf8(json)) + ")");
        }
    }
    QByteArray queueServices;
    for (std::size_t i = 0; i < project.producers.size(); ++i) {
        const QString service = QStringLiteral("queue-%1").arg(i);
        bindings.append("(name = " + capnpString(project.producers[i].binding)
            + ", queue = " + capnpString(service) + ")");
        queueServices += external(service, layout, project.name, project.producers[i].queue);
    }
    bindings.append("(name = \"__QUEUEDECK\", service = \"queuedeck\")");

    QStringList flags = project.compatibilityFlags;
    // The bundle's front module keeps each queue() call's console lines apart with
    // AsyncLocalStorage; nodejs_compat brings it too.
    if (!flags.contains(QLatin1String("nodejs_compat")) && !flags.contains(QLatin1String("nodejs_als")))
        flags.append(QStringLiteral("nodejs_als"));
    QByteArrayList flagTexts;
    for (const QString &flag : flags)
        flagTexts.append(capnpString(flag));

    QByteArray out = "# Written by QueueDeck for the Worker project "
        + project.configPath.simplified().toUtf8()
        + "; rewritten on every start.\n"
          "using Workerd = import \"/workerd/workerd.capnp\";\n"
          "const config :Workerd.Config = (\n"
          "  services = [\n"
          "    (name = \"worker\", worker = (\n"
          "      modules = [(name = \"worker.mjs\", esModule = embed "
        + capnpString(layout.bundleFile)
        + ")],\n"
          "      compatibilityDate = "
        + capnpString(project.compatibilityDate) + ",\n      compatibilityFlags = [" + flagTexts.join(", ")
        + "],\n      bindings = [" + bindings.join(",\n        ")
        + "],\n      globalOutbound = \"outbound\")),\n"
          // As under `wrangler dev`, the Worker's fetch() may reach this machine (a local
          // image server, QueueDeck's own blobs) besides the internet; not the private
          // networks around it (docs/workers.md, "Network").
          "    (name = \"outbound\", network = (allow = [\"public\", \"local\"], "
          "tlsOptions = (trustBrowserCas = true))),\n"
          "    (name = \"bridge\", worker = (\n"
          "      modules = [(name = \"bridge.mjs\", esModule = embed "
        + capnpString(layout.bridgeFile)
        + ")],\n"
          "      compatibilityDate = \"2024-09-23\",\n"
          "      compatibilityFlags = [\"service_binding_extra_handlers\"],\n"
          "      bindings = [(name = \"TARGET\", service = \"worker\"), (name = \"SECRET\", text = "
        + capnpString(layout.secret) + ")])),\n" + queueServices
        + external(QStringLiteral("queuedeck"), layout, project.name, {})
        + "  ],\n"
          "  sockets = [\n"
          "    (name = \"http\", address = \"127.0.0.1:"
        + QByteArray::number(layout.fetchPort)
        + "\", http = (), service = \"worker\"),\n"
          "    (name = \"bridge\", address = \"127.0.0.1:"
        + QByteArray::number(layout.bridgePort)
        + "\", http = (), service = \"bridge\"),\n"
          "  ]\n"
          ");\n";
    return out;
}

} // namespace qd
