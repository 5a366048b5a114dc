// torchlight: the workbench window, or with --headless (or no display) one training run in
// the terminal. The choice is made before any Q(Core)Application is constructed.

#include "app/app_resources.h"
#include "app/command_line.h"
#include "app/experiment_file.h"
#include "app/headless_run.h"
#include "app/main_window.h"
#include "app/worker_path.h"
#include "store/run_store.h"

#include <QApplication>
#include <QCoreApplication>
#include <QIcon>

#include <cstdio>

namespace {

using namespace tl;

constexpr int kUsageExit = 2;

void describeApplication()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Torchlight"));
    QCoreApplication::setApplicationName(QStringLiteral("torchlight"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TL_VERSION));
}

std::filesystem::path dataDirFor(const app::CommandLine &line)
{
    return line.dataDir.isEmpty() ? store::RunStore::defaultDataDir()
                                  : std::filesystem::path(line.dataDir.toStdString());
}

int runHeadless(int argc, char **argv, const app::CommandLine &line)
{
    QCoreApplication application(argc, argv);
    describeApplication();
    app::initResources();
    const QString path = line.experiment.isEmpty() ? app::kSampleExperiment : line.experiment;
    base::Result<proto::ExperimentSpec> spec = app::loadExperiment(path);
    if (!spec) {
        std::fprintf(stderr, "torchlight: %s\n", spec.error().describe().c_str());
        return 1;
    }
    app::HeadlessRun run(dataDirFor(line), app::workerPath(), stdout, stderr);
    QObject::connect(&run, &app::HeadlessRun::done, &application, &QCoreApplication::exit);
    run.start(spec.value());
    return QCoreApplication::exec();
}

int runWindow(int argc, char **argv, const app::CommandLine &line)
{
    QApplication application(argc, argv);
    describeApplication();
    app::initResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/torchlight.svg")));
    QGuiApplication::setDesktopFileName(QStringLiteral("torchlight"));
    app::WindowOptions options;
    options.experiment = line.experiment;
    options.dataDir = dataDirFor(line);
    options.workerPath = app::workerPath();
    options.trainAtOnce = line.train;
    options.openModel = line.openModel;
    app::MainWindow window(std::move(options));
    window.show();
    return QApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i) {
        arguments << QString::fromLocal8Bit(argv[i]);
    }
    base::Result<app::CommandLine> line = app::parseCommandLine(arguments);
    if (!line) {
        std::fprintf(stderr, "torchlight: %s\n\n%s", line.error().describe().c_str(),
                     app::usageText().toLocal8Bit().constData());
        return kUsageExit;
    }
    if (line.value().showHelp) {
        std::fputs(app::usageText().toLocal8Bit().constData(), stdout);
        return 0;
    }
    if (line.value().headless) {
        return runHeadless(argc, argv, line.value());
    }
    if (!app::hasDisplay()) {
        std::fputs("torchlight: no display (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are "
                   "unset), so the experiment is trained in the terminal.\n",
                   stderr);
        return runHeadless(argc, argv, line.value());
    }
    return runWindow(argc, argv, line.value());
}
