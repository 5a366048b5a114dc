#include "app_test_support.h"

#include <catch2/catch.hpp>

#include <QProcess>
#include <QSignalSpy>

using namespace tl::app::testing;

namespace {

struct Finished
{
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs the torchlight executable to its end, the event loop turning meanwhile.
Finished runTorchlight(const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TL_WORKER"), QStringLiteral(TL_WORKER_PATH));
    process.setProcessEnvironment(env);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(QStringLiteral(TL_APP_PATH), arguments);
    REQUIRE(waitUntil([&] { return finished.count() == 1; }, timeoutMs));
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

TEST_CASE("Headless mode trains the experiment in the terminal and exits 0 with the accuracy",
          "[app]")
{
    if (!hasFashionMnist()) {
        WARN("skipped: " << kFashionDir << " is absent (install dataset-fashion-mnist)");
        return;
    }
    QTemporaryDir data;
    const QString experiment = writeShortSample(data, QStringLiteral("headless"), 1000, 1000, 1);
    const Finished run = runTorchlight({QStringLiteral("--headless"), QStringLiteral("--data-dir"),
                                        data.filePath(QStringLiteral("data")), experiment},
                                       240'000);
    INFO("stdout: " << run.out.toStdString() << "\nstderr: " << run.err.toStdString());
    CHECK(run.exitCode == 0);
    // Not a tty: a line per epoch, then the result and where the run lives.
    CHECK(run.out.contains(QStringLiteral("epoch 1/1")));
    CHECK(run.out.contains(QStringLiteral("completed: test accuracy")));
    CHECK(run.out.contains(QStringLiteral("Run directory: ")
                           + data.filePath(QStringLiteral("data/runs/"))));
}

TEST_CASE("Headless mode exits non-zero and names the file when the experiment is unreadable",
          "[app]")
{
    QTemporaryDir data;
    const QString missing = data.filePath(QStringLiteral("missing.pbtxt"));
    const Finished run = runTorchlight({QStringLiteral("--headless"), QStringLiteral("--data-dir"),
                                        data.filePath(QStringLiteral("data")), missing},
                                       60'000);
    CHECK(run.exitCode != 0);
    CHECK(run.err.contains(missing));
}

TEST_CASE("A bad command line exits 2 with the usage", "[app]")
{
    const Finished run = runTorchlight({QStringLiteral("--no-such-flag")}, 60'000);
    CHECK(run.exitCode == 2);
    CHECK(run.err.contains(QStringLiteral("no-such-flag")));
    CHECK(run.err.contains(QStringLiteral("Usage: torchlight")));
}
