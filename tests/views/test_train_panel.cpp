#include "views/train_panel.h"

#include <catch2/catch.hpp>

#include <QPushButton>
#include <QSignalSpy>

using namespace tl;

TEST_CASE("The train panel round-trips its settings", "[views]")
{
    views::TrainPanel panel;
    views::TrainSettings in;
    in.optimizer = proto::OPTIMIZER_ADAM;
    in.learningRate = 0.001;
    in.batchSize = 128;
    in.epochs = 3;
    in.trainLimit = 5000;
    in.device = "cuda:1";
    panel.setSettings(in);
    const views::TrainSettings out = panel.settings();
    CHECK(out.optimizer == proto::OPTIMIZER_ADAM);
    CHECK(out.learningRate == Approx(0.001));
    CHECK(out.batchSize == 128);
    CHECK(out.epochs == 3);
    CHECK(out.trainLimit == 5000);
    CHECK(out.device == "cuda:1");
}

TEST_CASE("Probed devices replace the choices and keep the current one when listed", "[views]")
{
    views::TrainPanel panel;
    proto::DeviceList devices;
    auto *cpu = devices.add_devices();
    cpu->set_id("cpu");
    cpu->set_name("CPU (2 threads)");
    auto *gpu = devices.add_devices();
    gpu->set_id("cuda:0");
    gpu->set_name("NVIDIA H100");
    gpu->set_memory_bytes(std::uint64_t{80} << 30);
    panel.setDevices(devices);
    CHECK(panel.deviceCount() == 2);
    CHECK(panel.settings().device == "cpu");

    views::TrainSettings s = panel.settings();
    s.device = "cuda:0";
    panel.setSettings(s);
    panel.setDevices(devices);
    CHECK(panel.settings().device == "cuda:0");
}

TEST_CASE("While running, Train is disabled, Stop enabled and progress is shown", "[views]")
{
    views::TrainPanel panel;
    auto *train = panel.findChild<QPushButton *>(QStringLiteral("trainButton"));
    auto *stop = panel.findChild<QPushButton *>(QStringLiteral("stopButton"));
    REQUIRE(train);
    REQUIRE(stop);
    QSignalSpy stopped(&panel, &views::TrainPanel::stopClicked);
    CHECK(train->isEnabled());
    CHECK_FALSE(stop->isEnabled());

    panel.setRunning(true);
    CHECK_FALSE(train->isEnabled());
    stop->click();
    CHECK(stopped.count() == 1);

    proto::ProgressEvent progress;
    progress.set_epoch(1);
    progress.set_epochs(2);
    progress.set_step(300);
    progress.set_total_steps(1876);
    progress.set_loss(0.51234);
    progress.set_samples_per_second(12345.4);
    progress.set_eta_seconds(95);
    panel.showProgress(progress);
    const QString text = panel.progressText();
    CHECK(text.contains(QStringLiteral("epoch 1/2")));
    CHECK(text.contains(QStringLiteral("step 300/1876")));
    CHECK(text.contains(QStringLiteral("loss 0.5123")));
    CHECK(text.contains(QStringLiteral("12345 samples/s")));
    CHECK(text.contains(QStringLiteral("ETA 1:35")));
}

TEST_CASE("Durations read as minutes and seconds, or hours when long", "[views]")
{
    CHECK(views::TrainPanel::formatDuration(95) == QStringLiteral("1:35"));
    CHECK(views::TrainPanel::formatDuration(3725) == QStringLiteral("1:02:05"));
    CHECK(views::TrainPanel::formatDuration(-1) == QStringLiteral("–"));
}
