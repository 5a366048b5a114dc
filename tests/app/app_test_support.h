#pragma once
// Helpers shared by the app tests: waiting on the event loop with a deadline, temporary data
// folders, and a short version of the sample experiment.

#include "app/experiment_file.h"
#include "app/main_window.h"
#include "app/worker_path.h"
#include "proto/spec_io.h"

#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QTemporaryDir>

#include <filesystem>
#include <functional>
#include <memory>

namespace tl::app::testing {

inline const char *const kFashionDir = "/usr/share/datasets/fashion-mnist";

// Processes events until condition holds or the deadline passes; returns the condition.
inline bool waitUntil(const std::function<bool()> &condition, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired()) {
            return false;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    return true;
}

inline bool hasFashionMnist()
{
    return std::filesystem::exists(std::filesystem::path(kFashionDir)
                                   / "train-images-idx3-ubyte.gz");
}

// The bundled sample cut down for a test: trainLimit/testLimit samples, `epochs` epochs, a
// train/loss point every 2 steps. Written as dir/name.pbtxt; returns its path.
inline QString writeShortSample(const QTemporaryDir &dir,
                                const QString &name,
                                std::uint64_t trainLimit,
                                std::uint64_t testLimit,
                                std::uint32_t epochs)
{
    base::Result<proto::ExperimentSpec> sample = loadExperiment(kSampleExperiment);
    REQUIRE(sample.ok());
    proto::ExperimentSpec spec = sample.value();
    spec.set_name(name.toStdString());
    spec.mutable_dataset()->set_train_limit(trainLimit);
    spec.mutable_dataset()->set_test_limit(testLimit);
    spec.mutable_train()->set_epochs(epochs);
    spec.mutable_train()->set_log_every_steps(2);
    spec.mutable_train()->set_threads(1); // the test machine is shared; keep the run light
    QString path = dir.filePath(name + QStringLiteral(".pbtxt"));
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(proto::toText(spec)));
    return path;
}

// A shown main window on `experiment`, with its store and runs under data/data and the worker
// built beside the tests; `openModel` as --open-model gives it.
inline std::unique_ptr<MainWindow>
openWindow(const QTemporaryDir &data, const QString &experiment, const QString &openModel = {})
{
    WindowOptions options;
    options.experiment = experiment;
    options.dataDir = data.filePath(QStringLiteral("data")).toStdString();
    options.workerPath = workerPath();
    options.openModel = openModel;
    auto window = std::make_unique<MainWindow>(std::move(options));
    window->show();
    return window;
}

} // namespace tl::app::testing
