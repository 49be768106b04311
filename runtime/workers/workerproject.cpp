#include "workerproject.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

namespace qd {

QString findWorkerConfig(const QString &path, QString *error)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        *error = QStringLiteral("%1 does not exist").arg(path);
        return {};
    }
    if (info.isFile())
        return info.absoluteFilePath();
    const QDir dir(info.absoluteFilePath());
    for (const char *name : { "wrangler.toml", "wrangler.jsonc", "wrangler.json" }) {
        if (QFileInfo(dir.filePath(QLatin1String(name))).isFile())
            return dir.filePath(QLatin1String(name));
    }
    *error = QStringLiteral("%1 holds no wrangler.toml, wrangler.jsonc or wrangler.json").arg(path);
    return {};
}

namespace {

QString stringKey(const QJsonObject &root, const char *key, const QString &file, QString *error)
{
    const QJsonValue v = root.value(QLatin1String(key));
    if (v.isUndefined())
        return {};
    if (!v.isString()) {
        *error = QStringLiteral("%1: %2 must be a string").arg(file, QLatin1String(key));
        return {};
    }
    return v.toString();
}

} // namespace

bool loadWorkerProject(const QString &path, WorkerProject *out, QString *error)
{
    const QString config = findWorkerConfig(path, error);
    if (config.isEmpty())
        return false;
    QJsonObject root;
    if (!readWranglerFile(config, &root, error))
        return false;
    const QString file = QFileInfo(config).fileName();
    WorkerProject p;
    p.configPath = config;
    p.directory = QFileInfo(config).absolutePath();
    error->clear();
    p.name = stringKey(root, "name", file, error);
    const QString main = stringKey(root, "main", file, error);
    p.compatibilityDate = stringKey(root, "compatibility_date", file, error);
    if (!error->isEmpty())
        return false;
    if (p.name.isEmpty())
        p.name = QFileInfo(p.directory).fileName();
    // Worker names become workerd service names and log prefixes: keep them plain.
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"));
    if (!namePattern.match(p.name).hasMatch()) {
        *error = QStringLiteral("%1: name \"%2\" must be letters, digits, - and _ (at most 63)")
                     .arg(file, p.name);
        return false;
    }
    if (main.isEmpty()) {
        *error
            = QStringLiteral("%1: main is missing: name the Worker's entry module (main = \"src/index.ts\")")
                  .arg(file);
        return false;
    }
    p.mainPath = QDir(p.directory).absoluteFilePath(main);
    if (!QFileInfo(p.mainPath).isFile()) {
        *error = QStringLiteral("%1: main = \"%2\" does not exist (%3)").arg(file, main, p.mainPath);
        return false;
    }
    static const QRegularExpression datePattern(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
    if (p.compatibilityDate.isEmpty()) {
        p.compatibilityDate = QStringLiteral("2024-09-23");
        p.queues.warnings.append(
            QStringLiteral("compatibility_date is missing; %1 is used").arg(p.compatibilityDate));
    } else if (!datePattern.match(p.compatibilityDate).hasMatch()) {
        *error = QStringLiteral("%1: compatibility_date \"%2\" must be YYYY-MM-DD")
                     .arg(file, p.compatibilityDate);
        return false;
    }
    const QJsonValue flags = root.value(QLatin1String("compatibility_flags"));
    for (const QJsonValue flag : flags.toArray()) {
        if (!flag.isString()) {
            *error = QStringLiteral("%1: compatibility_flags must be a list of strings").arg(file);
            return false;
        }
        p.compatibilityFlags.append(flag.toString());
    }
    if (!flags.isUndefined() && !flags.isArray()) {
        *error = QStringLiteral("%1: compatibility_flags must be a list of strings").arg(file);
        return false;
    }
    const QJsonValue vars = root.value(QLatin1String("vars"));
    if (!vars.isUndefined() && !vars.isObject()) {
        *error = QStringLiteral("%1: vars must be a table").arg(file);
        return false;
    }
    p.vars = vars.toObject();

    p.queues = interpretWrangler(root);
    // interpretWrangler keeps settings only; the producer bindings are read here.
    const QJsonObject queues = root.value(QLatin1String("queues")).toObject();
    const QJsonArray producers = queues.value(QLatin1String("producers")).toArray();
    for (qsizetype i = 0; i < producers.size(); ++i) {
        const QJsonObject entry = producers.at(i).toObject();
        const QString binding = entry.value(QLatin1String("binding")).toString();
        const QString queue = entry.value(QLatin1String("queue")).toString();
        if (binding.isEmpty() || queue.isEmpty()) {
            *error = QStringLiteral("%1: queues.producers[%2] needs both binding and queue").arg(file).arg(i);
            return false;
        }
        p.producers.push_back({ binding, queue });
    }
    const QJsonArray consumers = queues.value(QLatin1String("consumers")).toArray();
    for (const QJsonValue entry : consumers) {
        const QJsonObject c = entry.toObject();
        const QString type = c.value(QLatin1String("type")).toString(QStringLiteral("worker"));
        const QString queue = c.value(QLatin1String("queue")).toString();
        if (type != QLatin1String("worker") || queue.isEmpty())
            continue;
        p.consumedQueues.append(queue);
        for (WranglerQueue &q : p.queues.queues) {
            if (q.name == queue)
                q.settings.insert(QLatin1String("consumer_type"), QStringLiteral("worker"));
        }
    }
    p.queues.warnings.removeAll(QStringLiteral("the file declares no queues"));
    *out = std::move(p);
    return true;
}

} // namespace qd
