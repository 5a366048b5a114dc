#pragma once
// One training run's loop (runners/trainer.h runs it): steps with gradient accumulation,
// clipping, bf16 autocast and the CUDA-graph fast path; evaluation with full metrics; the goal
// metric with early stopping and the best checkpoint; periodic, requested and last checkpoints;
// resume from a checkpoint; control commands between steps. Private to runners/ (includes
// libtorch). Lives on the worker's main thread for the duration of train().

#include "runners/checkpoint.h"
#include "runners/control_channel.h"
#include "runners/losses.h"
#include "runners/metric_goal.h"
#include "runners/optimizers.h"
#include "runners/split_tensors.h"
#include "runners/step_graph.h"
#include "runners/throughput_meter.h"
#include "runners/trainable_model.h"
#include "runners/trainer.h"

#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tl::runners {

class ControlChannel;
class DebugProbe;
class EventSink;

// A CUDA allocation failed; train() turns it into a message with a batch size that fits.
struct DeviceOutOfMemory
{
    std::string where;          // "while placing the dataset", "at batch size 4096"
    std::int64_t fitsBatch = 0; // the largest power-of-two batch a step fitted with; 0 = none
};

// Whether a libtorch exception is an allocation failure of a device.
bool isOutOfMemory(const std::exception &error);

class TrainingLoop
{
public:
    using Clock = std::chrono::steady_clock;

    TrainingLoop(TrainingJob &job, EventSink &events, ControlChannel &control);
    ~TrainingLoop();
    // Throws DeviceOutOfMemory, or libtorch's exceptions for train() to report.
    TrainingOutcome run();

private:
    // What one pass over the train split measured.
    struct EpochResult
    {
        bool complete = false; // false when a STOP or early stopping ended it
        double trainLoss = 0;
        double trainAccuracy = 0;
        double seconds = 0;
        std::int64_t samples = 0;
    };

    // training_loop.cpp: set-up, epochs and steps
    TrainingOutcome runLoop();
    void setUp();
    void prepareData();
    void buildModel();
    void resume();
    void announce();
    EpochResult runEpoch(std::uint32_t epoch, std::int64_t firstStep);
    void shuffle(std::int64_t firstStep);
    void setRateFor(std::int64_t step);
    void eagerStep(std::int64_t firstMicro, std::int64_t endMicro);
    void fastStep(std::int64_t firstMicro, std::int64_t endMicro);
    void graphBody();
    torch::Tensor microStep(const torch::Tensor &x, const torch::Tensor &y, double scale);
    void finishStep(const torch::Tensor &stepLoss);
    torch::Tensor input(torch::Tensor x) const;
    std::int64_t probeBatchThatFits();

    // training_loop_records.cpp: what the loop reports and writes between steps
    void afterStep(std::uint32_t epoch, std::int64_t stepInEpoch, std::int64_t samplesInRun);
    void applyCommands(const std::vector<proto::ControlCommand> &commands);
    void checkControl(std::uint32_t epoch, std::int64_t stepInEpoch);
    void reportProgress(std::uint32_t epoch, std::int64_t samplesInRun);
    void logTrainLoss();
    std::optional<proto::EvaluationEvent>
    evaluate(const SplitTensors &split, const std::string &name, std::uint32_t epoch);
    void evaluateDuringTraining(std::uint32_t epoch, std::int64_t stepInEpoch);
    void watchGoal(const proto::EvaluationEvent &evaluation,
                   std::uint32_t epoch,
                   std::int64_t stepInEpoch);
    void finishEpoch(std::uint32_t epoch, const EpochResult &result);
    void finalTest(std::uint32_t epoch);
    TrainingState stateAt(std::uint32_t epoch, std::int64_t stepInEpoch) const;
    void writeCheckpoint(const std::string &path,
                         proto::CheckpointKind kind,
                         std::uint32_t epoch,
                         std::int64_t stepInEpoch);
    void
    writeStepCheckpoint(proto::CheckpointKind kind, std::uint32_t epoch, std::int64_t stepInEpoch);

    TrainingJob &m_job;
    EventSink &m_events;
    ControlChannel &m_control;
    proto::TrainConfig m_config;
    torch::Device m_device;
    SplitTensors m_train;
    SplitTensors m_val; // empty when the dataset holds none out: the test split is evaluated
    SplitTensors m_test;
    TrainableModel m_model;
    std::unique_ptr<Optimizer> m_optimizer;
    proto::LrSchedule m_schedule;
    TargetKind m_target = TargetKind::ClassIndex;
    std::optional<MetricGoal> m_goal;
    std::vector<std::string> m_classNames;
    ThroughputMeter m_meter;
    TrainingOutcome m_outcome;
    std::optional<TrainingState> m_resumeFrom;

    // Step geometry: micro-batches of batch_size, grad_accumulation of them per optimizer step.
    std::int64_t m_batch = 0;
    std::int64_t m_accumulation = 1;
    std::int64_t m_microPerEpoch = 0;
    std::int64_t m_fullMicro = 0; // micro-batches of exactly m_batch samples
    std::int64_t m_stepsPerEpoch = 0;
    std::int64_t m_totalSteps = 0;
    std::int64_t m_step = 0;
    std::uint32_t m_firstEpoch = 1;
    std::int64_t m_firstStepInEpoch = 0;

    bool m_autocast = false;
    bool m_channelsLast = false;
    bool m_classify = true;
    bool m_fastPath = false;
    int m_warmups = 0;
    std::unique_ptr<StepGraph> m_graph;
    std::unique_ptr<DebugProbe> m_debug; // the step debugger; armed by the spec or a command
    torch::Tensor m_graphOrder; // int64 [fullMicro, batch] on the device: the epoch's order
    torch::Tensor m_cursor;     // int64 [1] on the device: the next micro-batch of the graph

    torch::Tensor m_lossSum;  // float64 scalar on the device: every step's loss of the run
    torch::Tensor m_correct;  // int64 scalar on the device: right predictions this epoch
    torch::Tensor m_lastLoss; // float32 scalar on the device: the latest step's loss
    torch::Tensor m_gradNorm; // the latest step's gradient norm, when clipping
    double m_epochLossStart = 0;
    double m_lossSumAtLog = 0;
    std::int64_t m_stepAtLog = 0;
    std::int64_t m_lastEvalStep = -1;
    torch::Tensor m_epochGenerator;
    std::deque<std::string> m_periodic; // step checkpoints of this run, oldest first
    Clock::time_point m_lastProgress{};
    Clock::duration m_pausedInEpoch{};
    bool m_paused = false;
    bool m_stopping = false;
    bool m_earlyStopped = false;
    bool m_checkpointRequested = false;
};

} // namespace tl::runners
