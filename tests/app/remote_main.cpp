// The main of the app's remote tests: the loopback test bed (else every case exits 77,
// bed_skip.h) and a QApplication on the offscreen platform with settings in a temporary folder.
#define CATCH_CONFIG_RUNNER
#include "app/app_resources.h"
#include "tests/remote/bed_skip.h"

#include <catch2/catch.hpp>

#include <QApplication>
#include <QTemporaryDir>

int main(int argc, char **argv)
{
    if (tl::testing::skipWithoutBed(argc, argv)) {
        return 77;
    }
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("TorchlightTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tests_app_remote"));
    tl::app::initResources();
    return Catch::Session().run(argc, argv);
}
