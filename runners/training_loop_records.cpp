// TrainingLoop between steps: control commands, progress, scalars, evaluations, the goal
// metric, and checkpoints (runners/training_loop.h).
#include "runners/control_channel.h"
#include "runners/debug_probe.h"
#include "runners/evaluation_metrics.h"
#include "runners/event_sink.h"
#include "runners/model_file.h"
#include "runners/number_text.h"
#include "runners/training_loop.h"

#include <ATen/Context.h>

#include <algorithm>
#include <filesystem>
#include <thread>

namespace tl::runners {
namespace {

constexpr auto kProgressInterval = std::chrono::milliseconds(200); // at most 5 events a second
constexpr auto kPausePoll = std::chrono::milliseconds(100);
constexpr std::int64_t kEvalBatch = 1000; // large: evaluation needs no gradients

} // namespace

void TrainingLoop::afterStep(std::uint32_t epoch,
                             std::int64_t stepInEpoch,
                             std::int64_t samplesInRun)
{
    if (m_step - m_stepAtLog >= static_cast<std::int64_t>(m_config.log_every_steps())) {
        logTrainLoss();
    }
    // The first step reports at once, so a watcher sees the run move; then at most 5 per second.
    if (m_step == m_outcome.resumedFromStep + 1
        || Clock::now() - m_lastProgress >= kProgressInterval) {
        reportProgress(epoch, samplesInRun);
    }
    const std::uint32_t every = m_config.eval_every_steps();
    if (every > 0 && m_step % every == 0) {
        evaluateDuringTraining(epoch, stepInEpoch);
    }
    const std::uint32_t periodic = m_config.checkpoint_every_steps();
    if (periodic > 0 && m_step % periodic == 0) {
        writeStepCheckpoint(proto::CHECKPOINT_PERIODIC, epoch, stepInEpoch);
    }
    checkControl(epoch, stepInEpoch);
}

void TrainingLoop::applyCommands(const std::vector<proto::ControlCommand> &commands)
{
    for (const proto::ControlCommand &command : commands) {
        const ControlAction action = command.action();
        if (action == proto::ControlCommand::ACTION_STOP) {
            m_stopping = true;
        } else if (action == proto::ControlCommand::ACTION_CHECKPOINT) {
            m_checkpointRequested = true;
        } else if (action == proto::ControlCommand::ACTION_PAUSE && !m_paused) {
            m_paused = true;
            m_events.status(proto::RUN_STATE_PAUSED, "paused at step " + groupedDigits(m_step));
        } else if (action == proto::ControlCommand::ACTION_RESUME && m_paused) {
            m_paused = false;
            m_events.status(proto::RUN_STATE_RUNNING, "resumed at step " + groupedDigits(m_step));
        } else if (m_debug) {
            m_debug->apply(command);
            // Break (or Step) while paused: the run goes on into the debugger's first stop.
            const bool breaks = action == proto::ControlCommand::ACTION_DEBUG_BREAK
                                || action == proto::ControlCommand::ACTION_DEBUG_STEP;
            if (breaks && m_paused) {
                m_paused = false;
                m_events.status(proto::RUN_STATE_RUNNING,
                                "resumed at step " + groupedDigits(m_step) + " into the debugger");
            }
        }
    }
}

// Between steps: commands are applied, a requested checkpoint is written, and a pause holds
// the loop here (blocking, no spinning) until RESUME or STOP.
void TrainingLoop::checkControl(std::uint32_t epoch, std::int64_t stepInEpoch)
{
    applyCommands(m_control.poll());
    const auto pausedAt = Clock::now();
    bool waited = false;
    while (true) {
        if (m_checkpointRequested) {
            m_checkpointRequested = false;
            writeStepCheckpoint(proto::CHECKPOINT_REQUESTED, epoch, stepInEpoch);
        }
        if (!m_paused || m_stopping) {
            break;
        }
        waited = true;
        applyCommands(m_control.waitFor(kPausePoll));
    }
    if (waited) {
        const auto idle = Clock::now() - pausedAt;
        m_meter.skip(idle);
        m_pausedInEpoch += idle;
    }
}

void TrainingLoop::reportProgress(std::uint32_t epoch, std::int64_t samplesInRun)
{
    m_lastProgress = Clock::now();
    const std::int64_t samplesTotal = m_train.count() * m_config.epochs();
    proto::ProgressEvent progress;
    progress.set_epoch(epoch);
    progress.set_epochs(m_config.epochs());
    progress.set_step(static_cast<std::uint64_t>(m_step));
    progress.set_total_steps(static_cast<std::uint64_t>(m_totalSteps));
    progress.set_samples_per_second(m_meter.samplesPerSecond());
    progress.set_eta_seconds(m_meter.etaSeconds(
        static_cast<std::uint64_t>(std::max<std::int64_t>(samplesTotal - samplesInRun, 0))));
    progress.set_loss(m_lastLoss.item<double>());
    m_events.progress(progress);
}

void TrainingLoop::logTrainLoss()
{
    const double sum = m_lossSum.item<double>();
    const auto steps = static_cast<double>(m_step - m_stepAtLog);
    m_events.scalar("train/loss", m_step, (sum - m_lossSumAtLog) / steps);
    m_events.scalar("train/lr", m_step, m_optimizer->learningRate());
    if (m_gradNorm.defined()) {
        m_events.scalar("train/grad_norm", m_step, m_gradNorm.item<double>());
    }
    m_lossSumAtLog = sum;
    m_stepAtLog = m_step;
}

std::optional<proto::EvaluationEvent>
TrainingLoop::evaluate(const SplitTensors &split, const std::string &name, std::uint32_t epoch)
{
    torch::NoGradGuard noGrad;
    m_model.module->eval();
    EvaluationMetrics metrics(m_target, static_cast<std::int64_t>(m_classNames.size()), m_device);
    const std::stop_token stop = m_control.stopToken();
    for (std::int64_t begin = 0; begin < split.count(); begin += kEvalBatch) {
        if (stop.stop_requested()) {
            m_model.module->train();
            return std::nullopt; // the STOP is handled by the loop; skip the rest
        }
        const std::int64_t end = std::min(begin + kEvalBatch, split.count());
        const torch::Tensor labels = split.labelRange(begin, end);
        const torch::Tensor output = m_model.forward(input(split.range(begin, end)));
        metrics.add(output, labels, computeLoss(m_config, m_target, output, labels, true));
    }
    m_model.module->train();
    proto::EvaluationEvent event = metrics.finish(name, m_step, epoch, m_classNames);
    m_events.scalar(name + "/loss", m_step, event.loss());
    if (!event.confusion().empty()) {
        m_events.scalar(name + "/accuracy", m_step, event.accuracy());
        if (event.class_names_size() > 5) {
            m_events.scalar(name + "/top5", m_step, event.top5());
        }
    }
    proto::RunEvent record;
    *record.mutable_evaluation() = event;
    m_events.emit(std::move(record));
    if (name == "test") {
        m_outcome.evaluated = true;
        m_outcome.testLoss = event.loss();
        m_outcome.testAccuracy = event.accuracy();
    }
    return event;
}

// An evaluation of the split training watches: validation when the dataset holds one out.
void TrainingLoop::evaluateDuringTraining(std::uint32_t epoch, std::int64_t stepInEpoch)
{
    const bool validating = m_val.count() > 0;
    const auto start = Clock::now();
    const auto evaluation =
        evaluate(validating ? m_val : m_test, validating ? "val" : "test", epoch);
    m_meter.skip(Clock::now() - start);
    m_pausedInEpoch += Clock::now() - start;
    m_lastEvalStep = m_step;
    if (evaluation) {
        watchGoal(*evaluation, epoch, stepInEpoch);
    }
}

void TrainingLoop::watchGoal(const proto::EvaluationEvent &evaluation,
                             std::uint32_t epoch,
                             std::int64_t stepInEpoch)
{
    const std::optional<double> value = m_goal->valueOf(evaluation);
    if (!value) {
        return;
    }
    if (m_goal->record(*value, m_step)) {
        writeCheckpoint("checkpoints/best.pt", proto::CHECKPOINT_BEST, epoch, stepInEpoch);
    } else if (m_goal->shouldStop()) {
        m_earlyStopped = true;
        m_events.log(proto::LOG_LEVEL_INFO,
                     "Early stopping at step " + groupedDigits(m_step) + ": " + m_goal->metric()
                         + " has not improved for " + std::to_string(m_goal->sinceBest())
                         + " evaluations (best " + std::to_string(*m_goal->best()) + " at step "
                         + groupedDigits(m_goal->bestStep()) + ").");
    }
}

void TrainingLoop::finishEpoch(std::uint32_t epoch, const EpochResult &result)
{
    reportProgress(epoch, static_cast<std::int64_t>(epoch) * m_train.count());
    if (m_classify) {
        m_events.scalar("train/accuracy", m_step, result.trainAccuracy);
    }
    m_outcome.epochsCompleted = epoch;
    const double rate =
        result.seconds > 0 ? static_cast<double>(result.samples) / result.seconds : 0;
    m_outcome.lastEpochSamplesPerSecond = rate;
    std::string summary = "Epoch " + std::to_string(epoch) + "/" + std::to_string(m_config.epochs())
                          + ": train loss " + std::to_string(result.trainLoss);
    if (m_classify) {
        summary += ", train accuracy " + percentText(result.trainAccuracy);
    }
    m_events.log(proto::LOG_LEVEL_INFO,
                 summary + "; " + groupedDigits(static_cast<std::int64_t>(rate))
                     + " samples/s over " + std::to_string(result.seconds) + " s of training.");
    if (m_config.eval_every_steps() == 0) {
        evaluateDuringTraining(epoch, 0);
    }
}

// With a validation split the epochs evaluated that; the test split is evaluated once, at the end.
void TrainingLoop::finalTest(std::uint32_t epoch)
{
    if (m_val.count() == 0 || m_step == 0) {
        return;
    }
    if (const auto test = evaluate(m_test, "test", epoch)) {
        m_events.log(proto::LOG_LEVEL_INFO, "Test loss " + std::to_string(test->loss())
                                                + ", test accuracy " + percentText(test->accuracy())
                                                + ".");
    }
}

TrainingState TrainingLoop::stateAt(std::uint32_t epoch, std::int64_t stepInEpoch) const
{
    TrainingState state;
    state.epoch = stepInEpoch > 0 ? epoch - 1 : epoch;
    state.step = m_step;
    state.stepInEpoch = stepInEpoch;
    state.epochGenerator = m_epochGenerator;
    {
        at::Generator generator = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(generator.mutex());
        state.cpuGenerator = generator.get_state();
    }
    if (m_device.is_cuda()) {
        at::Generator generator = at::globalContext().defaultGenerator(m_device);
        std::lock_guard<std::mutex> lock(generator.mutex());
        state.deviceGenerator = generator.get_state();
    }
    state.sums["loss_sum"] = m_lossSum.item<double>();
    state.sums["correct"] = static_cast<double>(m_correct.item<std::int64_t>());
    state.sums["epoch_loss_start"] = m_epochLossStart;
    state.sums["loss_at_log"] = m_lossSumAtLog;
    state.sums["step_at_log"] = static_cast<double>(m_stepAtLog);
    m_goal->saveTo(state.sums);
    return state;
}

void TrainingLoop::writeCheckpoint(const std::string &path,
                                   proto::CheckpointKind kind,
                                   std::uint32_t epoch,
                                   std::int64_t stepInEpoch)
{
    const TrainingState state = stateAt(epoch, stepInEpoch);
    auto saved = saveCheckpoint(m_job.runDir / path, *m_model.module, m_optimizer.get(), state);
    if (!saved) {
        throw std::runtime_error(saved.error().describe());
    }
    proto::RunEvent record;
    proto::CheckpointEvent *event = record.mutable_checkpoint();
    event->set_path(path);
    event->set_epoch(state.epoch);
    event->set_step(m_step);
    event->set_kind(kind);
    if (kind == proto::CHECKPOINT_BEST) {
        event->set_metric(m_goal->metric());
        event->set_value(*m_goal->best());
    }
    m_events.emit(std::move(record));
    if (kind == proto::CHECKPOINT_LAST) {
        m_outcome.checkpoint = path;
        // The trained model on its own, for `torchlight-worker eval --model` and export.
        auto model = m_model.save(m_job.runDir / m_model.savedName);
        if (!model) {
            throw std::runtime_error(model.error().describe());
        }
    }
}

// checkpoints/step-N.pt; periodic ones beyond keep_checkpoints are removed, oldest first.
void TrainingLoop::writeStepCheckpoint(proto::CheckpointKind kind,
                                       std::uint32_t epoch,
                                       std::int64_t stepInEpoch)
{
    const std::string path = "checkpoints/step-" + std::to_string(m_step) + ".pt";
    if (!m_periodic.empty() && m_periodic.back() == path) {
        return; // this step's checkpoint exists already
    }
    writeCheckpoint(path, kind, epoch, stepInEpoch);
    if (kind != proto::CHECKPOINT_PERIODIC) {
        return;
    }
    m_periodic.push_back(path);
    while (m_periodic.size() > m_config.keep_checkpoints()) {
        std::error_code ignored;
        std::filesystem::remove(m_job.runDir / m_periodic.front(), ignored);
        m_periodic.pop_front();
    }
}

} // namespace tl::runners
