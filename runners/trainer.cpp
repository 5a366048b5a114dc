#include "runners/trainer.h"

#include "runners/control_channel.h"
#include "runners/event_sink.h"
#include "runners/graph_module.h"
#include "runners/number_text.h"
#include "runners/training_loop.h"

#include <algorithm>
#include <thread>

namespace tl::runners {
namespace {

std::string outOfMemoryText(const DeviceOutOfMemory &oom, const TrainingJob &job)
{
    std::string text = "Out of memory on " + job.device.id() + " " + oom.where;
    if (job.deviceMemoryBytes > 0) {
        text += " (the device has "
                + groupedDigits(static_cast<std::int64_t>(job.deviceMemoryBytes >> 20)) + " MiB)";
    }
    if (oom.fitsBatch > 0) {
        return text + ". A batch of " + groupedDigits(oom.fitsBatch)
               + " fits: set train.batch_size to " + std::to_string(oom.fitsBatch)
               + " or less, or use a smaller model.";
    }
    return text + ". Use a smaller train_limit, a smaller model or the CPU.";
}

} // namespace

proto::TrainConfig effectiveTrainConfig(const proto::TrainConfig &config)
{
    proto::TrainConfig out = config;
    if (out.optimizer() == proto::OPTIMIZER_UNSPECIFIED) {
        out.set_optimizer(proto::OPTIMIZER_SGD);
    }
    const bool adam =
        out.optimizer() == proto::OPTIMIZER_ADAM || out.optimizer() == proto::OPTIMIZER_ADAMW;
    if (out.learning_rate() == 0) {
        out.set_learning_rate(adam ? 0.001 : 0.01);
    }
    if (out.optimizer() == proto::OPTIMIZER_ADAMW && out.weight_decay() == 0) {
        out.set_weight_decay(0.01);
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
    if (out.grad_accumulation() == 0) {
        out.set_grad_accumulation(1);
    }
    if (out.keep_checkpoints() == 0) {
        out.set_keep_checkpoints(3);
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
    } catch (const DeviceOutOfMemory &oom) {
        return base::makeError(base::ErrorCode::Backend, outOfMemoryText(oom, job),
                               job.runDir.string());
    } catch (const std::invalid_argument &error) {
        return base::makeError(base::ErrorCode::InvalidInput, error.what(), job.runDir.string());
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
