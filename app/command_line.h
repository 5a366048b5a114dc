#pragma once
// torchlight's command line: [--headless] [--train] [--data-dir DIR] [--open-model FILE]
// [EXPERIMENT]. Parsed
// before any Q(Core)Application exists, because --headless (or no display) decides which
// application class to construct.

#include "base/result.h"

#include <QString>
#include <QStringList>

namespace tl::app {

struct CommandLine
{
    bool headless = false;
    bool train = false; // open the experiment and start training at once
    bool showHelp = false;
    QString dataDir;    // empty: RunStore::defaultDataDir()
    QString experiment; // empty: the bundled sample
    QString openModel;  // a model file to show in the Graph tab at start; empty: none
};

// arguments[0] is the program. Unknown options and extra positionals are errors naming them.
base::Result<CommandLine> parseCommandLine(const QStringList &arguments);

QString usageText();

// True when a GUI can be shown: DISPLAY or WAYLAND_DISPLAY is set, or QT_QPA_PLATFORM names a
// platform plugin explicitly (offscreen, vnc, ...).
bool hasDisplay();

} // namespace tl::app
