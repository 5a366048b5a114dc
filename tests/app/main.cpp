// The app tests' main: a QApplication on the offscreen platform with settings in a temporary
// folder, the worker taken from this build, then Catch2.
#define CATCH_CONFIG_RUNNER
#include "app/app_resources.h"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QTemporaryDir>

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("TL_WORKER", TL_WORKER_PATH);
    // QSettings (window state, recent datasets) must not touch the user's configuration.
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("TorchlightTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tests_app"));
    tl::app::initResources();
    return Catch::Session().run(argc, argv);
}
