#include "runners/trainer.h"

#include "runners/checkpoint.h"
#include "runners/control_channel.h"
#include "runners/event_sink.h"
#include "runners/graph_module.h"
#include "runners/number_text.h"
#include "runners/split_tensors.h"
#include "runners/throughput_meter.h"

#include <ATen/Parallel.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

namespace tl::runners {
namespace {

using Clock = std::chrono::steady_clock;
namespace F = torch::nn::functional;

constexpr auto kProgressInterval = std::chrono::milliseconds(200); // at most 5 events a second
constexpr auto kPausePoll = std::chrono::milliseconds(100);
constexpr std::int64_t kEvalBatch = 1000; // large: evaluation needs no gradients
const char *const kCheckpointFile = "checkpoints/final.pt";

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

// What effectiveTrainConfig() chose, for the log.
std::string describeConfig(const proto::TrainConfig &c, std::int64_t stepsPerEpoch)
{
    const bool adam = c.optimizer() == proto::OPTIMIZER_ADAM;
    return std::string(adam ? "Adam" : "SGD") + ", learning rate " + number(c.learning_rate())
           + (adam ? "" : ", momentum " + number(c.momentum())) + ", weight decay "
           + number(c.weight_decay()) + ", batch " + std::to_string(c.batch_size()) + ", "
           + std::to_string(c.epochs()) + " epoch(s) of " + groupedDigits(stepsPerEpoch)
           + " steps, seed " + std::to_string(c.seed());
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const proto::TrainConfig &config,
                                                       std::vector<torch::Tensor> parameters)
{
    if (config.optimizer() == proto::OPTIMIZER_ADAM) {
        return std::make_unique<torch::optim::Adam>(
            std::move(parameters),
            torch::optim::AdamOptions(config.learning_rate()).weight_decay(config.weight_decay()));
    }
    return std::make_unique<torch::optim::SGD>(std::move(parameters),
                                               torch::optim::SGDOptions(config.learning_rate())
                                                   .momentum(config.momentum())
                                                   .weight_decay(config.weight_decay()));
}

// Drops the gradients instead of zeroing them (PyTorch's zero_grad(set_to_none=True)): backward
// then stores fresh gradients without a memset and an add per parameter.
void clearGradients(torch::optim::Optimizer &optimizer)
{
    for (torch::optim::OptimizerParamGroup &group : optimizer.param_groups()) {
        for (torch::Tensor &parameter : group.params()) {
            parameter.mutable_grad().reset();
        }
    }
}

// What one pass over the train split measured.
struct EpochResult
{
    bool complete = false; // false when a STOP ended the epoch early
    double trainLoss = 0;  // mean of the batch losses
    double trainAccuracy = 0;
    double seconds = 0; // training time, pauses excluded
    std::int64_t samples = 0;
};

// Mean loss and accuracy over an evaluation split.
struct Evaluation
{
    double loss = 0;
    double accuracy = 0;
};

// One run of the loop. Lives on the calling thread for the duration of train().
class TrainingLoop
{
public:
    TrainingLoop(TrainingJob &job, EventSink &events, ControlChannel &control);
    TrainingOutcome run();

private:
    void prepareData();
    void buildModel();
    void announce();
    EpochResult runEpoch(std::uint32_t epoch);
    void trainStep(std::int64_t begin, std::int64_t end);
    void afterStep(std::uint32_t epoch, std::int64_t samplesDoneInRun);
    void applyCommands(const std::vector<ControlAction> &actions);
    void checkControl();
    void reportProgress(std::uint32_t epoch, std::int64_t samplesDoneInRun);
    void logTrainLoss();
    std::optional<Evaluation> evaluate(const SplitTensors &split);
    void finishEpoch(std::uint32_t epoch, const EpochResult &result);
    void finalTest();
    void recordTest(const Evaluation &test);
    void saveFinalCheckpoint();

    TrainingJob &m_job;
    EventSink &m_events;
    ControlChannel &m_control;
    proto::TrainConfig m_config;
    torch::Device m_device;
    SplitTensors m_train;
    SplitTensors m_val; // empty when the dataset holds none out: the test split is evaluated
    SplitTensors m_test;
    GraphModule m_model{nullptr};
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
    ThroughputMeter m_meter;
    TrainingOutcome m_outcome;

    std::int64_t m_step = 0;
    std::int64_t m_totalSteps = 0;
    std::int64_t m_stepsPerEpoch = 0;
    torch::Tensor m_lossSum; // float64 scalar on the device: every batch loss of the run
    torch::Tensor m_correct; // int64 scalar on the device: right predictions this epoch
    torch::Tensor m_lastLoss;
    double m_lossSumAtLog = 0; // m_lossSum when train/loss was last written
    std::int64_t m_stepAtLog = 0;
    Clock::time_point m_lastProgress{};
    Clock::duration m_pausedInEpoch{};
    bool m_paused = false;
    bool m_stopping = false;
};

TrainingLoop::TrainingLoop(TrainingJob &job, EventSink &events, ControlChannel &control)
    : m_job(job)
    , m_events(events)
    , m_control(control)
    , m_config(effectiveTrainConfig(job.spec.train()))
    , m_device(job.device.id())
{}

TrainingOutcome TrainingLoop::run()
{
    at::set_num_threads(static_cast<int>(m_config.threads()));
    torch::manual_seed(m_config.seed());
    prepareData();
    buildModel();
    announce();
    for (std::uint32_t epoch = 1; epoch <= m_config.epochs(); ++epoch) {
        checkControl(); // commands that arrived while loading or evaluating
        if (m_stopping) {
            break;
        }
        const EpochResult result = runEpoch(epoch);
        if (!result.complete) {
            break;
        }
        finishEpoch(epoch, result);
    }
    if (m_step > m_stepAtLog) {
        logTrainLoss();
    }
    if (!m_stopping) {
        finalTest();
    }
    m_outcome.stopped = m_stopping;
    m_outcome.steps = m_step;
    saveFinalCheckpoint();
    return m_outcome;
}

void TrainingLoop::prepareData()
{
    datasets::Dataset &data = m_job.data;
    const Normalization normalization = Normalization::of(data.train);
    const auto values = static_cast<std::uint64_t>(
        (data.train.count() + data.val.count() + data.test.count()) * data.train.sampleSize());
    const Placement placement = choosePlacement(m_device, m_job.deviceMemoryBytes, values,
                                                data.train.type == datasets::ValueType::UInt8);
    m_train = SplitTensors(data.train, normalization, m_device, placement);
    m_val = SplitTensors(data.val, normalization, m_device, placement);
    m_test = SplitTensors(data.test, normalization, m_device, placement);
    const auto scalar = torch::TensorOptions().device(m_device);
    m_lossSum = torch::zeros({}, scalar.dtype(torch::kFloat64));
    m_correct = torch::zeros({}, scalar.dtype(torch::kInt64));
    m_events.log(proto::LOG_LEVEL_INFO,
                 "Inputs normalised by the train split's mean "
                     + std::to_string(normalization.mean.mean().item<double>())
                     + " and standard deviation "
                     + std::to_string(normalization.std.mean().item<double>()) + " (averaged over "
                     + std::to_string(normalization.mean.numel())
                     + (data.train.isImage() ? " channels" : " values") + "); samples "
                     + placementName(placement) + ".");
}

void TrainingLoop::buildModel()
{
    m_model = GraphModule(m_job.spec.model(), m_job.analysis);
    m_model->to(m_device);
    m_optimizer = makeOptimizer(m_config, m_model->parameters());
    const std::int64_t batch = m_config.batch_size();
    m_stepsPerEpoch = (m_train.count() + batch - 1) / batch;
    m_totalSteps = m_stepsPerEpoch * m_config.epochs();
}

void TrainingLoop::announce()
{
    const proto::ExperimentSpec &spec = m_job.spec;
    const std::string model = !spec.model().name().empty() ? spec.model().name() : "the model";
    const std::string data = !spec.dataset().name().empty() ? spec.dataset().name() : "the dataset";
    const int count = at::get_num_threads();
    const std::string threads = std::to_string(count) + (m_job.device.isCuda() ? " CPU" : "")
                                + (count == 1 ? " thread" : " threads");
    const std::string val =
        m_val.count() > 0 ? groupedDigits(m_val.count()) + " validation / " : std::string();
    m_events.log(proto::LOG_LEVEL_INFO,
                 "Model " + model + ": " + groupedDigits(parameterCount(*m_model)) + " parameters, "
                     + groupedDigits(m_job.analysis.flops) + " multiply-accumulates per sample.");
    m_events.log(proto::LOG_LEVEL_INFO, describeConfig(m_config, m_stepsPerEpoch) + ".");
    m_events.status(proto::RUN_STATE_RUNNING,
                    "training " + model + " on " + data + " (" + groupedDigits(m_train.count())
                        + " train / " + val + groupedDigits(m_test.count()) + " test) on "
                        + m_job.device.id() + ", " + threads);
    m_lastProgress = Clock::now();
}

EpochResult TrainingLoop::runEpoch(std::uint32_t epoch)
{
    m_model->train();
    // A seeded permutation on the CPU generator: the same order on every device.
    m_train.setOrder(torch::randperm(m_train.count(), torch::kInt64));
    const double lossAtStart = m_lossSum.item<double>();
    const std::int64_t stepAtStart = m_step;
    m_correct.zero_();
    m_pausedInEpoch = {};
    const auto start = Clock::now();
    const std::int64_t batch = m_config.batch_size();
    EpochResult result;
    for (std::int64_t begin = 0; begin < m_train.count() && !m_stopping; begin += batch) {
        const std::int64_t end = std::min(begin + batch, m_train.count());
        trainStep(begin, end);
        result.samples = end;
        m_meter.add(static_cast<std::uint64_t>(end - begin), Clock::now());
        afterStep(epoch, static_cast<std::int64_t>(epoch - 1) * m_train.count() + end);
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start - m_pausedInEpoch).count();
    result.complete = result.samples == m_train.count();
    const auto steps = static_cast<double>(m_step - stepAtStart);
    result.trainLoss = steps > 0 ? (m_lossSum.item<double>() - lossAtStart) / steps : 0;
    result.trainAccuracy = static_cast<double>(m_correct.item<std::int64_t>())
                           / static_cast<double>(std::max<std::int64_t>(result.samples, 1));
    return result;
}

void TrainingLoop::trainStep(std::int64_t begin, std::int64_t end)
{
    const auto [images, labels] = m_train.batch(begin, end);
    clearGradients(*m_optimizer);
    const torch::Tensor logits = m_model->forward(images);
    const torch::Tensor loss = F::cross_entropy(logits, labels);
    loss.backward();
    m_optimizer->step();
    // Accumulated on the device: no host synchronisation per step.
    torch::NoGradGuard noGrad;
    m_lastLoss = loss.detach();
    m_lossSum.add_(m_lastLoss);
    m_correct.add_(logits.detach().argmax(1).eq(labels).sum());
    ++m_step;
}

void TrainingLoop::afterStep(std::uint32_t epoch, std::int64_t samplesDoneInRun)
{
    if (m_step - m_stepAtLog >= static_cast<std::int64_t>(m_config.log_every_steps())) {
        logTrainLoss();
    }
    // The first step reports at once, so a watcher sees the run move; then at most 5 per second.
    if (m_step == 1 || Clock::now() - m_lastProgress >= kProgressInterval) {
        reportProgress(epoch, samplesDoneInRun);
    }
    checkControl();
}

void TrainingLoop::applyCommands(const std::vector<ControlAction> &actions)
{
    for (ControlAction action : actions) {
        if (action == proto::ControlCommand::ACTION_STOP) {
            m_stopping = true;
        } else if (action == proto::ControlCommand::ACTION_PAUSE && !m_paused) {
            m_paused = true;
            m_events.status(proto::RUN_STATE_PAUSED, "paused at step " + groupedDigits(m_step));
        } else if (action == proto::ControlCommand::ACTION_RESUME && m_paused) {
            m_paused = false;
            m_events.status(proto::RUN_STATE_RUNNING, "resumed at step " + groupedDigits(m_step));
        }
    }
}

void TrainingLoop::checkControl()
{
    applyCommands(m_control.poll());
    if (!m_paused || m_stopping) {
        return;
    }
    const auto pausedAt = Clock::now();
    while (m_paused && !m_stopping) {
        applyCommands(m_control.waitFor(kPausePoll)); // blocks; no spinning
    }
    const auto idle = Clock::now() - pausedAt;
    m_meter.skip(idle);
    m_pausedInEpoch += idle;
}

void TrainingLoop::reportProgress(std::uint32_t epoch, std::int64_t samplesDoneInRun)
{
    m_lastProgress = Clock::now();
    const std::int64_t samplesInRun = m_train.count() * m_config.epochs();
    proto::ProgressEvent progress;
    progress.set_epoch(epoch);
    progress.set_epochs(m_config.epochs());
    progress.set_step(static_cast<std::uint64_t>(m_step));
    progress.set_total_steps(static_cast<std::uint64_t>(m_totalSteps));
    progress.set_samples_per_second(m_meter.samplesPerSecond());
    progress.set_eta_seconds(
        m_meter.etaSeconds(static_cast<std::uint64_t>(samplesInRun - samplesDoneInRun)));
    progress.set_loss(m_lastLoss.item<double>());
    m_events.progress(progress);
}

void TrainingLoop::logTrainLoss()
{
    const double sum = m_lossSum.item<double>();
    const auto steps = static_cast<double>(m_step - m_stepAtLog);
    m_events.scalar("train/loss", m_step, (sum - m_lossSumAtLog) / steps);
    m_lossSumAtLog = sum;
    m_stepAtLog = m_step;
}

std::optional<Evaluation> TrainingLoop::evaluate(const SplitTensors &split)
{
    torch::NoGradGuard noGrad;
    m_model->eval();
    const auto scalar = torch::TensorOptions().device(m_device);
    torch::Tensor lossSum = torch::zeros({}, scalar.dtype(torch::kFloat64));
    torch::Tensor correct = torch::zeros({}, scalar.dtype(torch::kInt64));
    const std::stop_token stop = m_control.stopToken();
    for (std::int64_t begin = 0; begin < split.count(); begin += kEvalBatch) {
        if (stop.stop_requested()) {
            return std::nullopt; // the STOP is handled by the loop; skip the rest
        }
        const std::int64_t end = std::min(begin + kEvalBatch, split.count());
        const torch::Tensor labels = split.labelRange(begin, end);
        const torch::Tensor logits = m_model->forward(split.range(begin, end));
        lossSum.add_(
            F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kSum)));
        correct.add_(logits.argmax(1).eq(labels).sum());
    }
    m_model->train();
    const auto count = static_cast<double>(std::max<std::int64_t>(split.count(), 1));
    return Evaluation{lossSum.item<double>() / count,
                      static_cast<double>(correct.item<std::int64_t>()) / count};
}

void TrainingLoop::recordTest(const Evaluation &test)
{
    m_events.scalar("test/loss", m_step, test.loss);
    m_events.scalar("test/accuracy", m_step, test.accuracy);
    m_outcome.evaluated = true;
    m_outcome.testLoss = test.loss;
    m_outcome.testAccuracy = test.accuracy;
}

void TrainingLoop::finishEpoch(std::uint32_t epoch, const EpochResult &result)
{
    reportProgress(epoch, static_cast<std::int64_t>(epoch) * m_train.count());
    m_events.scalar("train/accuracy", m_step, result.trainAccuracy);
    const bool validating = m_val.count() > 0;
    const auto evalStart = Clock::now();
    const std::optional<Evaluation> eval = evaluate(validating ? m_val : m_test);
    m_meter.skip(Clock::now() - evalStart);
    const double rate =
        result.seconds > 0 ? static_cast<double>(result.samples) / result.seconds : 0;
    m_outcome.epochsCompleted = epoch;
    m_outcome.lastEpochSamplesPerSecond = rate;
    std::string summary = "Epoch " + std::to_string(epoch) + "/" + std::to_string(m_config.epochs())
                          + ": train loss " + std::to_string(result.trainLoss) + ", train accuracy "
                          + percentText(result.trainAccuracy);
    if (eval) {
        const std::string name = validating ? "val" : "test";
        if (validating) {
            m_events.scalar("val/loss", m_step, eval->loss);
            m_events.scalar("val/accuracy", m_step, eval->accuracy);
        } else {
            recordTest(*eval);
        }
        summary += ", " + name + " loss " + std::to_string(eval->loss) + ", " + name + " accuracy "
                   + percentText(eval->accuracy);
    }
    m_events.log(proto::LOG_LEVEL_INFO,
                 summary + "; " + groupedDigits(static_cast<std::int64_t>(rate))
                     + " samples/s over " + std::to_string(result.seconds) + " s of training.");
}

// With a validation split the epochs evaluated that; the test split is evaluated once, at the end.
void TrainingLoop::finalTest()
{
    if (m_val.count() == 0 || m_outcome.epochsCompleted == 0) {
        return;
    }
    if (const std::optional<Evaluation> test = evaluate(m_test)) {
        recordTest(*test);
        m_events.log(proto::LOG_LEVEL_INFO, "Test loss " + std::to_string(test->loss)
                                                + ", test accuracy " + percentText(test->accuracy)
                                                + ".");
    }
}

void TrainingLoop::saveFinalCheckpoint()
{
    const CheckpointInfo info{m_outcome.epochsCompleted, m_step};
    auto saved = saveCheckpoint(m_job.runDir / kCheckpointFile, *m_model, m_optimizer.get(), info);
    if (!saved) {
        throw std::runtime_error(saved.error().describe());
    }
    m_outcome.checkpoint = kCheckpointFile;
    m_events.checkpoint(kCheckpointFile, info.epoch, info.step);
}

} // namespace

proto::TrainConfig effectiveTrainConfig(const proto::TrainConfig &config)
{
    proto::TrainConfig out = config;
    if (out.optimizer() == proto::OPTIMIZER_UNSPECIFIED) {
        out.set_optimizer(proto::OPTIMIZER_SGD);
    }
    if (out.learning_rate() == 0) {
        out.set_learning_rate(out.optimizer() == proto::OPTIMIZER_ADAM ? 0.001 : 0.01);
    }
    if (out.epochs() == 0) {
        out.set_epochs(1);
    }
    if (out.batch_size() == 0) {
        out.set_batch_size(64);
    }
    if (out.log_every_steps() == 0) {
        out.set_log_every_steps(50);
    }
    if (out.threads() == 0) {
        out.set_threads(std::max(1u, std::thread::hardware_concurrency()));
    }
    return out;
}

base::Result<TrainingOutcome> train(TrainingJob job, EventSink &events, ControlChannel &control)
{
    try {
        TrainingLoop loop(job, events, control);
        return loop.run();
    } catch (const std::bad_alloc &) {
        return base::makeError(base::ErrorCode::Backend,
                               "Training ran out of memory on " + job.device.id()
                                   + "; use a smaller batch_size, train_limit or model.",
                               job.runDir.string());
    } catch (const std::exception &error) {
        return base::makeError(base::ErrorCode::Backend,
                               "Training failed: " + torchErrorText(error) + ".",
                               job.runDir.string());
    }
}

} // namespace tl::runners
