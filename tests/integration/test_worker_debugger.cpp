// End-to-end tests of the worker's step debugger (runners/debug_probe.h): the real worker
// stops a training step node by node, forward and backward, answers inspections, breaks at a
// node or on the first NaN/Inf, and takes its commands on stdin or from control.tlog (the
// remote transport) alike.
#include "proto/run_state.h"
#include "worker_process.h"
#include "worker_specs.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace tl;
using namespace tl::testing;

namespace {

proto::ControlCommand inspect(const std::string &tensor)
{
    proto::ControlCommand made = proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_INSPECT);
    made.set_tensor(tensor);
    return made;
}

std::vector<std::int64_t> shapeOf(const proto::TensorSnapshot &snapshot)
{
    return {snapshot.shape().begin(), snapshot.shape().end()};
}

// "fc1 forward" / "fc1 backward": where a stop is, for comparing sequences.
std::string where(const proto::DebugEvent &event)
{
    return event.node()
           + (event.phase() == proto::DebugEvent::PHASE_FORWARD ? " forward" : " backward");
}

bool contains(const google::protobuf::RepeatedPtrField<std::string> &names, const std::string &name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

TEST_CASE("The debugger steps one training step node by node, forward then backward, and "
          "continues to the end",
          "[integration][debugger]")
{
    if (!haveFashion()) {
        WARN("skipped: " << kFashion << " is absent (install dataset-fashion-mnist)");
        return;
    }
    const fs::path dir = freshDir("debug_step");
    proto::ExperimentSpec spec = mlpSpec(640, 1);
    spec.mutable_train()->mutable_debug()->set_break_at_start(true);
    WorkerProcess worker({"train", "--spec", writeSpec(spec, dir, "spec.pb").string(), "--run-dir",
                          (dir / "run").string()});
    DebugEvents debug(worker);

    const proto::DebugEvent first = debug.next();
    CHECK(first.reason() == proto::DebugEvent::REASON_BREAK);
    CHECK(first.step() == 1);
    CHECK(where(first) == "input forward");
    CHECK(std::vector<std::string>(first.nodes().begin(), first.nodes().end())
          == std::vector<std::string>{"input", "flatten", "fc1", "relu1", "fc2", "loss"});
    // The input node's output is the normalised batch itself.
    CHECK(shapeOf(first.tensor()) == std::vector<std::int64_t>{64, 1, 28, 28});
    CHECK(first.tensor().dtype() == "float32");
    CHECK(first.tensor().count() == 64u * 784u);
    CHECK(first.tensor().values_size() == 4096);
    CHECK(first.tensor().histogram_size() == 32);
    CHECK(first.tensor().nan_count() == 0);
    CHECK(first.tensor().min() < first.tensor().max());

    // Step through the rest of the pass: the forward nodes, the loss, then each gradient back.
    std::vector<std::string> stops;
    proto::DebugEvent at;
    do {
        worker.send(proto::ControlCommand::ACTION_DEBUG_STEP);
        at = debug.next();
        CHECK(at.reason() == proto::DebugEvent::REASON_STEP);
        CHECK(at.step() == 1);
        stops.push_back(where(at));
        if (at.node() == "fc1") {
            CHECK(shapeOf(at.tensor()) == std::vector<std::int64_t>{64, 128});
            CHECK(at.tensor().name()
                  == (at.phase() == proto::DebugEvent::PHASE_FORWARD ? "fc1" : "grad fc1"));
        }
        if (at.node() == "loss") {
            CHECK(at.tensor().count() == 1);
            CHECK(at.op() == "cross_entropy");
            // Untrained on ten classes: the cross-entropy is near log(10).
            CHECK(at.tensor().mean() == Approx(2.3).margin(0.3));
        }
    } while (!at.message().starts_with("the backward pass is done") && stops.size() < 20);
    CHECK(stops
          == std::vector<std::string>{"flatten forward", "fc1 forward", "relu1 forward",
                                      "fc2 forward", "loss forward", "fc2 backward",
                                      "relu1 backward", "fc1 backward", "input backward"});

    // At the end of backward every parameter's gradient is inspectable; asking leaves the stop.
    REQUIRE(contains(at.tensors(), "grad fc1.weight"));
    worker.send(inspect("grad fc1.weight"));
    const proto::DebugEvent inspected = debug.next();
    CHECK(inspected.reason() == proto::DebugEvent::REASON_INSPECTED);
    CHECK(inspected.tensor().name() == "grad fc1.weight");
    CHECK(shapeOf(inspected.tensor()) == std::vector<std::int64_t>{128, 784});
    CHECK(inspected.tensor().std() > 0);
    CHECK(where(inspected) == where(at));
    worker.send(inspect("fc1.bias"));
    CHECK(shapeOf(debug.next().tensor()) == std::vector<std::int64_t>{128});

    // A name it does not hold is a warning in the log; the debugger stays stopped.
    worker.send(inspect("no such tensor"));
    REQUIRE(worker.waitForEvent(
        [](const proto::RunEvent &e) {
            return e.has_log() && e.log().text().find("'no such tensor'") != std::string::npos;
        },
        kRunTimeout));

    // Stepping on enters the next training step.
    worker.send(proto::ControlCommand::ACTION_DEBUG_STEP);
    const proto::DebugEvent second = debug.next();
    CHECK(second.step() == 2);
    CHECK(where(second) == "input forward");

    worker.send(proto::ControlCommand::ACTION_DEBUG_CONTINUE);
    CHECK(debug.next().reason() == proto::DebugEvent::REASON_LEFT);
    REQUIRE(runToExit(worker) == kExitOk);
    const std::vector<proto::RunEvent> events = readEvents(dir / "run");
    CHECK(states(events)
          == std::vector<proto::RunState>{proto::RUN_STATE_STARTING, proto::RUN_STATE_RUNNING,
                                          proto::RUN_STATE_PAUSED, proto::RUN_STATE_RUNNING,
                                          proto::RUN_STATE_COMPLETED});
    // events.tlog keeps the stops the GUI saw on stdout.
    CHECK(std::count_if(events.begin(), events.end(), [](const auto &e) { return e.has_debug(); })
          == std::count_if(worker.events().begin(), worker.events().end(),
                           [](const auto &e) { return e.has_debug(); }));
}

TEST_CASE("Break on NaN/Inf stops at the first node whose output is not finite, and STOP there "
          "ends the run",
          "[integration][debugger]")
{
    if (!haveFashion()) {
        WARN("skipped: " << kFashion << " is absent (install dataset-fashion-mnist)");
        return;
    }
    const fs::path dir = freshDir("debug_nonfinite");
    proto::ExperimentSpec spec = mlpSpec(2000, 1);
    // A learning rate that blows the weights up within a few steps.
    spec.mutable_train()->set_learning_rate(1e30);
    spec.mutable_train()->mutable_debug()->set_break_on_nonfinite(true);
    WorkerProcess worker({"train", "--spec", writeSpec(spec, dir, "spec.pb").string(), "--run-dir",
                          (dir / "run").string()});
    DebugEvents debug(worker);

    const proto::DebugEvent stop = debug.next();
    CHECK(stop.reason() == proto::DebugEvent::REASON_NONFINITE);
    CHECK(stop.step() > 1); // the first step starts from finite weights
    CHECK(stop.tensor().nan_count() + stop.tensor().inf_count() > 0);
    CHECK_THAT(stop.message(), Catch::Contains(stop.node()) && Catch::Contains(" of "));
    INFO(stop.message());
    // Every node before it in this pass was finite, or the stop would have been there.
    CHECK(stop.node() != "input");

    worker.send(proto::ControlCommand::ACTION_STOP);
    CHECK(debug.next().reason() == proto::DebugEvent::REASON_LEFT);
    REQUIRE(runToExit(worker) == kExitOk);
    CHECK(states(readEvents(dir / "run")).back() == proto::RUN_STATE_STOPPED);
}

TEST_CASE("Through control.tlog alone, a breakpoint set on a running run stops at its node "
          "each step, and Break stops at the next step's start",
          "[integration][debugger]")
{
    if (!haveFashion()) {
        WARN("skipped: " << kFashion << " is absent (install dataset-fashion-mnist)");
        return;
    }
    const fs::path dir = freshDir("debug_control_file");
    const fs::path run = dir / "run";
    WorkerProcess worker({"train", "--spec", writeSpec(mlpSpec(2000, 500), dir, "spec.pb").string(),
                          "--run-dir", run.string()});
    worker.closeStdin(); // as on a remote host: commands come from control.tlog only
    DebugEvents debug(worker);
    REQUIRE(worker.waitForEvent([](const proto::RunEvent &e) { return e.has_progress(); },
                                kRunTimeout));

    proto::ControlCommand settings =
        proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_SETTINGS);
    settings.mutable_debug()->add_break_at_nodes("fc2");
    appendControl(run, settings);
    const proto::DebugEvent atNode = debug.next();
    CHECK(atNode.reason() == proto::DebugEvent::REASON_NODE);
    CHECK(where(atNode) == "fc2 forward");
    CHECK(shapeOf(atNode.tensor()) == std::vector<std::int64_t>{64, 10});
    CHECK_THAT(atNode.message(), Catch::Contains("breakpoint at fc2"));

    appendControl(run, proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_CONTINUE));
    CHECK(debug.next().reason() == proto::DebugEvent::REASON_LEFT);
    const proto::DebugEvent again = debug.next();
    CHECK(again.reason() == proto::DebugEvent::REASON_NODE);
    CHECK(again.step() == atNode.step() + 1);

    // Clearing the breakpoints while stopped, then continuing, lets the run go on; Break then
    // stops it at the start of a later step.
    appendControl(run, proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_SETTINGS));
    appendControl(run, proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_CONTINUE));
    CHECK(debug.next().reason() == proto::DebugEvent::REASON_LEFT);
    appendControl(run, proto::controlCommand(proto::ControlCommand::ACTION_DEBUG_BREAK));
    const proto::DebugEvent broke = debug.next();
    CHECK(broke.reason() == proto::DebugEvent::REASON_BREAK);
    CHECK(where(broke) == "input forward");
    CHECK(broke.step() > again.step());

    appendControl(run, proto::controlCommand(proto::ControlCommand::ACTION_STOP));
    CHECK(debug.next().reason() == proto::DebugEvent::REASON_LEFT);
    REQUIRE(runToExit(worker) == kExitOk);
    CHECK(states(readEvents(run)).back() == proto::RUN_STATE_STOPPED);
}
