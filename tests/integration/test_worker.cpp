// End-to-end tests of torchlight-worker (docs/worker.md): the real executable, real
// Fashion-MNIST files, real pipes and run directories.
#include "datasets/npy_format.h"
#include "datasets/npy_writer.h"
#include "proto/record_io.h"
#include "proto/spec_io.h"
#include "tests/runners/scratch_dir.h"
#include "worker_process.h"
#include "worker_specs.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace tl;
using namespace std::chrono_literals;
using namespace tl::testing;

TEST_CASE("The worker trains the MLP on 2,000 Fashion-MNIST images and leaves a complete run",
          "[integration]")
{
    if (!haveFashion()) {
        WARN("skipped: " << kFashion << " is absent (install dataset-fashion-mnist)");
        return;
    }
    const fs::path dir = freshDir("e2e");
    const fs::path spec = writeSpec(mlpSpec(2000, 2), dir, "experiment-in.pbtxt");
    WorkerProcess worker({"train", "--spec", spec.string(), "--run-dir", (dir / "run").string()});
    REQUIRE(runToExit(worker) == kExitOk);

    const std::vector<proto::RunEvent> events = readEvents(dir / "run");
    const std::vector<proto::RunState> seen = states(events);
    REQUIRE(seen.size() >= 3);
    CHECK(seen.front() == proto::RUN_STATE_STARTING);
    CHECK(seen[1] == proto::RUN_STATE_RUNNING);
    CHECK(seen.back() == proto::RUN_STATE_COMPLETED);
    CHECK(std::count_if(events.begin(), events.end(),
                        [](const proto::RunEvent &e) { return e.has_progress(); })
          >= 2);
    CHECK(scalars(events, "train/loss").size() >= 6); // 64 steps, every 10
    CHECK(scalars(events, "train/accuracy").size() == 2);
    const auto accuracy = scalars(events, "test/accuracy");
    REQUIRE(accuracy.size() == 2);
    CHECK(accuracy.back().step() == 64);
    CHECK(accuracy.back().value() > 0.70);

    // best.pt after each improving evaluation, then last.pt when the run ends.
    const auto checkpoint =
        std::find_if(events.begin(), events.end(), [](const proto::RunEvent &e) {
            return e.has_checkpoint() && e.checkpoint().kind() == proto::CHECKPOINT_LAST;
        });
    REQUIRE(checkpoint != events.end());
    CHECK(checkpoint->checkpoint().path() == "checkpoints/last.pt");
    CHECK(fs::is_regular_file(dir / "run" / checkpoint->checkpoint().path()));
    CHECK(checkpoint->checkpoint().step() == 64);
    CHECK(fs::is_regular_file(dir / "run" / "checkpoints" / "best.pt"));

    // The trained model alone (graph and weights) evaluates like any model file.
    REQUIRE(fs::is_regular_file(dir / "run" / "model.tlmodel"));
    const std::vector<float> images(3 * 28 * 28, 0.25f);
    REQUIRE(datasets::writeNpy(dir / "x.npy", "<f4", {3, 1, 28, 28}, images.data(),
                               images.size() * sizeof(float))
                .ok());
    WorkerProcess eval({"eval", "--model", (dir / "run" / "model.tlmodel").string(), "--input",
                        (dir / "x.npy").string(), "--output", (dir / "y.npy").string()});
    REQUIRE(runToExit(eval) == kExitOk);
    auto logits = datasets::readNpyHeader(dir / "y.npy");
    REQUIRE(logits.ok());
    CHECK(logits.value().shape == std::vector<std::uint64_t>{3, 10});

    // stdout carried the very same records, byte for byte.
    CHECK(worker.streamError().empty());
    CHECK(worker.stdoutBytes() == readFile(dir / "run" / "events.tlog"));
    CHECK(fs::is_regular_file(dir / "run" / "experiment.pb"));
    CHECK(fs::is_regular_file(dir / "run" / "experiment.pbtxt"));
    CHECK_THAT(readFile(dir / "run" / "worker.log"), Catch::Contains("status completed"));
    CHECK(worker.stderrText().empty());
}

TEST_CASE("STOP on stdin ends the run with STOPPED, a checkpoint and exit code 0", "[integration]")
{
    if (!haveFashion()) {
        WARN("skipped: " << kFashion << " is absent (install dataset-fashion-mnist)");
        return;
    }
    const fs::path dir = freshDir("stop_stdin");
    const fs::path spec = writeSpec(mlpSpec(2000, 500), dir, "spec.pb");
    WorkerProcess worker({"train", "--spec", spec.string(), "--run-dir", (dir / "run").string()});
    REQUIRE(worker.waitForEvent([](const proto::RunEvent &e) { return e.has_progress(); },
                                kRunTimeout));
    worker.send(proto::ControlCommand::ACTION_STOP);
    REQUIRE(runToExit(worker) == kExitOk);

    const std::vector<proto::RunEvent> events = readEvents(dir / "run");
    CHECK(states(events).back() == proto::RUN_STATE_STOPPED);
    const auto checkpoint = std::find_if(
        events.begin(), events.end(), [](const proto::RunEvent &e) { return e.has_checkpoint(); });
    REQUIRE(checkpoint != events.end());
    CHECK(fs::is_regular_file(dir / "run" / checkpoint->checkpoint().path()));
    CHECK(checkpoint->checkpoint().step()
          < std::int64_t{500} * 32); // long before the 500 epochs were done
}

TEST_CASE("PAUSE, RESUME and STOP appended to control.tlog work with stdin closed", "[integration]")
{
    if (!haveFashion()) {
        WARN("skipped: " << kFashion << " is absent (install dataset-fashion-mnist)");
        return;
    }
    const fs::path dir = freshDir("control_file");
    const fs::path run = dir / "run";
    const fs::path spec = writeSpec(mlpSpec(2000, 500), dir, "spec.pbtxt");
    WorkerProcess worker({"train", "--spec", spec.string(), "--run-dir", run.string()});
    worker.closeStdin(); // EOF on stdin is not a stop
    REQUIRE(worker.waitForEvent([](const proto::RunEvent &e) { return e.has_progress(); },
                                kRunTimeout));
    appendControl(run, proto::ControlCommand::ACTION_PAUSE);
    REQUIRE(worker.waitForEvent(
        [](const proto::RunEvent &e) { return isState(e, proto::RUN_STATE_PAUSED); }, kRunTimeout));
    appendControl(run, proto::ControlCommand::ACTION_RESUME);
    REQUIRE(worker.waitForEvent(
        [](const proto::RunEvent &e) {
            return isState(e, proto::RUN_STATE_RUNNING)
                   && e.status().message().find("resumed") != std::string::npos;
        },
        kRunTimeout));
    appendControl(run, proto::ControlCommand::ACTION_STOP);
    REQUIRE(runToExit(worker) == kExitOk);

    const std::vector<proto::RunEvent> events = readEvents(run);
    CHECK(states(events)
          == std::vector<proto::RunState>{proto::RUN_STATE_STARTING, proto::RUN_STATE_RUNNING,
                                          proto::RUN_STATE_PAUSED, proto::RUN_STATE_RUNNING,
                                          proto::RUN_STATE_STOPPED});
    // While paused the loop waits: no step, so no progress, between PAUSED and RUNNING.
    const auto paused = std::find_if(events.begin(), events.end(), [](const auto &e) {
        return isState(e, proto::RUN_STATE_PAUSED);
    });
    const auto resumed = std::find_if(
        paused, events.end(), [](const auto &e) { return isState(e, proto::RUN_STATE_RUNNING); });
    CHECK(std::none_of(paused, resumed, [](const auto &e) { return e.has_progress(); }));
}

TEST_CASE("Two single-threaded CPU runs of the same spec report identical losses", "[integration]")
{
    if (!haveFashion()) {
        WARN("skipped: " << kFashion << " is absent (install dataset-fashion-mnist)");
        return;
    }
    const fs::path dir = freshDir("repeat");
    proto::ExperimentSpec spec = mlpSpec(640, 1);
    spec.mutable_train()->set_log_every_steps(2);
    const fs::path specPath = writeSpec(spec, dir, "spec.pb");
    std::vector<std::vector<double>> losses;
    for (const char *run : {"a", "b"}) {
        WorkerProcess worker(
            {"train", "--spec", specPath.string(), "--run-dir", (dir / run).string()});
        REQUIRE(runToExit(worker) == kExitOk);
        losses.emplace_back();
        for (const proto::ScalarEvent &s : scalars(readEvents(dir / run), "train/loss")) {
            losses.back().push_back(s.value());
        }
    }
    CHECK(losses[0].size() == 5);
    CHECK(losses[0] == losses[1]);
}

TEST_CASE("Asking for CUDA on a CPU-only build exits with code 4 and one line on stderr",
          "[integration]")
{
    const fs::path dir = freshDir("cuda");
    const fs::path spec = writeSpec(mlpSpec(100, 1), dir, "spec.pb");
    WorkerProcess worker({"train", "--spec", spec.string(), "--run-dir", (dir / "run").string(),
                          "--device", "cuda"});
    REQUIRE(runToExit(worker) == kExitNoDevice);
    const std::string expected =
        "torchlight-worker: CUDA device 'cuda:0' requested but this build/machine has no CUDA "
        "(torch::cuda::is_available() is false); use --device cpu\n";
    CHECK(worker.stderrText() == expected);
    const std::optional<proto::StatusEvent> status = lastStatus(readEvents(dir / "run"));
    REQUIRE(status);
    CHECK(status->state() == proto::RUN_STATE_FAILED);
    CHECK_THAT(status->message(), Catch::Contains("cuda:0"));
}

TEST_CASE("A spec naming a missing dataset file fails naming the file, with exit code 3",
          "[integration]")
{
    const fs::path dir = freshDir("missing_file");
    proto::ExperimentSpec spec = mlpSpec(100, 1);
    spec.mutable_dataset()->set_train_labels((dir / "no-such-labels-idx1-ubyte.gz").string());
    WorkerProcess worker({"train", "--spec", writeSpec(spec, dir, "spec.pb").string(), "--run-dir",
                          (dir / "run").string()});
    REQUIRE(runToExit(worker) == kExitInvalid);
    const std::optional<proto::StatusEvent> status = lastStatus(readEvents(dir / "run"));
    REQUIRE(status);
    CHECK(status->state() == proto::RUN_STATE_FAILED);
    CHECK_THAT(status->message(), Catch::Contains("no-such-labels-idx1-ubyte.gz"));
    CHECK(lineCount(worker.stderrText()) == 1);
}

TEST_CASE("A malformed .pbtxt fails naming its line and column, with exit code 3", "[integration]")
{
    const fs::path dir = freshDir("malformed");
    std::ofstream(dir / "bad.pbtxt") << "name: \"broken\"\ntrain { epochs: -zz }\n";
    WorkerProcess worker(
        {"train", "--spec", (dir / "bad.pbtxt").string(), "--run-dir", (dir / "run").string()});
    REQUIRE(runToExit(worker) == kExitInvalid);
    CHECK_THAT(worker.stderrText(), Catch::Contains("bad.pbtxt, line 2, column"));
    const std::optional<proto::StatusEvent> status = lastStatus(readEvents(dir / "run"));
    REQUIRE(status);
    CHECK(status->state() == proto::RUN_STATE_FAILED);
    CHECK_THAT(status->message(), Catch::Contains("line 2, column"));
}

TEST_CASE("A model whose output size differs from the class count fails naming the node",
          "[integration]")
{
    if (!haveFashion()) {
        WARN("skipped: " << kFashion << " is absent (install dataset-fashion-mnist)");
        return;
    }
    const fs::path dir = freshDir("classes");
    const fs::path spec = writeSpec(mlpSpec(200, 1, 5), dir, "spec.pb");
    WorkerProcess worker({"train", "--spec", spec.string(), "--run-dir", (dir / "run").string()});
    REQUIRE(runToExit(worker) == kExitInvalid);
    const std::optional<proto::StatusEvent> status = lastStatus(readEvents(dir / "run"));
    REQUIRE(status);
    CHECK(status->state() == proto::RUN_STATE_FAILED);
    CHECK_THAT(status->message(), Catch::Contains("'fc2'") && Catch::Contains("10"));
}

TEST_CASE("devices --records answers one RunEvent with a DeviceList starting with the CPU",
          "[integration]")
{
    WorkerProcess records({"devices", "--records"});
    REQUIRE(runToExit(records) == kExitOk);
    CHECK(records.streamError().empty());
    REQUIRE(records.events().size() == 1);
    const proto::DeviceList &list = records.events().front().devices();
    REQUIRE(list.devices_size() >= 1);
    CHECK(list.devices(0).id() == "cpu");
    CHECK(list.devices(0).memory_bytes() > 0);

    WorkerProcess text({"devices"});
    REQUIRE(runToExit(text) == kExitOk);
    CHECK_THAT(text.stdoutBytes(), Catch::StartsWith("cpu "));
}

TEST_CASE("Usage errors exit with code 2 and --help documents the exit codes", "[integration]")
{
    WorkerProcess none(std::vector<std::string>{});
    CHECK(runToExit(none) == kExitUsage);
    WorkerProcess noRunDir({"train", "--spec", "x.pb"});
    CHECK(runToExit(noRunDir) == kExitUsage);
    CHECK_THAT(noRunDir.stderrText(), Catch::Contains("--run-dir"));
    WorkerProcess help({"--help"});
    REQUIRE(runToExit(help) == kExitOk);
    CHECK_THAT(help.stdoutBytes(), Catch::Contains("Exit codes:") && Catch::Contains("  5  "));
}

TEST_CASE("A run directory that cannot be created exits with code 5 and one line on stderr",
          "[integration]")
{
    const fs::path dir = freshDir("run_dir");
    std::ofstream(dir / "file") << "a regular file where the run directory's parent should be";
    const fs::path spec = writeSpec(mlpSpec(100, 1), dir, "spec.pb");
    WorkerProcess worker(
        {"train", "--spec", spec.string(), "--run-dir", (dir / "file" / "run").string()});
    REQUIRE(runToExit(worker) == kExitRunDir);
    CHECK(lineCount(worker.stderrText()) == 1);
    CHECK_THAT(worker.stderrText(), Catch::Contains((dir / "file" / "run").string()));
}

TEST_CASE("A run whose events.tlog cannot take records exits with code 5", "[integration]")
{
    if (!haveFashion() || !fs::exists("/dev/full")) {
        WARN("skipped: needs " << kFashion << " and /dev/full");
        return;
    }
    const fs::path dir = freshDir("full_disk");
    fs::create_directories(dir / "run");
    fs::create_symlink("/dev/full", dir / "run" / "events.tlog"); // every write: ENOSPC
    const fs::path spec = writeSpec(mlpSpec(128, 1), dir, "spec.pb");
    WorkerProcess worker({"train", "--spec", spec.string(), "--run-dir", (dir / "run").string()});
    REQUIRE(runToExit(worker) == kExitRunDir);
    CHECK_THAT(worker.stderrText(), Catch::Contains("events.tlog"));
    // stdout and worker.log still carried the run.
    const std::optional<proto::StatusEvent> status = lastStatus(worker.events());
    REQUIRE(status);
    CHECK(status->state() == proto::RUN_STATE_COMPLETED);
    CHECK_THAT(readFile(dir / "run" / "worker.log"), Catch::Contains("status completed"));
}

TEST_CASE("The worker warns when the reference BLAS does its matrix products", "[integration]")
{
    const fs::path referenceBlas = "/usr/lib/x86_64-linux-gnu/blas";
    if (!haveFashion() || !fs::exists(referenceBlas / "libblas.so.3")) {
        WARN("skipped: needs " << kFashion << " and the reference BLAS in " << referenceBlas);
        return;
    }
    const fs::path dir = freshDir("reference_blas");
    const fs::path spec = writeSpec(mlpSpec(128, 1), dir, "spec.pb");
    WorkerProcess worker({"train", "--spec", spec.string(), "--run-dir", (dir / "run").string()},
                         {"LD_LIBRARY_PATH=" + referenceBlas.string()});
    REQUIRE(runToExit(worker) == kExitOk);
    const std::vector<proto::RunEvent> events = readEvents(dir / "run");
    CHECK(std::any_of(events.begin(), events.end(), [](const proto::RunEvent &e) {
        return e.has_log() && e.log().level() == proto::LOG_LEVEL_WARNING
               && e.log().text().find("libopenblas0-pthread") != std::string::npos;
    }));
}
