#include "runners/training_loop.h"

#include "runners/autocast_scope.h"
#include "runners/control_channel.h"
#include "runners/debug_probe.h"
#include "runners/event_sink.h"
#include "runners/graph_module.h"
#include "runners/lr_schedule.h"
#include "runners/number_text.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

namespace tl::runners {
namespace {

// Eager steps on the side stream before the capture (PyTorch uses 3 for whole-network capture).
constexpr int kWarmupSteps = 3;

at::Generator cpuGenerator()
{
    return at::detail::getDefaultCPUGenerator();
}

torch::Tensor generatorState(at::Generator generator)
{
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

void setGeneratorState(at::Generator generator, const torch::Tensor &state)
{
    if (!state.defined()) {
        return;
    }
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

// TL_CHANNELS_LAST=0/1 overrides the default (on for convolutions on CUDA), for benchmarks.
bool wantChannelsLast(const torch::Device &device, const TrainableModel &model)
{
    if (const char *forced = std::getenv("TL_CHANNELS_LAST")) {
        return std::string(forced) == "1";
    }
    return device.is_cuda() && model.convolutional;
}

// "cross_entropy" for LOSS_CROSS_ENTROPY: the loss as the debugger names its op.
std::string lossName(proto::LossKind kind)
{
    std::string name = proto::LossKind_Name(kind);
    if (name.starts_with("LOSS_")) {
        name.erase(0, 5);
    }
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

// While alive, the model tells the debugger of every node it computes.
class Watching
{
public:
    Watching(TrainableModel &model, DebugProbe *probe) : m_model(model), m_probe(probe)
    {
        if (m_probe != nullptr && m_model.observe) {
            m_model.observe(m_probe);
        }
    }
    ~Watching()
    {
        if (m_probe != nullptr && m_model.observe) {
            m_model.observe(nullptr);
        }
    }
    Watching(const Watching &) = delete;
    Watching &operator=(const Watching &) = delete;

private:
    TrainableModel &m_model;
    DebugProbe *m_probe;
};

std::string outputOp(const model::GraphAnalysis &analysis)
{
    const model::NodeAnalysis *node = analysis.node(analysis.output);
    return node ? node->op : std::string();
}

} // namespace

bool isOutOfMemory(const std::exception &error)
{
    const std::string text = error.what();
    return text.find("out of memory") != std::string::npos
           || text.find("CUDA error: out of memory") != std::string::npos;
}

TrainingLoop::TrainingLoop(TrainingJob &job, EventSink &events, ControlChannel &control)
    : m_job(job)
    , m_events(events)
    , m_control(control)
    , m_config(effectiveTrainConfig(job.spec.train()))
    , m_device(job.device.id())
{}

TrainingLoop::~TrainingLoop() = default;

TrainingOutcome TrainingLoop::run()
{
    try {
        return runLoop();
    } catch (const std::exception &error) {
        if (!isOutOfMemory(error) || !m_model.module) {
            throw;
        }
        const std::string where = "at batch size " + std::to_string(m_batch);
        throw DeviceOutOfMemory{where, probeBatchThatFits()};
    }
}

TrainingOutcome TrainingLoop::runLoop()
{
    setUp();
    std::uint32_t epoch = m_firstEpoch;
    std::int64_t firstStep = m_firstStepInEpoch;
    for (; epoch <= m_config.epochs(); ++epoch, firstStep = 0) {
        checkControl(epoch, firstStep); // commands that arrived while loading or evaluating
        if (m_stopping) {
            break;
        }
        const EpochResult result = runEpoch(epoch, firstStep);
        if (result.complete) {
            finishEpoch(epoch, result);
        }
        if (!result.complete || m_earlyStopped || m_stopping) {
            break;
        }
    }
    const std::uint32_t lastEpoch = std::max(1u, std::min(epoch, m_config.epochs()));
    if (m_step > m_stepAtLog) {
        logTrainLoss();
    }
    if (m_config.eval_every_steps() > 0 && m_lastEvalStep != m_step && !m_stopping && m_step > 0) {
        evaluateDuringTraining(lastEpoch, 0);
    }
    if (!m_stopping) {
        finalTest(lastEpoch);
    }
    m_outcome.stopped = m_stopping;
    m_outcome.earlyStopped = m_earlyStopped;
    m_outcome.steps = m_step;
    // A run that stopped mid-epoch resumes there; one that finished its epochs is complete.
    const std::uint32_t completed = m_outcome.epochsCompleted;
    const std::int64_t stepInEpoch =
        m_step - static_cast<std::int64_t>(completed) * m_stepsPerEpoch;
    writeCheckpoint("checkpoints/last.pt", proto::CHECKPOINT_LAST,
                    stepInEpoch > 0 ? completed + 1 : completed, stepInEpoch);
    if (m_goal && m_goal->best()) {
        m_outcome.goalMetric = m_goal->metric();
        m_outcome.bestValue = *m_goal->best();
        m_outcome.bestStep = m_goal->bestStep();
    }
    return m_outcome;
}

void TrainingLoop::setUp()
{
    at::set_num_threads(static_cast<int>(m_config.threads()));
    torch::manual_seed(m_config.seed());
    if (m_device.is_cuda()) {
        enableCudnnAutotuning();
    }
    prepareData();
    buildModel();
    resume();
    announce();
}

void TrainingLoop::prepareData()
{
    datasets::Dataset &data = m_job.data;
    const Normalization normalization = Normalization::of(data.train);
    const auto values = static_cast<std::uint64_t>(
        (data.train.count() + data.val.count() + data.test.count()) * data.train.sampleSize());
    const Placement placement = choosePlacement(m_device, m_job.deviceMemoryBytes, values,
                                                data.train.type == datasets::ValueType::UInt8);
    m_classNames = data.classNames;
    try {
        m_train = SplitTensors(data.train, normalization, m_device, placement);
        m_val = SplitTensors(data.val, normalization, m_device, placement);
        m_test = SplitTensors(data.test, normalization, m_device, placement);
    } catch (const std::exception &error) {
        if (isOutOfMemory(error)) {
            throw DeviceOutOfMemory{"while placing the dataset on the device", 0};
        }
        throw;
    }
    const auto scalar = torch::TensorOptions().device(m_device);
    m_lossSum = torch::zeros({}, scalar.dtype(torch::kFloat64));
    m_correct = torch::zeros({}, scalar.dtype(torch::kInt64));
    m_lastLoss = torch::zeros({}, scalar.dtype(torch::kFloat32));
    if (m_job.spec.train().grad_clip_norm() > 0) {
        m_gradNorm = torch::zeros({}, scalar.dtype(torch::kFloat32));
    }
    m_events.log(proto::LOG_LEVEL_INFO,
                 "Inputs normalised by the train split's mean "
                     + std::to_string(normalization.mean.mean().item<double>())
                     + " and standard deviation "
                     + std::to_string(normalization.std.mean().item<double>()) + " (averaged over "
                     + std::to_string(normalization.mean.numel())
                     + (data.train.isImage() ? " channels" : " values") + "); samples "
                     + placementName(placement) + ".");
    m_fastPath = m_device.is_cuda() && !m_config.plain_loop() && StepGraph::supported()
                 && placement != Placement::HostStream;
}

void TrainingLoop::buildModel()
{
    m_model = m_job.fileModel ? *m_job.fileModel : graphModel(m_job.spec.model(), m_job.analysis);
    m_model.module->to(m_device);
    m_channelsLast = wantChannelsLast(m_device, m_model);
    if (m_channelsLast) {
        torch::NoGradGuard noGrad;
        for (torch::Tensor &parameter : m_model.module->parameters()) {
            if (parameter.dim() == 4) {
                parameter.set_data(parameter.contiguous(at::MemoryFormat::ChannelsLast));
            }
        }
    }
    m_optimizer =
        std::make_unique<Optimizer>(m_model.module->parameters(), OptimizerSettings::of(m_config));
    m_debug = std::make_unique<DebugProbe>(
        m_events, m_control, *m_model.module, m_model.nodes, m_config.debug(),
        [this](const proto::ControlCommand &command) { applyCommands({command}); });
    auto target = checkLoss(m_config, m_job.analysis.outputShape,
                            static_cast<std::int64_t>(m_job.data.classNames.size()),
                            outputOp(m_job.analysis));
    if (!target) {
        throw std::invalid_argument(target.error().message);
    }
    m_target = target.value();
    m_classify = m_target != TargetKind::Regression;
    m_goal.emplace(m_config.goal(), m_val.count() > 0);
    m_batch = m_config.batch_size();
    m_accumulation = m_config.grad_accumulation();
    m_microPerEpoch = (m_train.count() + m_batch - 1) / m_batch;
    m_fullMicro = m_train.count() / m_batch;
    m_stepsPerEpoch = (m_microPerEpoch + m_accumulation - 1) / m_accumulation;
    m_totalSteps = m_stepsPerEpoch * m_config.epochs();
    m_schedule = effectiveSchedule(m_config.schedule(), m_stepsPerEpoch, m_totalSteps);
    m_autocast = m_config.precision() == proto::PRECISION_BF16_AUTOCAST && m_device.is_cuda();
    if (m_fastPath && m_fullMicro > 0 && m_model.capturable) {
        m_graph = std::make_unique<StepGraph>(m_device.index() < 0 ? 0 : m_device.index());
        const auto index = torch::TensorOptions().device(m_device).dtype(torch::kInt64);
        m_graphOrder = torch::zeros({m_fullMicro, m_batch}, index);
        m_cursor = torch::zeros({1}, index);
    } else {
        m_fastPath = false;
    }
}

void TrainingLoop::resume()
{
    const std::string &from = m_config.resume_from();
    if (from.empty()) {
        return;
    }
    auto state = loadCheckpoint(from, *m_model.module, m_optimizer.get());
    if (!state) {
        throw std::invalid_argument(state.error().describe());
    }
    TrainingState &s = state.value();
    m_step = s.step;
    m_firstEpoch = s.epoch + 1;
    m_firstStepInEpoch = s.stepInEpoch;
    m_outcome.epochsCompleted = s.epoch;
    m_outcome.resumedFromStep = s.step;
    m_lossSum.fill_(s.sums["loss_sum"]);
    m_correct.fill_(static_cast<std::int64_t>(s.sums["correct"]));
    m_epochLossStart = s.sums["epoch_loss_start"];
    m_lossSumAtLog = s.sums["loss_at_log"];
    m_stepAtLog = static_cast<std::int64_t>(s.sums["step_at_log"]);
    m_goal->restoreFrom(s.sums);
    m_resumeFrom = std::move(s);
    m_events.log(proto::LOG_LEVEL_INFO, "Resuming " + from + " at step " + groupedDigits(m_step)
                                            + " (epoch " + std::to_string(m_firstEpoch) + ").");
}

void TrainingLoop::announce()
{
    const proto::ExperimentSpec &spec = m_job.spec;
    const std::string &model = m_model.name;
    const std::string data = !spec.dataset().name().empty() ? spec.dataset().name() : "the dataset";
    const int count = at::get_num_threads();
    const std::string threads = std::to_string(count) + (m_job.device.isCuda() ? " CPU" : "")
                                + (count == 1 ? " thread" : " threads");
    const std::string val =
        m_val.count() > 0 ? groupedDigits(m_val.count()) + " validation / " : std::string();
    m_events.log(proto::LOG_LEVEL_INFO,
                 "Model " + model + ": " + groupedDigits(parameterCount(*m_model.module))
                     + " parameters"
                     + (m_job.analysis.flops > 0 ? ", " + groupedDigits(m_job.analysis.flops)
                                                       + " multiply-accumulates per sample."
                                                 : "."));
    std::string accumulation;
    if (m_accumulation > 1) {
        accumulation = " x " + std::to_string(m_accumulation) + " accumulated";
    }
    m_events.log(proto::LOG_LEVEL_INFO,
                 describeOptimizer(m_optimizer->settings()) + ", learning rate "
                     + shortNumber(m_config.learning_rate()) + " (" + describeSchedule(m_schedule)
                     + "), batch " + std::to_string(m_batch) + accumulation + ", "
                     + std::to_string(m_config.epochs()) + " epoch(s) of "
                     + groupedDigits(m_stepsPerEpoch) + " steps, seed "
                     + std::to_string(m_config.seed()) + ".");
    if (m_config.precision() == proto::PRECISION_BF16_AUTOCAST && !m_autocast) {
        m_events.log(proto::LOG_LEVEL_WARNING,
                     "bf16 autocast applies on CUDA only; this run trains in float32.");
    }
    if (m_device.is_cuda()) {
        m_events.log(proto::LOG_LEVEL_INFO,
                     std::string(m_fastPath ? "Fast path: each full step is replayed as one CUDA "
                                              "graph"
                                            : "Plain loop: every step launched op by op")
                         + (m_autocast ? "; bf16 autocast" : "")
                         + (m_channelsLast ? "; channels-last convolutions" : "") + ".");
    }
    m_events.status(proto::RUN_STATE_RUNNING,
                    "training " + model + " on " + data + " (" + groupedDigits(m_train.count())
                        + " train / " + val + groupedDigits(m_test.count()) + " test) on "
                        + m_job.device.id() + ", " + threads);
    m_lastProgress = Clock::now();
}

// Draws the epoch's order from the CPU generator (the same on every device); a resumed epoch
// draws it from the state saved before its shuffle, then continues the generator where the
// checkpoint left it.
void TrainingLoop::shuffle(std::int64_t firstStep)
{
    at::Generator generator = cpuGenerator();
    if (m_resumeFrom && firstStep > 0) {
        setGeneratorState(generator, m_resumeFrom->epochGenerator);
    } else if (m_resumeFrom) {
        setGeneratorState(generator, m_resumeFrom->cpuGenerator);
    }
    m_epochGenerator = generatorState(generator);
    const torch::Tensor order = torch::randperm(m_train.count(), torch::kInt64);
    m_train.setOrder(order);
    if (m_resumeFrom) {
        setGeneratorState(generator, m_resumeFrom->cpuGenerator);
        if (m_device.is_cuda() && m_resumeFrom->deviceGenerator.defined()) {
            setGeneratorState(at::globalContext().defaultGenerator(m_device),
                              m_resumeFrom->deviceGenerator);
        }
        m_resumeFrom.reset();
    }
    if (m_fastPath) {
        m_graphOrder.copy_(order.narrow(0, 0, m_fullMicro * m_batch).view({m_fullMicro, m_batch}));
        m_cursor.fill_(firstStep * m_accumulation);
    }
}

TrainingLoop::EpochResult TrainingLoop::runEpoch(std::uint32_t epoch, std::int64_t firstStep)
{
    m_model.module->train();
    shuffle(firstStep);
    if (firstStep == 0) {
        m_epochLossStart = m_lossSum.item<double>();
        m_correct.zero_();
    }
    const std::int64_t stepAtStart = m_step - firstStep;
    m_pausedInEpoch = {};
    const auto start = Clock::now();
    EpochResult result;
    result.samples = std::min(firstStep * m_accumulation * m_batch, m_train.count());
    std::int64_t s = firstStep;
    for (; s < m_stepsPerEpoch && !m_stopping && !m_earlyStopped; ++s) {
        const std::int64_t firstMicro = s * m_accumulation;
        const std::int64_t endMicro = std::min(firstMicro + m_accumulation, m_microPerEpoch);
        setRateFor(m_step + 1);
        const bool fast =
            m_fastPath && endMicro <= m_fullMicro && endMicro - firstMicro == m_accumulation;
        if (fast && !m_debug->isArmed()) {
            fastStep(firstMicro, endMicro);
        } else {
            eagerStep(firstMicro, endMicro);
            if (fast) {
                m_cursor.add_(endMicro - firstMicro); // the graph's next batch follows this one
            }
        }
        ++m_step;
        const std::int64_t before = std::min(firstMicro * m_batch, m_train.count());
        const std::int64_t done = std::min(endMicro * m_batch, m_train.count());
        m_meter.add(static_cast<std::uint64_t>(done - before), Clock::now());
        result.samples = done;
        afterStep(epoch, s + 1, static_cast<std::int64_t>(epoch - 1) * m_train.count() + done);
    }
    const double lossSum = m_lossSum.item<double>(); // waits for the epoch's last step
    result.seconds = std::chrono::duration<double>(Clock::now() - start - m_pausedInEpoch).count();
    result.complete = s == m_stepsPerEpoch && result.samples == m_train.count();
    const auto steps = static_cast<double>(m_step - stepAtStart);
    result.trainLoss = steps > 0 ? (lossSum - m_epochLossStart) / steps : 0;
    result.trainAccuracy = static_cast<double>(m_correct.item<std::int64_t>())
                           / static_cast<double>(std::max<std::int64_t>(result.samples, 1));
    return result;
}

void TrainingLoop::setRateFor(std::int64_t step)
{
    const double rate =
        m_config.learning_rate() * learningRateFactor(m_schedule, step, m_totalSteps);
    if (rate != m_optimizer->learningRate()) {
        m_optimizer->setLearningRate(rate);
    }
}

torch::Tensor TrainingLoop::input(torch::Tensor x) const
{
    if (m_channelsLast && x.dim() == 4) {
        return x.contiguous(at::MemoryFormat::ChannelsLast);
    }
    return x;
}

// Forward, loss and backward of one micro-batch; returns its loss (detached) times scale.
torch::Tensor TrainingLoop::microStep(const torch::Tensor &x, const torch::Tensor &y, double scale)
{
    torch::Tensor output;
    torch::Tensor loss;
    DebugProbe *probe = m_debug && m_debug->isArmed() ? m_debug.get() : nullptr;
    if (probe != nullptr) {
        probe->beginPass(m_step + 1);
    }
    {
        const Watching watching(m_model, probe);
        {
            const AutocastScope autocast(m_autocast);
            output = m_model.forward(input(x));
            loss = computeLoss(m_config, m_target, output, y);
        }
        if (probe != nullptr) {
            probe->lossComputed(loss, lossName(m_config.loss()));
        }
        (scale == 1.0 ? loss : loss * scale).backward();
    }
    if (probe != nullptr) {
        probe->passDone();
    }
    torch::NoGradGuard noGrad;
    if (m_classify) {
        m_correct.add_(predictClasses(m_target, output.detach()).eq(y).sum());
    }
    return loss.detach() * scale;
}

void TrainingLoop::finishStep(const torch::Tensor &stepLoss)
{
    if (m_config.grad_clip_norm() > 0) {
        // Copied into a tensor of the loop's own: a graph replay rewrites its capture's memory,
        // which a tensor assigned during capture would keep pointing at only until an eager step.
        m_gradNorm.copy_(clipGradientNorm(m_optimizer->parameters(), m_config.grad_clip_norm()));
    }
    m_optimizer->step();
    torch::NoGradGuard noGrad;
    m_lossSum.add_(stepLoss);
    m_lastLoss.copy_(stepLoss);
}

void TrainingLoop::eagerStep(std::int64_t firstMicro, std::int64_t endMicro)
{
    m_optimizer->clearGradients();
    const double scale = 1.0 / static_cast<double>(endMicro - firstMicro);
    torch::Tensor stepLoss;
    for (std::int64_t micro = firstMicro; micro < endMicro; ++micro) {
        const std::int64_t begin = micro * m_batch;
        const auto [x, y] = m_train.batch(begin, std::min(begin + m_batch, m_train.count()));
        const torch::Tensor loss = microStep(x, y, scale);
        stepLoss = stepLoss.defined() ? stepLoss + loss : loss;
    }
    finishStep(stepLoss);
}

// One optimizer step whose micro-batches come from the device: the order and the cursor live
// there, so the captured graph reads the next batch by itself.
void TrainingLoop::graphBody()
{
    const double scale = 1.0 / static_cast<double>(m_accumulation);
    torch::Tensor stepLoss;
    for (std::int64_t k = 0; k < m_accumulation; ++k) {
        const torch::Tensor indices = m_graphOrder.index_select(0, m_cursor).view({-1});
        m_cursor.add_(1);
        const auto [x, y] = m_train.gather(indices);
        const torch::Tensor loss = microStep(x, y, scale);
        stepLoss = stepLoss.defined() ? stepLoss + loss : loss;
    }
    finishStep(stepLoss);
}

void TrainingLoop::fastStep(std::int64_t firstMicro, std::int64_t endMicro)
{
    if (!m_graph->captured()) {
        m_optimizer->clearGradients();
        if (m_warmups < kWarmupSteps) {
            ++m_warmups;
            m_graph->warmUp([this] { graphBody(); });
            return;
        }
        try {
            m_graph->capture([this] { graphBody(); });
        } catch (const std::exception &error) {
            // Nothing ran: a capture only records. This step and the rest go op by op.
            m_fastPath = false;
            m_graph.reset();
            m_events.log(proto::LOG_LEVEL_WARNING,
                         "This model's step cannot be captured as a CUDA graph ("
                             + torchErrorText(error) + "); training goes on op by op.");
            eagerStep(firstMicro, endMicro);
            return;
        }
    }
    m_graph->replay();
}

// After an out-of-memory error: the largest power-of-two batch whose forward and backward fit.
std::int64_t TrainingLoop::probeBatchThatFits()
{
    m_optimizer->clearGradients();
    m_graph.reset();
    releaseCachedDeviceMemory();
    for (std::int64_t batch = std::min<std::int64_t>(m_batch / 2, m_train.count()); batch >= 1;
         batch /= 2) {
        try {
            const torch::Tensor order = torch::arange(batch, torch::kInt64);
            m_train.setOrder(order);
            const auto [x, y] = m_train.batch(0, batch);
            microStep(x, y, 1.0);
            m_optimizer->clearGradients();
            return batch;
        } catch (const std::exception &error) {
            if (!isOutOfMemory(error)) {
                return 0;
            }
            m_optimizer->clearGradients();
            releaseCachedDeviceMemory();
        }
    }
    return 0;
}

} // namespace tl::runners
