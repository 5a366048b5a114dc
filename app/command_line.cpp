#include "app/command_line.h"

#include <QCommandLineParser>

namespace tl::app {

base::Result<CommandLine> parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption headless(QStringLiteral("headless"));
    const QCommandLineOption train(QStringLiteral("train"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"), QString(), QStringLiteral("DIR"));
    const QCommandLineOption openModel(QStringLiteral("open-model"), QString(),
                                       QStringLiteral("FILE"));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")});
    parser.addOptions({headless, train, dataDir, openModel, help});
    parser.addPositionalArgument(QStringLiteral("experiment"), QString());
    if (!parser.parse(arguments)) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               parser.errorText().toStdString() + ".", "command line");
    }
    if (parser.positionalArguments().size() > 1) {
        return base::makeError(
            base::ErrorCode::InvalidInput,
            "Only one experiment file can be given; got \""
                + parser.positionalArguments().join(QStringLiteral("\", \"")).toStdString() + "\".",
            "command line");
    }
    CommandLine line;
    line.headless = parser.isSet(headless);
    line.train = parser.isSet(train);
    line.showHelp = parser.isSet(help);
    line.dataDir = parser.value(dataDir);
    line.openModel = parser.value(openModel);
    if (!parser.positionalArguments().isEmpty()) {
        line.experiment = parser.positionalArguments().constFirst();
    }
    return line;
}

QString usageText()
{
    return QStringLiteral(
        "Usage: torchlight [--headless] [--train] [--data-dir DIR] [--open-model FILE]\n"
        "                  [EXPERIMENT.pbtxt]\n"
        "\n"
        "Opens EXPERIMENT (default: the bundled Fashion-MNIST MLP sample) in the workbench.\n"
        "\n"
        "  --headless       train EXPERIMENT in the terminal and exit: 0 when the run\n"
        "                   completed, 1 when it failed, 2 for a bad command line.\n"
        "                   Chosen automatically when there is no display.\n"
        "  --train          start training as soon as the experiment is open\n"
        "  --data-dir DIR   where the run store and run directories live\n"
        "                   (default: $XDG_DATA_HOME/torchlight)\n"
        "  --open-model FILE  show an .onnx or TorchScript .pt model in the Graph tab\n"
        "  -h, --help       show this text\n"
        "\n"
        "The worker is torchlight-worker next to this program, or $TL_WORKER.\n");
}

bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY")
           || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
           || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

} // namespace tl::app
