#include "runners/worker_cli.h"

#include "proto/record_io.h"
#include "runners/exit_codes.h"
#include "runners/inspect_dataset_command.h"
#include "runners/model_commands.h"
#include "runners/train_command.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <string_view>

namespace tl::runners {
namespace {

using base::ErrorCode;

base::Error usageError(const std::string &message)
{
    return base::makeError(ErrorCode::InvalidInput, message);
}

// "--flag=value" or "--flag value": the value, advancing i past what was consumed.
base::Result<std::string>
flagValue(const std::vector<std::string> &args, std::size_t &i, std::string_view flag)
{
    const std::string &arg = args[i];
    if (arg.size() > flag.size() && arg[flag.size()] == '=') {
        return arg.substr(flag.size() + 1);
    }
    if (i + 1 >= args.size()) {
        return usageError(std::string(flag) + " needs a value.");
    }
    return args[++i];
}

bool isFlag(const std::string &arg, std::string_view flag)
{
    return arg == flag
           || (arg.size() > flag.size() && arg.compare(0, flag.size(), flag) == 0
               && arg[flag.size()] == '=');
}

base::Status applyTrainFlag(const std::vector<std::string> &args, std::size_t &i, TrainArgs &out)
{
    const std::string &arg = args[i];
    if (arg == "--progress") {
        out.progressBar = true;
        return base::okStatus();
    }
    for (std::string_view flag : {"--spec", "--run-dir", "--device"}) {
        if (!isFlag(arg, flag)) {
            continue;
        }
        auto value = flagValue(args, i, flag);
        if (!value) {
            return value.error();
        }
        if (value.value().empty()) {
            return usageError(std::string(flag) + " needs a non-empty value.");
        }
        if (flag == "--spec") {
            out.spec = value.value();
        } else if (flag == "--run-dir") {
            out.runDir = value.value();
        } else if (auto device = parseDevice(value.value()); device) {
            out.device = device.value();
        } else {
            return usageError(device.error().message);
        }
        return base::okStatus();
    }
    return usageError("Unknown argument '" + arg + "' for train.");
}

std::string exitCodeTable()
{
    std::string text;
    for (ExitCode code :
         {ExitCode::Success, ExitCode::TrainingFailed, ExitCode::UsageError, ExitCode::InvalidInput,
          ExitCode::DeviceUnavailable, ExitCode::RunDirNotWritable}) {
        text += "  " + std::to_string(toInt(code)) + "  " + exitCodeMeaning(code) + "\n";
    }
    return text;
}

int usageFailure(const base::Error &error)
{
    std::fprintf(stderr, "torchlight-worker: %s\nRun 'torchlight-worker --help' for usage.\n",
                 error.message.c_str());
    return toInt(ExitCode::UsageError);
}

int runDevices(const std::vector<std::string> &args)
{
    auto parsed = parseDevicesArgs(args);
    if (!parsed) {
        return usageFailure(parsed.error());
    }
    const proto::DeviceList devices = availableDevices();
    if (!parsed.value().records) {
        std::fputs(describeDevices(devices).c_str(), stdout);
        return toInt(ExitCode::Success);
    }
    proto::RunEvent event;
    event.set_wall_time(
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    *event.mutable_devices() = devices;
    auto writer = proto::RecordWriter::forStream(stdout, "stdout");
    if (auto written = writer.write(event.SerializeAsString()); !written) {
        std::fprintf(stderr, "torchlight-worker: %s\n", written.error().describe().c_str());
        return toInt(ExitCode::TrainingFailed);
    }
    return toInt(ExitCode::Success);
}

int runTrain(const std::vector<std::string> &args)
{
    auto parsed = parseTrainArgs(args);
    if (!parsed) {
        return usageFailure(parsed.error());
    }
    return toInt(runTrainCommand(parsed.value()));
}

int runInspect(const std::vector<std::string> &args)
{
    auto parsed = parseInspectArgs(args);
    if (!parsed) {
        return usageFailure(parsed.error());
    }
    return runInspectDataset(parsed.value());
}

// A subcommand that parses its arguments, then runs (usage errors exit with code 2).
template<typename Args>
std::function<int(const std::vector<std::string> &)>
parsedThen(base::Result<Args> (*parse)(const std::vector<std::string> &), int (*run)(const Args &))
{
    return [parse, run](const std::vector<std::string> &args) {
        auto parsed = parse(args);
        if (!parsed) {
            return usageFailure(parsed.error());
        }
        return run(parsed.value());
    };
}

// One subcommand of the worker; a later issue adds debug here.
struct Subcommand
{
    const char *name;
    std::function<int(const std::vector<std::string> &)> run;
};

int dispatch(const std::vector<std::string> &args)
{
    if (args.empty()) {
        return usageFailure(usageError("No subcommand given."));
    }
    const std::string &first = args.front();
    const bool helpAsked =
        std::find_if(args.begin(), args.end(),
                     [](const std::string &a) { return a == "--help" || a == "-h"; })
        != args.end();
    if (first == "help" || helpAsked) {
        std::fputs(usageText().c_str(), stdout);
        return toInt(ExitCode::Success);
    }
    if (first == "--version") {
        std::puts("torchlight-worker " TL_VERSION);
        return toInt(ExitCode::Success);
    }
    const Subcommand subcommands[] = {
        {"train", runTrain},
        {"devices", runDevices},
        {"inspect-dataset", runInspect},
        {"eval", parsedThen(parseEvalArgs, runEval)},
        {"inspect-model", parsedThen(parseInspectModelArgs, runInspectModel)},
        {"export-onnx", parsedThen(parseExportOnnxArgs, runExportOnnx)}};
    for (const Subcommand &subcommand : subcommands) {
        if (first == subcommand.name) {
            return subcommand.run({args.begin() + 1, args.end()});
        }
    }
    return usageFailure(usageError("Unknown subcommand '" + first + "'."));
}

} // namespace

base::Result<TrainArgs> parseTrainArgs(const std::vector<std::string> &args)
{
    TrainArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (auto applied = applyTrainFlag(args, i, out); !applied) {
            return applied.error();
        }
    }
    if (out.spec.empty()) {
        return usageError("train needs --spec FILE.");
    }
    if (out.runDir.empty()) {
        return usageError("train needs --run-dir DIR.");
    }
    return out;
}

base::Result<DevicesArgs> parseDevicesArgs(const std::vector<std::string> &args)
{
    DevicesArgs out;
    for (const std::string &arg : args) {
        if (arg != "--records") {
            return usageError("Unknown argument '" + arg + "' for devices.");
        }
        out.records = true;
    }
    return out;
}

std::string usageText()
{
    const std::string head =
        "torchlight-worker " TL_VERSION
        " - trains Torchlight experiments with libtorch (docs/worker.md)\n"
        "\n"
        "Usage:\n"
        "  torchlight-worker train --spec FILE --run-dir DIR [--device cpu|cuda|cuda:N] "
        "[--progress]\n"
        "  torchlight-worker devices [--records]\n"
        "  torchlight-worker inspect-dataset PATH... [options]\n"
        "  torchlight-worker eval --model FILE --input X.npy --output Y.npy [--device D]\n"
        "  torchlight-worker inspect-model FILE [--view OUT.pb]\n"
        "  torchlight-worker export-onnx --spec FILE --output OUT.onnx [--checkpoint CKPT.pt]\n"
        "  torchlight-worker --help | --version\n"
        "\n"
        "train      Trains the ExperimentSpec in FILE (.pb binary, .pbtxt text) and writes the\n"
        "           run into DIR (created if missing).\n"
        "  --spec FILE        the experiment spec\n"
        "  --run-dir DIR      the run directory\n"
        "  --device D         cpu, cuda or cuda:N; overrides the spec's device (default cpu)\n"
        "  --progress         draw a progress bar on stderr and a final line with the result\n"
        "devices    Lists the CPU and CUDA devices this worker can train on.\n"
        "  --records          write one framed RunEvent{devices} record on stdout instead\n"
        "eval       Runs a model (.onnx, TorchScript .pt, or a run's model.tlmodel) on the\n"
        "           NumPy array X (the batch dimension first) and writes its output as Y.\n"
        "inspect-model  Prints a model file's summary as JSON: inputs, outputs, node count by\n"
        "           op, parameter count, ops that block training.\n"
        "  --view OUT.pb      also write the whole graph (tl.proto.ViewGraph) for the GUI\n"
        "export-onnx  Writes the spec's model as ONNX (opset 17), with the weights of CKPT (a\n"
        "           run's checkpoints/last.pt) or freshly initialised ones (seeded by the spec).\n";
    const std::string tail =
        "\n"
        "Files a run leaves in DIR:\n"
        "  experiment.pb, experiment.pbtxt   the spec that ran (device resolved)\n"
        "  events.tlog                       RunEvent records (framed, append-only)\n"
        "  worker.log                        the same events as readable lines\n"
        "  checkpoints/last.pt               model and optimizer state at the end\n"
        "  checkpoints/best.pt, step-N.pt    the best and periodic checkpoints\n"
        "  model.tlmodel                     the trained model alone (graph and weights)\n"
        "  control.tlog                      read, not written: ControlCommand records\n"
        "\n"
        "Streams: stdout carries the same RunEvent records as events.tlog unless it is a\n"
        "terminal. stdin and DIR/control.tlog are read for ControlCommand records (PAUSE,\n"
        "RESUME, STOP); EOF on stdin is not a stop. STOP ends the current step, writes the\n"
        "checkpoint and exits with 0. Errors print one line on stderr.\n"
        "\n"
        "Exit codes:\n";
    return head + inspectUsage() + tail + exitCodeTable();
}

int runWorker(int argc, char **argv)
{
    // The GUI may close its end of the stdout pipe; a write must fail, not kill the run.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return dispatch(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception &error) {
        std::fprintf(stderr, "torchlight-worker: unexpected failure: %s\n", error.what());
    } catch (...) {
        std::fprintf(stderr, "torchlight-worker: unexpected failure of an unknown kind\n");
    }
    return toInt(ExitCode::TrainingFailed);
}

} // namespace tl::runners
