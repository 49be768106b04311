#pragma once

// Settings the widgets remember go to a folder of this test process only, empty at start,
// so test programs running side by side (and a _pg twin of the same binary) never read
// what another one wrote.

#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace qdtest {

inline void isolateSettings()
{
    static QTemporaryDir dir;
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
    QSettings().clear();
}

} // namespace qdtest
