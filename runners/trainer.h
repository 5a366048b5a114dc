#pragma once
// The training loop of a run, behind a torch-free interface: builds the module from the graph,
// trains it as TrainConfig says (runners/training_loop.h), evaluates, honours control commands
// and writes checkpoints. Evaluates the validation split each epoch (or every eval_every_steps)
// when the dataset has one (then the test split once at the end), else the test split. Runs on
// the calling thread (the worker's main thread).

#include "base/result.h"
#include "datasets/dataset.h"
#include "model/graph_analysis.h"
#include "proto/torchlight.pb.h"
#include "runners/devices.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace tl::runners {

class ControlChannel;
class EventSink;
struct TrainableModel; // runners/trainable_model.h (libtorch)

// Everything one training run needs; the data is moved in and converted to tensors once.
struct TrainingJob
{
    proto::ExperimentSpec spec;
    model::GraphAnalysis analysis;
    DeviceRequest device;
    std::uint64_t deviceMemoryBytes = 0; // of a CUDA device; 0 = unknown or the CPU
    datasets::Dataset data;
    std::filesystem::path runDir;
    // spec.model_file as loadModelToTrain loaded it; null: the spec's graph is built and trained.
    std::shared_ptr<TrainableModel> fileModel;
};

// How a run ended, for the terminal status message.
struct TrainingOutcome
{
    bool stopped = false;      // a STOP command ended the run early
    bool earlyStopped = false; // the goal metric stopped improving (TrainConfig.goal.patience)
    std::uint32_t epochsCompleted = 0;
    std::int64_t steps = 0;
    double testLoss = 0;                  // of the last evaluation; 0 if none ran
    double testAccuracy = 0;              // in [0, 1]
    bool evaluated = false;               // whether any evaluation ran
    double lastEpochSamplesPerSecond = 0; // training throughput of the last full epoch
    std::string checkpoint;               // the last one, relative to the run directory
    std::string goalMetric;               // "val/loss"
    double bestValue = 0;                 // of goalMetric, when evaluated
    std::int64_t bestStep = 0;
    std::int64_t resumedFromStep = 0; // 0 unless resume_from was set
};

// TrainConfig with the defaults of the proto comments applied (epochs 0 -> 1, batch 0 -> 64,
// log_every_steps 0 -> 50, learning_rate 0 -> 0.01 for SGD and RMSprop and 0.001 for Adam(W),
// AdamW weight_decay 0 -> 0.01, grad_accumulation 0 -> 1, keep_checkpoints 0 -> 3, threads 0 ->
// all cores).
proto::TrainConfig effectiveTrainConfig(const proto::TrainConfig &config);

// Loads a model file to fine-tune (spec.model_file) on the CPU and describes it as the
// experiment checks read a graph: `analysis` gets its input (named as in the file, with the
// per-sample shape it declares, if any), its output node and op, and its parameter count.
// Errors name the file: missing, unreadable, ops Torchlight cannot run, more than one input.
base::Result<std::shared_ptr<TrainableModel>> loadModelToTrain(const std::filesystem::path &file,
                                                               model::GraphAnalysis &analysis);

// Runs the loaded model once on two zero samples of the dataset's `sampleShape` to learn its
// per-sample output shape (a file does not always declare it); an input shape the file left
// open becomes sampleShape. Errors name the file and say what the model could not take (a
// fixed batch size, a sample shape its layers do not fit).
base::Status probeModelOutput(TrainableModel &model,
                              model::GraphAnalysis &analysis,
                              const model::Shape &sampleShape,
                              const std::filesystem::path &file);

// Runs the job to completion or until STOP, emitting the RUNNING and PAUSED statuses, progress,
// scalars, logs and the checkpoint event through `events` (not the terminal status: the caller
// sends that). Sets libtorch's thread count and seed for the process.
// Errors (a libtorch failure, an unwritable checkpoint, device memory running out, with a batch
// size that fits) come back as Backend or Io errors.
base::Result<TrainingOutcome> train(TrainingJob job, EventSink &events, ControlChannel &control);

} // namespace tl::runners
