#pragma once

#include "theme.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace qd {

struct RuntimeOptions;

// What a person sets once and keeps (QSettings): the look, where the data lives, the port
// and token the server starts with, the dashboard's chart range and failure notifications.
// The data folder, port and token are read when QueueDeck starts (a command-line option
// wins over them), so the dialog says they wait for the next start.
struct Preferences {
    Theme theme = Theme::System;
    QString dataDir; // empty: the platform's application data folder
    int port = 8787;
    QString token;
    int chartRange = 0; // index into the dashboard's ranges
    bool notify = true;
    qint64 alertThreshold = 100;

    static Preferences load();
    void save() const;
};

// The data folder, port and token from Preferences, each unless `arguments` (the command
// line) names it: a command-line option always wins.
void applyPreferences(RuntimeOptions *options, const QStringList &arguments);

class PreferencesDialog final : public QDialog {
    Q_OBJECT
public:
    PreferencesDialog(const Preferences &current, const QStringList &chartRanges, QWidget *parent = nullptr);

    Preferences preferences() const;

private:
    QComboBox *m_theme;
    QLineEdit *m_dataDir;
    QSpinBox *m_port;
    QLineEdit *m_token;
    QComboBox *m_chartRange;
    QCheckBox *m_notify;
    QSpinBox *m_threshold;
};

} // namespace qd
