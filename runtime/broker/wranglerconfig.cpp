#include "wranglerconfig.h"

#include "broker.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <sstream>

namespace qd {

namespace {

QJsonValue tomlToJson(const toml::node &node)
{
    if (const auto *table = node.as_table()) {
        QJsonObject o;
        for (const auto &[key, value] : *table)
            o.insert(QString::fromUtf8(key.str().data(), qsizetype(key.str().size())), tomlToJson(value));
        return o;
    }
    if (const auto *array = node.as_array()) {
        QJsonArray a;
        for (const toml::node &value : *array)
            a.append(tomlToJson(value));
        return a;
    }
    if (const auto *s = node.as_string())
        return QString::fromStdString(s->get());
    if (const auto *i = node.as_integer())
        return double(i->get());
    if (const auto *f = node.as_floating_point())
        return f->get();
    if (const auto *b = node.as_boolean())
        return b->get();
    // Dates and times mean nothing for queues; keep their text so a warning can show it.
    std::ostringstream text;
    node.visit([&text](const auto &value) { text << value; });
    return QString::fromStdString(text.str());
}

int lineOfOffset(const QByteArray &text, qsizetype offset)
{
    return int(text.left(offset).count('\n')) + 1;
}

struct KeyRule {
    const char *key; // in the wrangler file
    const char *setting; // QueueSettings::applyJson key; nullptr: read elsewhere
    double scale; // wrangler's unit to the setting's (seconds to ms)
};

// A number the setting can hold, or a warning. Fractions are refused except where the
// unit changes (max_batch_timeout = 0.5 s is 500 ms).
bool readNumber(const QJsonValue &v, double scale, qint64 *out, QString *why)
{
    if (!v.isDouble()) {
        *why = QStringLiteral("must be a number");
        return false;
    }
    const double scaled = v.toDouble() * scale;
    if (scaled != std::floor(scaled) || std::abs(scaled) > 2e9) {
        *why = QStringLiteral("must be a whole number%1")
                   .arg(scale != 1 ? QStringLiteral(" of ms") : QString());
        return false;
    }
    *out = qint64(scaled);
    return true;
}

void readEntries(const QJsonValue &section, const QString &path, bool consumers, WranglerConfig *config)
{
    static const KeyRule producerRules[] = {
        { "queue", nullptr, 1 },
        { "binding", nullptr, 1 },
        { "delivery_delay", "delivery_delay", 1 },
    };
    static const KeyRule consumerRules[] = {
        { "queue", nullptr, 1 },
        { "max_batch_size", "max_batch_size", 1 },
        { "max_batch_timeout", "max_batch_timeout_ms", 1000 },
        { "max_retries", "max_retries", 1 },
        { "retry_delay", "retry_delay", 1 },
        { "max_concurrency", "max_concurrency", 1 },
        { "dead_letter_queue", nullptr, 1 },
        { "type", nullptr, 1 },
        { "visibility_timeout_ms", "visibility_timeout_ms", 1 },
    };
    if (section.isUndefined())
        return;
    if (!section.isArray()) {
        config->warnings.append(QStringLiteral("%1: must be a list of tables, ignored").arg(path));
        return;
    }
    const QJsonArray entries = section.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QString at = QStringLiteral("%1[%2]").arg(path).arg(i);
        const QJsonObject entry = entries.at(i).toObject();
        const QString name = entry.value(QLatin1String("queue")).toString();
        if (name.isEmpty()) {
            config->warnings.append(QStringLiteral("%1: has no queue name, ignored").arg(at));
            continue;
        }
        auto it = std::find_if(config->queues.begin(), config->queues.end(),
            [&](const WranglerQueue &q) { return q.name == name; });
        if (it == config->queues.end()) {
            config->queues.push_back(WranglerQueue { name, {}, false, false });
            it = config->queues.end() - 1;
        }
        (consumers ? it->consumer : it->producer) = true;
        for (auto key = entry.begin(); key != entry.end(); ++key) {
            const QString where = at + QLatin1Char('.') + key.key();
            const KeyRule *rule = nullptr;
            for (const KeyRule &r : consumers ? std::span<const KeyRule>(consumerRules)
                                              : std::span<const KeyRule>(producerRules)) {
                if (key.key() == QLatin1String(r.key))
                    rule = &r;
            }
            if (!rule) {
                config->warnings.append(QStringLiteral("%1: unknown key, ignored").arg(where));
                continue;
            }
            const QString k = QLatin1String(rule->key);
            if (k == QLatin1String("queue") || k == QLatin1String("binding"))
                continue;
            if (k == QLatin1String("dead_letter_queue")) {
                if (key.value().isString())
                    it->settings.insert(QLatin1String("dead_letter_queue"), key.value());
                else
                    config->warnings.append(QStringLiteral("%1: must be a queue name, ignored").arg(where));
                continue;
            }
            if (k == QLatin1String("type")) {
                const QString type = key.value().toString();
                if (type == QLatin1String("http_pull"))
                    it->settings.insert(
                        QLatin1String("consumer_type"), consumerTypeName(ConsumerType::HttpPull));
                else if (type != QLatin1String("worker"))
                    config->warnings.append(
                        QStringLiteral("%1: consumer type \"%2\" is not known (worker or http_pull), ignored")
                            .arg(where, type));
                continue;
            }
            qint64 value = 0;
            QString why;
            if (!readNumber(key.value(), rule->scale, &value, &why)) {
                config->warnings.append(QStringLiteral("%1: %2, ignored").arg(where, why));
                continue;
            }
            it->settings.insert(QLatin1String(rule->setting), double(value));
        }
    }
}

} // namespace

QByteArray jsoncToJson(const QByteArray &in)
{
    QByteArray out = in;
    enum { Code, String, Line, Block } mode = Code;
    // Pass 1: comments to spaces (newlines kept).
    for (qsizetype i = 0; i < out.size(); ++i) {
        const char c = out[i];
        const char next = i + 1 < out.size() ? out[i + 1] : '\0';
        switch (mode) {
        case Code:
            if (c == '"') {
                mode = String;
            } else if (c == '/' && next == '/') {
                mode = Line;
                out[i] = out[i + 1] = ' ';
                ++i;
            } else if (c == '/' && next == '*') {
                mode = Block;
                out[i] = out[i + 1] = ' ';
                ++i;
            }
            break;
        case String:
            if (c == '\\')
                ++i;
            else if (c == '"')
                mode = Code;
            break;
        case Line:
            if (c == '\n')
                mode = Code;
            else
                out[i] = ' ';
            break;
        case Block:
            if (c == '*' && next == '/') {
                out[i] = out[i + 1] = ' ';
                ++i;
                mode = Code;
            } else if (c != '\n') {
                out[i] = ' ';
            }
            break;
        }
    }
    // Pass 2: a comma followed only by blanks before } or ] goes.
    bool inString = false;
    for (qsizetype i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == ',') {
            qsizetype j = i + 1;
            while (j < out.size() && QByteArrayView(" \t\r\n").contains(out[j]))
                ++j;
            if (j < out.size() && (out[j] == '}' || out[j] == ']'))
                out[i] = ' ';
        }
    }
    return out;
}

WranglerConfig interpretWrangler(const QJsonObject &root)
{
    WranglerConfig config;
    const QJsonValue queues = root.value(QLatin1String("queues"));
    if (!queues.isUndefined() && !queues.isObject()) {
        config.warnings.append(QStringLiteral("queues: must be a table, ignored"));
    } else {
        const QJsonObject q = queues.toObject();
        for (auto it = q.begin(); it != q.end(); ++it) {
            if (it.key() != QLatin1String("producers") && it.key() != QLatin1String("consumers"))
                config.warnings.append(QStringLiteral("queues.%1: unknown key, ignored").arg(it.key()));
        }
        readEntries(q.value(QLatin1String("producers")), QStringLiteral("queues.producers"), false, &config);
        readEntries(q.value(QLatin1String("consumers")), QStringLiteral("queues.consumers"), true, &config);
    }
    const QJsonObject envs = root.value(QLatin1String("env")).toObject();
    for (auto it = envs.begin(); it != envs.end(); ++it) {
        if (it.value().toObject().contains(QLatin1String("queues")))
            config.warnings.append(
                QStringLiteral("env.%1.queues: environments are not imported; only the top-level queues are")
                    .arg(it.key()));
    }
    if (config.queues.empty())
        config.warnings.append(QStringLiteral("the file declares no queues"));
    return config;
}

bool parseWranglerToml(const QByteArray &text, WranglerConfig *out, QString *error)
{
    QJsonObject root;
    if (!wranglerTomlRoot(text, &root, error))
        return false;
    *out = interpretWrangler(root);
    return true;
}

bool wranglerTomlRoot(const QByteArray &text, QJsonObject *root, QString *error)
{
    try {
        const toml::table table = toml::parse(std::string_view(text.constData(), std::size_t(text.size())));
        *root = tomlToJson(table).toObject();
        return true;
    } catch (const toml::parse_error &e) {
        *error = QStringLiteral("line %1, column %2: %3")
                     .arg(e.source().begin.line)
                     .arg(e.source().begin.column)
                     .arg(QString::fromUtf8(e.description().data(), qsizetype(e.description().size())));
        return false;
    }
}

bool parseWranglerJsonc(const QByteArray &text, WranglerConfig *out, QString *error)
{
    QJsonObject root;
    if (!wranglerJsoncRoot(text, &root, error))
        return false;
    *out = interpretWrangler(root);
    return true;
}

bool wranglerJsoncRoot(const QByteArray &text, QJsonObject *root, QString *error)
{
    QJsonParseError parseError;
    const QByteArray json = jsoncToJson(text);
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("line %1: %2")
                     .arg(lineOfOffset(json, parseError.offset))
                     .arg(parseError.errorString());
        return false;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("the top level must be an object");
        return false;
    }
    *root = doc.object();
    return true;
}

bool parseWranglerFile(const QString &path, WranglerConfig *out, QString *error)
{
    QJsonObject root;
    if (!readWranglerFile(path, &root, error))
        return false;
    *out = interpretWrangler(root);
    return true;
}

bool readWranglerFile(const QString &path, QJsonObject *root, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray text = file.readAll();
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool ok = suffix == QLatin1String("toml") ? wranglerTomlRoot(text, root, error)
                                                    : wranglerJsoncRoot(text, root, error);
    if (!ok)
        *error = QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(), *error);
    return ok;
}

QString WranglerImportReport::summary() const
{
    if (!error.isEmpty())
        return QStringLiteral("Nothing was imported: %1").arg(error);
    QStringList parts;
    parts.append(
        QStringLiteral("Imported %1.").arg(file.isEmpty() ? QStringLiteral("the configuration") : file));
    if (!created.isEmpty())
        parts.append(QStringLiteral("Created: %1.").arg(created.join(QLatin1String(", "))));
    if (!updated.isEmpty())
        parts.append(QStringLiteral("Updated: %1.").arg(updated.join(QLatin1String(", "))));
    if (created.isEmpty() && updated.isEmpty())
        parts.append(QStringLiteral("Nothing changed."));
    if (!warnings.isEmpty())
        parts.append(QStringLiteral("Warnings:\n- %1").arg(warnings.join(QLatin1String("\n- "))));
    return parts.join(QLatin1Char('\n'));
}

WranglerImportReport applyWranglerConfig(Broker &broker, const WranglerConfig &config, const QString &file)
{
    WranglerImportReport report;
    report.file = file;
    report.warnings = config.warnings;
    QSet<QString> before;
    for (const QueueRecord &q : broker.queues())
        before.insert(q.name);
    for (const WranglerQueue &wq : config.queues) {
        const auto existing = broker.queue(wq.name);
        QueueSettings settings = existing ? existing->settings : QueueSettings {};
        QString problem = settings.applyJson(wq.settings);
        if (problem.isEmpty())
            problem = settings.validate(wq.name);
        if (!problem.isEmpty()) {
            report.warnings.append(
                QStringLiteral("queue %1: %2; its settings were left as they were").arg(wq.name, problem));
            settings = existing ? existing->settings : QueueSettings {};
        }
        Error e;
        if (!existing)
            e = broker.createQueue(wq.name, settings);
        else if (existing->settings != settings)
            e = broker.updateQueue(wq.name, settings);
        else
            continue;
        if (e.isError()) {
            report.warnings.append(QStringLiteral("queue %1: %2").arg(wq.name, e.message));
            continue;
        }
        if (existing)
            report.updated.append(wq.name);
    }
    // Created ones include dead-letter queues the broker made on the way.
    for (const QueueRecord &q : broker.queues()) {
        if (!before.contains(q.name))
            report.created.append(q.name);
    }
    broker.audit(QStringLiteral("config_imported"), {},
        QJsonObject { { QStringLiteral("file"), file },
            { QStringLiteral("created"), QJsonArray::fromStringList(report.created) },
            { QStringLiteral("updated"), QJsonArray::fromStringList(report.updated) },
            { QStringLiteral("warnings"), QJsonArray::fromStringList(report.warnings) } });
    return report;
}

WranglerImportReport importWranglerFile(Broker &broker, const QString &path)
{
    WranglerConfig config;
    QString error;
    if (!parseWranglerFile(path, &config, &error)) {
        WranglerImportReport report;
        report.file = path;
        report.error = error;
        return report;
    }
    return applyWranglerConfig(broker, config, path);
}

} // namespace qd
