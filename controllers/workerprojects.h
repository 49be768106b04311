#pragma once

#include <QObject>
#include <QStringList>

namespace qd {

class Runtime;

// The Worker projects the user opened in the window (File → Open Worker Project…), kept in
// the settings and loaded again at the next start beside those from --worker. Paths are
// absolute, as the runtime keys its Workers, so one project is never loaded twice.
class WorkerProjects final : public QObject {
    Q_OBJECT
public:
    explicit WorkerProjects(Runtime *runtime, QObject *parent = nullptr);

    // Loads the project (a folder or its wrangler file) and remembers it.
    void open(const QString &path);
    // Stops remembering it; it runs on until QueueDeck quits.
    void forget(const QString &path);
    bool isRemembered(const QString &path) const;
    QStringList remembered() const;
    // Loads every remembered project the command line did not already name.
    void loadRemembered();

    static QString normalized(const QString &path);

signals:
    void rememberedChanged();

private:
    void save(const QStringList &paths);

    Runtime *m_runtime;
};

} // namespace qd
