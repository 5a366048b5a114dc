#include "views/collapsible_section.h"
#include "views/exact_spin_box.h"
#include "views/schedule_fields.h"
#include "views/train_panel.h"

#include <catch2/catch.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>

#include <google/protobuf/util/message_differencer.h>

using namespace tl;

namespace {

// Every field of TrainConfig set to a value that is not its default, the kind a fixed number of
// decimals would round (3e-4, 1e-8, 0.95).
proto::TrainConfig everyFieldSet()
{
    proto::TrainConfig t;
    t.set_optimizer(proto::OPTIMIZER_ADAMW);
    t.set_learning_rate(3e-4);
    t.set_momentum(0.95);
    t.set_weight_decay(0.05);
    t.set_epochs(30);
    t.set_batch_size(256);
    t.set_seed(18'446'744'073'709'551'615ULL); // the largest uint64
    t.set_threads(6);
    t.set_log_every_steps(25);
    t.set_nesterov(true);
    t.set_beta1(0.85);
    t.set_beta2(0.9995);
    t.set_eps(1e-7);
    t.set_rmsprop_alpha(0.95);
    proto::LrSchedule &s = *t.mutable_schedule();
    s.set_kind(proto::LR_SCHEDULE_ONE_CYCLE);
    s.set_step_size(1500);
    s.set_gamma(0.5);
    s.add_milestones(3000);
    s.add_milestones(6000);
    s.set_warmup_steps(400);
    s.set_min_factor(0.01);
    s.set_pct_start(0.25);
    s.set_div_factor(20);
    s.set_final_div_factor(1e5);
    t.set_loss(proto::LOSS_CROSS_ENTROPY);
    t.set_label_smoothing(0.1);
    t.set_eval_every_steps(500);
    t.mutable_goal()->set_metric("val/accuracy");
    t.mutable_goal()->set_maximize(true);
    t.mutable_goal()->set_patience(5);
    t.mutable_goal()->set_min_delta(1e-4);
    t.set_checkpoint_every_steps(1000);
    t.set_keep_checkpoints(7);
    t.set_grad_clip_norm(1.5);
    t.set_grad_accumulation(4);
    t.set_precision(proto::PRECISION_BF16_AUTOCAST);
    t.set_plain_loop(true);
    t.set_resume_from("/runs/a b/checkpoints/best.pt");
    return t;
}

std::string differences(const proto::TrainConfig &expected, const proto::TrainConfig &actual)
{
    std::string report;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&report);
    differ.Compare(expected, actual);
    return report;
}

template<typename T>
T *child(QWidget &parent, const char *name)
{
    T *found = parent.findChild<T *>(QString::fromLatin1(name));
    REQUIRE(found);
    return found;
}

} // namespace

TEST_CASE("Every training setting survives config to panel to config unchanged", "[views]")
{
    views::TrainPanel panel;
    views::TrainSettings in;
    in.train = everyFieldSet();
    in.trainLimit = 5000;
    in.device = "cuda:1";
    panel.setSettings(in);
    const views::TrainSettings out = panel.settings();
    INFO(differences(in.train, out.train));
    CHECK(google::protobuf::util::MessageDifferencer::Equals(in.train, out.train));
    CHECK(out.trainLimit == 5000);
    CHECK(out.device == "cuda:1");
}

TEST_CASE("The protocol's zero defaults survive the panel as zeros", "[views]")
{
    views::TrainPanel panel;
    views::TrainSettings in;
    in.train.Clear();
    in.train.set_epochs(1);
    in.train.set_batch_size(64);
    in.train.set_grad_accumulation(1);
    in.train.set_optimizer(proto::OPTIMIZER_SGD);
    panel.setSettings(in);
    const views::TrainSettings out = panel.settings();
    INFO(differences(in.train, out.train));
    CHECK(google::protobuf::util::MessageDifferencer::Equals(in.train, out.train));
    // 0 reads as "default", not as a number the user could take for the real value.
    CHECK(child<views::ExactSpinBox>(panel, "trainBeta1")->text()
          == QStringLiteral("default (0.9)"));
    CHECK(child<QSpinBox>(panel, "trainPatience")->text() == QStringLiteral("off"));
}

TEST_CASE("A fresh panel offers SGD with momentum, a cosine schedule and no early stopping",
          "[views]")
{
    views::TrainPanel panel;
    const proto::TrainConfig t = panel.settings().train;
    CHECK(t.optimizer() == proto::OPTIMIZER_SGD);
    CHECK(t.learning_rate() == 0.01);
    CHECK(t.momentum() == 0.9);
    CHECK(t.schedule().kind() == proto::LR_SCHEDULE_COSINE);
    CHECK(t.batch_size() == 64);
    CHECK(t.epochs() == 10);
    CHECK(t.loss() == proto::LOSS_CROSS_ENTROPY);
    CHECK(t.goal().patience() == 0);
    CHECK(panel.settings().device == "cpu");
}

TEST_CASE("Only the fields of the chosen optimizer, schedule and loss are shown", "[views]")
{
    views::TrainPanel panel;
    auto *momentum = child<QWidget>(panel, "trainMomentum");
    auto *nesterov = child<QWidget>(panel, "trainNesterov");
    auto *beta1 = child<QWidget>(panel, "trainBeta1");
    auto *alpha = child<QWidget>(panel, "trainRmspropAlpha");
    CHECK_FALSE(momentum->isHidden());
    CHECK_FALSE(nesterov->isHidden());
    CHECK(beta1->isHidden());
    CHECK(alpha->isHidden());

    views::TrainSettings s = panel.settings();
    s.train.set_optimizer(proto::OPTIMIZER_ADAM);
    panel.setSettings(s);
    CHECK(momentum->isHidden());
    CHECK_FALSE(beta1->isHidden());
    s.train.set_optimizer(proto::OPTIMIZER_RMSPROP);
    panel.setSettings(s);
    CHECK_FALSE(momentum->isHidden());
    CHECK(nesterov->isHidden());
    CHECK_FALSE(alpha->isHidden());

    auto *warmup = child<QWidget>(panel, "trainWarmupSteps");
    auto *milestones = child<QWidget>(panel, "trainMilestones");
    CHECK(warmup->isHidden());
    s.train.mutable_schedule()->set_kind(proto::LR_SCHEDULE_WARMUP_COSINE);
    panel.setSettings(s);
    CHECK_FALSE(warmup->isHidden());
    CHECK(milestones->isHidden());

    auto *smoothing = child<QWidget>(panel, "trainLabelSmoothing");
    CHECK_FALSE(smoothing->isHidden());
    s.train.set_loss(proto::LOSS_MSE);
    panel.setSettings(s);
    CHECK(smoothing->isHidden());
}

TEST_CASE("Choosing Adam moves a default learning rate to Adam's but keeps a chosen one", "[views]")
{
    views::TrainPanel panel;
    auto *optimizer = child<QComboBox>(panel, "trainOptimizer");
    auto choose = [optimizer](const QString &name) {
        optimizer->setCurrentIndex(optimizer->findText(name));
        emit optimizer->activated(optimizer->currentIndex());
    };
    choose(QStringLiteral("Adam"));
    CHECK(panel.settings().train.learning_rate() == 0.001);
    choose(QStringLiteral("SGD"));
    CHECK(panel.settings().train.learning_rate() == 0.01);

    views::TrainSettings s = panel.settings();
    s.train.set_learning_rate(0.05);
    panel.setSettings(s);
    choose(QStringLiteral("AdamW"));
    CHECK(panel.settings().train.learning_rate() == 0.05);
}

TEST_CASE("BF16 and the plain loop are offered for CUDA devices only", "[views]")
{
    views::TrainPanel panel;
    proto::DeviceList devices;
    devices.add_devices()->set_id("cpu");
    devices.add_devices()->set_id("cuda:0");
    panel.setDevices(devices);
    auto *precision = child<QComboBox>(panel, "trainPrecision");
    auto *model = qobject_cast<QStandardItemModel *>(precision->model());
    REQUIRE(model);
    const int bf16 = precision->findData(static_cast<int>(proto::PRECISION_BF16_AUTOCAST));
    CHECK_FALSE(model->item(bf16)->isEnabled());
    CHECK_FALSE(child<QCheckBox>(panel, "trainPlainLoop")->isEnabled());

    views::TrainSettings s = panel.settings();
    s.device = "cuda:0";
    s.train.set_precision(proto::PRECISION_BF16_AUTOCAST);
    panel.setSettings(s);
    CHECK(model->item(bf16)->isEnabled());
    CHECK(child<QCheckBox>(panel, "trainPlainLoop")->isEnabled());

    // The user moving the run to the CPU drops bf16, which the CPU cannot run.
    auto *device = child<QComboBox>(panel, "trainDevice");
    device->setCurrentIndex(device->findData(QStringLiteral("cpu")));
    emit device->activated(device->currentIndex());
    CHECK(panel.settings().train.precision() == proto::PRECISION_FP32);
    CHECK_FALSE(model->item(bf16)->isEnabled());
}

TEST_CASE("Folded sections tell their settings in the header", "[views]")
{
    views::TrainPanel panel;
    const QList<views::CollapsibleSection *> sections = panel.form().sections();
    REQUIRE(sections.size() == 5);
    views::CollapsibleSection *schedule = sections[1];
    CHECK(schedule->isExpanded());
    CHECK(schedule->headerText() == QStringLiteral("Schedule"));
    schedule->setExpanded(false);
    CHECK(schedule->body()->isHidden());
    CHECK(schedule->headerText() == QStringLiteral("Schedule — cosine"));
    CHECK_FALSE(sections[2]->isExpanded());
    CHECK(sections[2]->headerText().contains(QStringLiteral("no early stop")));
    CHECK(sections[0]->isExpanded());
}

TEST_CASE("Milestones read as whole numbers separated by commas or spaces", "[views]")
{
    std::vector<std::uint64_t> steps;
    CHECK(views::ScheduleFields::parseMilestones(QStringLiteral("100, 200 300,"), steps));
    CHECK(steps == std::vector<std::uint64_t>{100, 200, 300});
    CHECK_FALSE(views::ScheduleFields::parseMilestones(QStringLiteral("1x, 5"), steps));
    CHECK(steps == std::vector<std::uint64_t>{5});
    CHECK(views::ScheduleFields::parseMilestones(QString(), steps));
    CHECK(steps.empty());
}

TEST_CASE("An exact spin box keeps the double it was given and reads scientific notation",
          "[views]")
{
    views::ExactSpinBox box;
    box.setRange(0, 1);
    box.setValue(1e-8);
    CHECK(box.value() == 1e-8);
    CHECK(box.text() == QStringLiteral("1e-08"));
    box.setValue(0.0003);
    CHECK(box.value() == 0.0003);
    CHECK(box.text() == QStringLiteral("0.0003"));
    CHECK(box.valueFromText(QStringLiteral("2.5e-3")) == 0.0025);
    QString typed = QStringLiteral("1e-");
    int pos = 3;
    CHECK(box.validate(typed, pos) == QValidator::Intermediate);
    typed = QStringLiteral("abc");
    CHECK(box.validate(typed, pos) == QValidator::Invalid);
    box.setStepFactor(10);
    box.setValue(0.001);
    box.stepBy(1);
    CHECK(box.value() == Approx(0.01));
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

TEST_CASE("While running, Train is disabled, Stop and Checkpoint enabled and progress is shown",
          "[views]")
{
    views::TrainPanel panel;
    auto *train = child<QPushButton>(panel, "trainButton");
    auto *stop = child<QPushButton>(panel, "stopButton");
    auto *checkpoint = child<QPushButton>(panel, "checkpointButton");
    QSignalSpy stopped(&panel, &views::TrainPanel::stopClicked);
    QSignalSpy checkpointed(&panel, &views::TrainPanel::checkpointClicked);
    CHECK(train->isEnabled());
    CHECK_FALSE(stop->isEnabled());
    CHECK_FALSE(checkpoint->isEnabled());
    auto *epochs = child<QSpinBox>(panel, "trainEpochs");
    auto *learningRate = child<QWidget>(panel, "trainLearningRate");
    CHECK(epochs->isEnabled());

    panel.setRunning(true);
    CHECK_FALSE(train->isEnabled());
    CHECK(panel.form().isLocked());
    CHECK_FALSE(epochs->isEnabled());
    CHECK_FALSE(learningRate->isEnabled());
    // The settings of the run can still be looked through.
    views::CollapsibleSection *schedule = panel.form().sections()[1];
    CHECK(schedule->isEnabled());
    schedule->setExpanded(false);
    checkpoint->click();
    CHECK(checkpointed.count() == 1);
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
