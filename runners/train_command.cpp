#include "runners/train_command.h"

#include "datasets/dataset_loader.h"
#include "proto/spec_io.h"
#include "runners/allocator_tuning.h"
#include "runners/blas_threads.h"
#include "runners/control_channel.h"
#include "runners/event_sink.h"
#include "runners/experiment_check.h"
#include "runners/number_text.h"
#include "runners/progress_bar.h"
#include "runners/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>

namespace tl::runners {
namespace {

// A failure that ends the run: the exit code it maps to and the error to report.
struct Failure
{
    ExitCode code;
    base::Error error;
};

// One sentence for the FAILED event and stderr: the message, with its context (file and
// line, field) in parentheses unless the message already names it (node errors do).
std::string failureText(const base::Error &error)
{
    if (error.context.empty() || error.message.find(error.context) != std::string::npos) {
        return error.message;
    }
    std::string message = error.message;
    if (!message.empty() && message.back() == '.') {
        message.pop_back();
    }
    return message + " (" + error.context + ").";
}

std::string perSecond(double samples)
{
    return groupedDigits(static_cast<std::int64_t>(samples)) + " samples/s";
}

std::string outcomeText(const TrainingOutcome &outcome)
{
    std::string text = outcome.stopped
                           ? "stopped by a STOP command at step " + std::to_string(outcome.steps)
                           : "training completed";
    if (outcome.earlyStopped) {
        text = "stopped early at step " + std::to_string(outcome.steps) + ": " + outcome.goalMetric
               + " stopped improving";
    }
    if (outcome.evaluated) {
        text += ": test accuracy " + percentText(outcome.testAccuracy) + " (test loss "
                + std::to_string(outcome.testLoss) + ")";
    }
    text += " after " + std::to_string(outcome.epochsCompleted) + " epoch(s)";
    if (outcome.lastEpochSamplesPerSecond > 0) {
        text += "; last epoch " + perSecond(outcome.lastEpochSamplesPerSecond);
    }
    if (!outcome.goalMetric.empty()) {
        text += "; best " + outcome.goalMetric + " " + shortNumber(outcome.bestValue) + " at step "
                + std::to_string(outcome.bestStep);
    }
    return text + "; checkpoint " + outcome.checkpoint;
}

// One `train` invocation with its run directory open. Lives on the main thread.
class TrainSession
{
public:
    TrainSession(const TrainArgs &args, EventSink &events);
    ExitCode run();

private:
    std::optional<Failure> prepare();
    void reportBlas();
    std::optional<Failure> loadData(ControlChannel &control, bool &stopped);
    ExitCode fail(const Failure &failure);

    const TrainArgs &m_args;
    EventSink &m_events;
    TrainingJob m_job;
};

TrainSession::TrainSession(const TrainArgs &args, EventSink &events)
    : m_args(args)
    , m_events(events)
{
    m_job.runDir = args.runDir;
}

ExitCode TrainSession::fail(const Failure &failure)
{
    const std::string text = failureText(failure.error);
    m_events.status(proto::RUN_STATE_FAILED, text);
    std::fprintf(stderr, "torchlight-worker: %s\n", text.c_str());
    return failure.code;
}

void TrainSession::reportBlas()
{
    const BlasInfo blas = limitBlasToOneThread();
    if (blas.backend == BlasBackend::Reference) {
        m_events.log(proto::LOG_LEVEL_WARNING,
                     "Matrix products go to " + blas.library
                         + ", which is not OpenBLAS (probably the reference BLAS): training will "
                           "be about 20x slower; install libopenblas0-pthread.");
    } else if (blas.backend == BlasBackend::OpenBlas) {
        m_events.log(proto::LOG_LEVEL_INFO,
                     "BLAS: OpenBLAS (" + blas.library + "), limited to one thread.");
    }
}

std::optional<Failure> TrainSession::prepare()
{
    auto spec = proto::readExperimentSpec(m_args.spec);
    if (!spec) {
        return Failure{ExitCode::InvalidInput, spec.error()};
    }
    m_job.spec = std::move(spec).value();
    auto device = m_args.device ? base::Result<DeviceRequest>(*m_args.device)
                                : parseDevice(m_job.spec.device());
    if (!device) {
        base::Error error = device.error();
        error.context = m_args.spec.string() + ", field device";
        return Failure{ExitCode::InvalidInput, error};
    }
    m_job.device = device.value();
    m_job.deviceMemoryBytes = deviceMemoryBytes(m_job.device);
    m_job.spec.set_device(m_job.device.id()); // experiment.pb records what ran
    if (auto available = checkDeviceAvailable(m_job.device); !available) {
        return Failure{ExitCode::DeviceUnavailable, available.error()};
    }
    auto analysis = checkExperiment(m_job.spec);
    if (!analysis) {
        return Failure{ExitCode::InvalidInput, analysis.error()};
    }
    m_job.analysis = std::move(analysis).value();
    if (!m_job.spec.model_file().empty()) {
        auto model = loadModelToTrain(m_job.spec.model_file(), m_job.analysis);
        if (!model) {
            return Failure{ExitCode::InvalidInput, model.error()};
        }
        m_job.fileModel = std::move(model).value();
    }
    if (auto written = proto::writeExperimentSpec(m_job.spec, m_args.runDir); !written) {
        return Failure{ExitCode::RunDirNotWritable, written.error()};
    }
    return std::nullopt;
}

std::optional<Failure> TrainSession::loadData(ControlChannel &control, bool &stopped)
{
    const auto start = std::chrono::steady_clock::now();
    auto dataset = datasets::loadDataset(m_job.spec.dataset(), {control.stopToken(), {}});
    if (!dataset) {
        stopped = dataset.error().code == base::ErrorCode::Cancelled;
        return Failure{ExitCode::InvalidInput, dataset.error()};
    }
    m_job.data = std::move(dataset).value();
    const datasets::Dataset &data = m_job.data;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.2f s", seconds);
    const std::string val =
        data.val.count() > 0 ? ", " + groupedDigits(data.val.count()) + " validation" : "";
    m_events.log(proto::LOG_LEVEL_INFO,
                 "Loaded " + data.format + " data: " + groupedDigits(data.train.count()) + " train"
                     + val + ", " + groupedDigits(data.test.count()) + " test samples of "
                     + model::shapeText(data.train.shape) + " "
                     + datasets::valueTypeName(data.train.type) + " in " + duration + ".");
    for (const std::string &warning : data.warnings) {
        m_events.log(proto::LOG_LEVEL_WARNING, warning);
    }
    if (m_job.fileModel) {
        if (auto probed = probeModelOutput(*m_job.fileModel, m_job.analysis, data.train.shape,
                                           m_job.spec.model_file());
            !probed) {
            return Failure{ExitCode::InvalidInput, probed.error()};
        }
    }
    if (auto fits = checkDataFitsModel(m_job.spec, m_job.analysis, data); !fits) {
        return Failure{ExitCode::InvalidInput, fits.error()};
    }
    return std::nullopt;
}

ExitCode TrainSession::run()
{
    reportBlas();
    if (auto failure = prepare()) {
        return fail(*failure);
    }
    ControlChannel control({isatty(STDIN_FILENO) ? -1 : STDIN_FILENO,
                            m_args.runDir / "control.tlog", [this](const std::string &text) {
                                m_events.log(proto::LOG_LEVEL_WARNING, text);
                            }});
    bool stopped = false;
    if (auto failure = loadData(control, stopped)) {
        if (!stopped) {
            return fail(*failure);
        }
        m_events.status(proto::RUN_STATE_STOPPED, "stopped by a STOP command while loading data");
        return ExitCode::Success;
    }
    auto outcome = train(std::move(m_job), m_events, control);
    if (!outcome) {
        return fail({ExitCode::TrainingFailed, outcome.error()});
    }
    m_events.status(outcome.value().stopped ? proto::RUN_STATE_STOPPED : proto::RUN_STATE_COMPLETED,
                    outcomeText(outcome.value()));
    return ExitCode::Success;
}

} // namespace

ExitCode runTrainCommand(const TrainArgs &args)
{
    keepFreedMemoryForReuse();
    // Records go to stdout for a pipe or file; a terminal would only show binary noise.
    auto sink = EventSink::open(args.runDir, isatty(STDOUT_FILENO) ? nullptr : stdout);
    if (!sink) {
        std::fprintf(stderr, "torchlight-worker: %s\n", failureText(sink.error()).c_str());
        return ExitCode::RunDirNotWritable;
    }
    EventSink &events = *sink.value();
    std::optional<ProgressBar> bar;
    if (args.progressBar) {
        bar.emplace(stderr);
        events.setObserver([&bar](const proto::RunEvent &event) { bar->onEvent(event); });
    }
    events.status(proto::RUN_STATE_STARTING, "torchlight-worker " TL_VERSION ", pid "
                                                 + std::to_string(getpid()) + ", spec "
                                                 + args.spec.string());
    ExitCode code = ExitCode::TrainingFailed;
    try {
        TrainSession session(args, events);
        code = session.run();
    } catch (const std::exception &error) {
        const std::string text = std::string("The worker failed: ") + error.what();
        events.status(proto::RUN_STATE_FAILED, text);
        std::fprintf(stderr, "torchlight-worker: %s\n", text.c_str());
    }
    // A run whose events.tlog lost records (a full disk) did not leave a complete run.
    if (auto lost = events.firstError()) {
        std::fprintf(stderr, "torchlight-worker: %s\n", failureText(*lost).c_str());
        if (code == ExitCode::Success) {
            code = ExitCode::RunDirNotWritable;
        }
    }
    return code;
}

} // namespace tl::runners
