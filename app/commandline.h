#pragma once

#include "logging.h"
#include "runtime.h"

#include <QStringList>

namespace qd {

struct CommandLine {
    RuntimeOptions runtime;
    bool headless = false;
    QString config;
    QString screenshot; // hidden: save a picture of the window and quit
    int screenshotDelayMs = 2000;
    QString screenshotPage; // hidden: the page to show in it (dashboard, submit, results, …)
    QString dropFiles; // hidden: files or a folder to drop on the window at start, as a person would
    LogOptions log;
    QString error; // set when the arguments are wrong
};

CommandLine parseCommandLine(const QStringList &arguments);

} // namespace qd
