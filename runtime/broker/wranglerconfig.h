#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <vector>

namespace qd {

class Broker;

// What a wrangler.toml / wrangler.jsonc says about one queue: its settings as the keys
// of QueueSettings::applyJson (max_batch_size, max_batch_timeout_ms, ...).
struct WranglerQueue {
    QString name;
    QJsonObject settings;
    bool producer = false;
    bool consumer = false;
};

struct WranglerConfig {
    std::vector<WranglerQueue> queues; // file order; a queue named twice is merged
    QStringList warnings; // unknown keys and ignored values, each with its path
};

// Parsing is pure: the file's text in, queues and warnings out. A file that is not valid
// TOML / JSON(C) at all is an error (with its line); anything unexpected inside a valid
// file is a warning and is skipped.
bool parseWranglerToml(const QByteArray &text, WranglerConfig *out, QString *error);
bool parseWranglerJsonc(const QByteArray &text, WranglerConfig *out, QString *error);
// By extension: .toml is TOML, .json and .jsonc are JSON with comments.
bool parseWranglerFile(const QString &path, WranglerConfig *out, QString *error);
// The whole file as JSON (TOML tables as objects), for readers of more than its queues (a
// Worker project's name, main, vars...). Errors name the file and line as above.
bool readWranglerFile(const QString &path, QJsonObject *root, QString *error);
bool wranglerTomlRoot(const QByteArray &text, QJsonObject *root, QString *error);
bool wranglerJsoncRoot(const QByteArray &text, QJsonObject *root, QString *error);

// JSON with // and /* */ comments and trailing commas, as wrangler.jsonc allows, made
// into plain JSON. Comments become spaces, so offsets and line numbers stay the same.
QByteArray jsoncToJson(const QByteArray &in);

// The queues and settings of a parsed file, in the shape wrangler uses (also the way
// JSON is read): {"queues": {"producers": [...], "consumers": [...]}}.
WranglerConfig interpretWrangler(const QJsonObject &root);

struct WranglerImportReport {
    QString file;
    QStringList created;
    QStringList updated;
    QStringList warnings; // unknown keys, ignored values, settings out of range
    QString error; // the file could not be read or parsed; nothing was changed

    bool ok() const { return error.isEmpty(); }
    // One paragraph for a dialog or the console.
    QString summary() const;
};

// Creates and updates the queues as the file says (dead-letter queues are created when
// missing). Runs on the broker's thread; every change goes to the audit log.
WranglerImportReport applyWranglerConfig(
    Broker &broker, const WranglerConfig &config, const QString &file = {});
WranglerImportReport importWranglerFile(Broker &broker, const QString &path);

} // namespace qd

Q_DECLARE_METATYPE(qd::WranglerImportReport)
