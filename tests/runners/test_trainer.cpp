#include "band_runs.h"
#include "proto/record_io.h"
#include "runners/blas_threads.h"
#include "runners/checkpoint.h"
#include "runners/control_channel.h"
#include "runners/event_sink.h"
#include "runners/experiment_check.h"
#include "runners/graph_module.h"
#include "runners/split_tensors.h"
#include "runners/trainer.h"
#include "scratch_dir.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

namespace fs = std::filesystem;
using namespace tl;

using namespace tl::testing;

TEST_CASE("Training learns a separable problem and reports every epoch", "[runners]")
{
    const RunRecord run = trainBands("trainer_sgd", proto::OPTIMIZER_SGD);
    CHECK_FALSE(run.outcome.stopped);
    CHECK(run.outcome.epochsCompleted == 3);
    CHECK(run.outcome.steps == 30); // ceil(300 / 32) = 10 steps per epoch
    CHECK(run.outcome.evaluated);
    CHECK(run.outcome.testAccuracy > 0.9);
    CHECK(scalars(run, "train/accuracy").size() == 3);
    CHECK(scalars(run, "test/accuracy").size() == 3);
    CHECK(scalars(run, "train/loss").size() == 15); // every 2 steps
    REQUIRE(run.events.front().has_log());
    CHECK(run.events.back().checkpoint().path() == "checkpoints/last.pt");
    CHECK(fs::exists(run.runDir / "checkpoints" / "last.pt"));
    std::size_t running = 0;
    for (const proto::RunEvent &e : run.events) {
        running += e.has_status() && e.status().state() == proto::RUN_STATE_RUNNING;
    }
    CHECK(running == 1);
}

TEST_CASE("Two single-threaded runs of the same spec report the same losses", "[runners]")
{
    const RunRecord a = trainBands("trainer_repeat_a", proto::OPTIMIZER_SGD);
    const RunRecord b = trainBands("trainer_repeat_b", proto::OPTIMIZER_SGD);
    REQUIRE_FALSE(scalars(a, "train/loss").empty());
    CHECK(scalars(a, "train/loss") == scalars(b, "train/loss"));
    CHECK(scalars(a, "test/loss") == scalars(b, "test/loss"));
}

TEST_CASE("Adam trains too, and the final checkpoint loads into the same graph", "[runners]")
{
    const RunRecord run = trainBands("trainer_adam", proto::OPTIMIZER_ADAM);
    CHECK(run.outcome.testAccuracy > 0.9);
    for (double loss : scalars(run, "train/loss")) {
        CHECK(std::isfinite(loss));
    }
    const proto::ExperimentSpec spec = bandSpec(proto::OPTIMIZER_ADAM);
    auto analysis = model::analyzeGraph(spec.model());
    REQUIRE(analysis.ok());
    runners::GraphModule module(spec.model(), analysis.value());
    auto info = runners::loadCheckpoint(run.runDir / run.outcome.checkpoint, *module, nullptr);
    REQUIRE(info.ok());
    CHECK(info.value().epoch == 3);
    CHECK(info.value().step == 30);
}

TEST_CASE("With a validation split each epoch evaluates it and the test split is evaluated once",
          "[runners]")
{
    const RunRecord run = trainBands("trainer_val", proto::OPTIMIZER_SGD, {}, true);
    CHECK(scalars(run, "val/accuracy").size() == 3);
    CHECK(scalars(run, "val/loss").size() == 3);
    REQUIRE(scalars(run, "test/accuracy").size() == 1);
    CHECK(scalars(run, "test/accuracy").front() == run.outcome.testAccuracy);
    CHECK(run.outcome.testAccuracy > 0.9);
}

TEST_CASE("Every data placement trains to the same losses", "[runners]")
{
    // On the CPU the placements differ only in when bytes become normalised floats: the losses
    // must agree to float rounding. TL_DATA_PLACEMENT is how tests reach each path.
    struct PlacementOverride // unset again however the test ends
    {
        ~PlacementOverride() { ::unsetenv("TL_DATA_PLACEMENT"); }
    } restore;
    std::vector<std::vector<double>> losses;
    for (const char *placement : {"device-float", "device-bytes", "host-stream"}) {
        ::setenv("TL_DATA_PLACEMENT", placement, 1);
        const RunRecord run =
            trainBands(std::string("trainer_place_") + placement, proto::OPTIMIZER_SGD);
        losses.push_back(scalars(run, "train/loss"));
        bool logged = false;
        for (const proto::RunEvent &e : run.events) {
            logged = logged
                     || (e.has_log()
                         && e.log().text().find(runners::placementName(
                                runners::choosePlacement(torch::kCPU, 0, 1, true)))
                                != std::string::npos);
        }
        CHECK(logged);
    }
    REQUIRE(losses[0].size() == 15);
    for (std::size_t i = 0; i < losses[0].size(); ++i) {
        CHECK(losses[1][i] == Approx(losses[0][i]).epsilon(1e-4));
        CHECK(losses[2][i] == Approx(losses[0][i]).epsilon(1e-4));
    }
}

TEST_CASE("On CUDA every data placement trains to the CPU's losses", "[runners][.cuda]")
{
    // Issue 4: resident float, resident bytes normalised per batch, and pinned host streaming.
    REQUIRE(torch::cuda::is_available());
    struct PlacementOverride
    {
        ~PlacementOverride() { ::unsetenv("TL_DATA_PLACEMENT"); }
    } restore;
    const std::vector<double> cpu =
        scalars(trainBands("trainer_cuda_cpu", proto::OPTIMIZER_SGD), "train/loss");
    REQUIRE(cpu.size() == 15);
    runners::DeviceRequest cuda;
    cuda.kind = runners::DeviceRequest::Kind::Cuda;
    for (const char *placement : {"device-float", "device-bytes", "host-stream"}) {
        ::setenv("TL_DATA_PLACEMENT", placement, 1);
        const RunRecord run = trainBands(std::string("trainer_cuda_") + placement,
                                         proto::OPTIMIZER_SGD, {}, false, cuda);
        const std::vector<double> losses = scalars(run, "train/loss");
        REQUIRE(losses.size() == cpu.size());
        for (std::size_t i = 0; i < losses.size(); ++i) {
            CHECK(losses[i] == Approx(cpu[i]).epsilon(1e-3).margin(1e-5));
        }
    }
}

TEST_CASE("Data goes to a CUDA device as float when it fits, else as bytes, else streams",
          "[runners]")
{
    const torch::Device cuda(torch::kCUDA, 0);
    const std::uint64_t gib = std::uint64_t{1} << 30;
    CHECK(runners::choosePlacement(cuda, 80 * gib, gib, true) == runners::Placement::DeviceFloat);
    CHECK(runners::choosePlacement(cuda, 8 * gib, gib, true) == runners::Placement::DeviceBytes);
    CHECK(runners::choosePlacement(cuda, 8 * gib, gib, false) == runners::Placement::HostStream);
    CHECK(runners::choosePlacement(cuda, 2 * gib, gib, true) == runners::Placement::HostStream);
    CHECK(runners::choosePlacement(torch::kCPU, 0, 100 * gib, true)
          == runners::Placement::DeviceFloat);
}

TEST_CASE("A STOP waiting in control.tlog ends training before its first step, with a "
          "checkpoint",
          "[runners]")
{
    const RunRecord run = trainBands("trainer_stop", proto::OPTIMIZER_SGD, [](const fs::path &dir) {
        auto writer = proto::RecordWriter::openFile(dir / "control.tlog");
        REQUIRE(writer.ok());
        proto::ControlCommand stop;
        stop.set_action(proto::ControlCommand::ACTION_STOP);
        REQUIRE(writer.value().write(stop.SerializeAsString()).ok());
    });
    CHECK(run.outcome.stopped);
    CHECK(run.outcome.steps == 0);
    CHECK(run.outcome.epochsCompleted == 0);
    CHECK_FALSE(run.outcome.evaluated);
    CHECK(fs::exists(run.runDir / "checkpoints" / "last.pt"));
    CHECK(run.events.back().has_checkpoint());
}

TEST_CASE("OpenBLAS does the matrix products, limited to one thread", "[runners]")
{
    // Without libopenblas0-pthread Debian's libtorch falls back to the reference BLAS, ~20x
    // slower (DESIGN.md, Facts): the setup must install it.
    const runners::BlasInfo blas = runners::limitBlasToOneThread();
    INFO("sgemm_ comes from " << blas.library);
    if (blas.library.find("libtorch") != std::string::npos) {
        // PyTorch's wheels (the GPU machine's libtorch) carry their own BLAS inside libtorch_cpu.
        WARN("skipped: this libtorch brings its own BLAS (" << blas.library << ")");
        return;
    }
    CHECK(blas.backend == runners::BlasBackend::OpenBlas);
}
