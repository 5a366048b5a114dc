// End-to-end tests of fine-tuning a model file (ExperimentSpec.model_file): the real worker
// trains PyTorch's ONNX and TorchScript exports of one LeNet, and files Torchlight wrote itself,
// on a dataset the test writes; bad model files fail naming the file.
#include "datasets/idx_writer.h"
#include "datasets/npy_format.h"
#include "datasets/npy_writer.h"
#include "model/templates.h"
#include "proto/record_io.h"
#include "tests/model/onnx_builders.h"
#include "tests/runners/scratch_dir.h"
#include "worker_process.h"
#include "worker_specs.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

namespace fs = std::filesystem;
using namespace tl;
using namespace std::chrono_literals;
using testing::WorkerProcess;

namespace {

const fs::path kFixtures = fs::path(TL_SHARED_DIR) / "fixtures";
constexpr auto kTimeout = 180s; // CI shares two cores between jobs

// 28x28 images whose class k (0..9) is a bright band at rows 2k+4..2k+6 over deterministic noise.
void writeBands(const fs::path &images, const fs::path &labels, int count, std::uint32_t seed)
{
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count) * 28 * 28);
    std::vector<std::uint8_t> classes(static_cast<std::size_t>(count));
    std::uint32_t state = seed;
    for (int i = 0; i < count; ++i) {
        const int label = i % 10;
        classes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(label);
        for (int p = 0; p < 28 * 28; ++p) {
            state = state * 1664525u + 1013904223u;
            const int row = p / 28;
            const bool band = row >= 2 * label + 4 && row < 2 * label + 6;
            pixels[static_cast<std::size_t>(i) * 784 + static_cast<std::size_t>(p)] =
                static_cast<std::uint8_t>((band ? 160 : 0) + (state >> 27));
        }
    }
    REQUIRE(datasets::writeIdxFile(images, datasets::makeUInt8Array({count, 28, 28}, pixels)).ok());
    REQUIRE(datasets::writeIdxFile(labels, datasets::makeUInt8Array({count}, classes)).ok());
}

proto::ExperimentSpec bandsSpec(const fs::path &dir, const fs::path &modelFile)
{
    if (!fs::exists(dir / "train-images")) {
        writeBands(dir / "train-images", dir / "train-labels", 320, 7);
        writeBands(dir / "test-images", dir / "test-labels", 80, 11);
    }
    proto::ExperimentSpec spec;
    spec.set_protocol_version(1);
    spec.set_name("fine-tune " + modelFile.filename().string());
    proto::DatasetSpec *data = spec.mutable_dataset();
    data->set_name("bands");
    data->set_format(proto::DATASET_FORMAT_IDX);
    data->set_train_images((dir / "train-images").string());
    data->set_train_labels((dir / "train-labels").string());
    data->set_test_images((dir / "test-images").string());
    data->set_test_labels((dir / "test-labels").string());
    spec.set_model_file(modelFile.string());
    proto::TrainConfig *train = spec.mutable_train();
    train->set_epochs(2);
    train->set_batch_size(32);
    train->set_optimizer(proto::OPTIMIZER_SGD);
    train->set_learning_rate(0.05);
    train->set_momentum(0.9);
    train->set_log_every_steps(2);
    train->set_threads(1);
    train->set_seed(5);
    return spec;
}

// The MLP template as the canvas makes it, trained on the band dataset of dir.
proto::ExperimentSpec canvasSpec(const fs::path &dir)
{
    auto graph = model::makeTemplate("mlp", {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    proto::ExperimentSpec canvas = bandsSpec(dir, {});
    canvas.clear_model_file();
    *canvas.mutable_model() = graph.value();
    return canvas;
}

// `export-onnx` of spec's model as `output`, with a checkpoint's weights when one is named.
void exportOnnx(const fs::path &dir,
                const proto::ExperimentSpec &spec,
                const fs::path &output,
                const fs::path &checkpoint = {})
{
    {
        std::ofstream out(dir / "spec.pb", std::ios::binary);
        out << spec.SerializeAsString();
    }
    std::vector<std::string> args{"export-onnx", "--spec", (dir / "spec.pb").string(), "--output",
                                  output.string()};
    if (!checkpoint.empty()) {
        args.insert(args.end(), {"--checkpoint", checkpoint.string()});
    }
    WorkerProcess exporter(args);
    REQUIRE(exporter.waitForExit(kTimeout) == std::optional<int>(0));
}

struct Finished
{
    int code = -1;
    std::string stderrText;
    std::vector<double> losses; // train/loss in step order
    std::string status;         // the terminal status message
};

Finished train(const fs::path &dir, const proto::ExperimentSpec &spec, const std::string &name)
{
    const fs::path specFile = dir / (name + ".pb");
    {
        std::ofstream out(specFile, std::ios::binary);
        out << spec.SerializeAsString();
    }
    WorkerProcess worker(
        {"train", "--spec", specFile.string(), "--run-dir", (dir / name).string()});
    const auto code = worker.waitForExit(kTimeout);
    REQUIRE(code.has_value());
    Finished done;
    done.code = *code;
    done.stderrText = worker.stderrText();
    for (const proto::RunEvent &event : worker.events()) {
        if (event.has_scalar() && event.scalar().tag() == "train/loss") {
            done.losses.push_back(event.scalar().value());
        }
        if (event.has_status()) {
            done.status = event.status().message();
        }
    }
    return done;
}

std::vector<float> evalOutput(const fs::path &model, const fs::path &dir, const std::string &name)
{
    std::vector<float> input(4 * 28 * 28);
    for (std::size_t i = 0; i < input.size(); ++i) {
        input[i] = static_cast<float>((i * 37) % 101) / 101.0f - 0.5f;
    }
    if (!fs::exists(dir / "x.npy")) {
        REQUIRE(datasets::writeNpy(dir / "x.npy", "<f4", {4, 1, 28, 28}, input.data(),
                                   input.size() * sizeof(float))
                    .ok());
    }
    const fs::path output = dir / (name + ".npy");
    WorkerProcess eval({"eval", "--model", model.string(), "--input", (dir / "x.npy").string(),
                        "--output", output.string()});
    const auto code = eval.waitForExit(kTimeout);
    INFO(eval.stderrText());
    REQUIRE(code == std::optional<int>(0));
    auto array = datasets::readNpyFile(output);
    REQUIRE(array.ok());
    auto values = datasets::npyToFloat32(array.value(), name);
    REQUIRE(values.ok());
    return values.value();
}

double maxAbsDifference(const std::vector<float> &a, const std::vector<float> &b)
{
    REQUIRE(a.size() == b.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        worst = std::max(worst, double(std::fabs(a[i] - b[i])));
    }
    return worst;
}

} // namespace

TEST_CASE("PyTorch's ONNX and TorchScript exports of one model fine-tune to the same losses",
          "[integration]")
{
    const fs::path onnx = kFixtures / "onnx" / "lenet.onnx";
    const fs::path script = kFixtures / "torchscript" / "lenet.torchscript.pt";
    if (!fs::exists(onnx) || !fs::exists(script)) {
        WARN("skipped: " << kFixtures << " is absent (../shared/fixtures)");
        return;
    }
    const fs::path dir = testing::scratchDir("finetune-fixtures");
    const Finished viaOnnx = train(dir, bandsSpec(dir, onnx), "onnx");
    INFO(viaOnnx.stderrText);
    REQUIRE(viaOnnx.code == 0);
    const Finished viaScript = train(dir, bandsSpec(dir, script), "script");
    INFO(viaScript.stderrText);
    REQUIRE(viaScript.code == 0);

    // The ONNX executor and libtorch's TorchScript interpreter take the same SGD steps.
    REQUIRE(viaOnnx.losses.size() == 10);
    REQUIRE(viaScript.losses.size() == viaOnnx.losses.size());
    for (std::size_t i = 0; i < viaOnnx.losses.size(); ++i) {
        INFO("logged loss " << i);
        CHECK(viaOnnx.losses[i] == Approx(viaScript.losses[i]).epsilon(1e-4));
    }
    CHECK(viaOnnx.losses.back() < 0.5 * viaOnnx.losses.front());
    CHECK_THAT(viaOnnx.status, Catch::Contains("training completed"));

    // Each run leaves its model in the format it came in; both carry the same trained weights,
    // and those differ from the file's.
    REQUIRE(fs::exists(dir / "onnx" / "model.onnx"));
    REQUIRE(fs::exists(dir / "script" / "model.pt"));
    const std::vector<float> before = evalOutput(onnx, dir, "before");
    const std::vector<float> tunedOnnx = evalOutput(dir / "onnx" / "model.onnx", dir, "tuned-onnx");
    const std::vector<float> tunedScript = evalOutput(dir / "script" / "model.pt", dir, "tuned-pt");
    CHECK(maxAbsDifference(tunedOnnx, tunedScript) <= 1e-3);
    CHECK(maxAbsDifference(tunedOnnx, before) > 0.1);

    // A fine-tuned ONNX file fine-tunes again, and resumes from its own checkpoint.
    proto::ExperimentSpec again = bandsSpec(dir, dir / "onnx" / "model.onnx");
    again.mutable_train()->set_resume_from((dir / "onnx" / "checkpoints" / "last.pt").string());
    again.mutable_train()->set_epochs(3);
    const Finished resumed = train(dir, again, "resumed");
    INFO(resumed.stderrText);
    CHECK(resumed.code == 0);
    CHECK(resumed.losses.size() == 5);
}

TEST_CASE("Files Torchlight wrote fine-tune: an exported ONNX model and a run's model.tlmodel",
          "[integration]")
{
    const fs::path dir = testing::scratchDir("finetune-own");
    proto::ExperimentSpec canvas = canvasSpec(dir);
    canvas.mutable_train()->set_epochs(1);
    const Finished first = train(dir, canvas, "canvas");
    INFO(first.stderrText);
    REQUIRE(first.code == 0);
    REQUIRE(fs::exists(dir / "canvas" / "model.tlmodel"));

    const Finished tl = train(dir, bandsSpec(dir, dir / "canvas" / "model.tlmodel"), "from-tl");
    INFO(tl.stderrText);
    REQUIRE(tl.code == 0);
    REQUIRE(tl.losses.size() == 10);
    // It starts from the trained weights: its first loss is the canvas run's last, not chance's.
    CHECK(tl.losses.front() < first.losses.front());
    CHECK(fs::exists(dir / "from-tl" / "model.tlmodel"));

    exportOnnx(dir, canvas, dir / "mlp.onnx", dir / "canvas" / "checkpoints" / "last.pt");
    const Finished fromOnnx = train(dir, bandsSpec(dir, dir / "mlp.onnx"), "from-onnx");
    INFO(fromOnnx.stderrText);
    REQUIRE(fromOnnx.code == 0);
    // The same weights and steps through the ONNX executor as through the canvas module.
    REQUIRE(fromOnnx.losses.size() == tl.losses.size());
    for (std::size_t i = 0; i < tl.losses.size(); ++i) {
        INFO("logged loss " << i);
        CHECK(fromOnnx.losses[i] == Approx(tl.losses[i]).epsilon(1e-4));
    }
    CHECK(fs::exists(dir / "from-onnx" / "model.onnx"));
}

TEST_CASE("A model file that cannot be fine-tuned fails naming the file", "[integration]")
{
    const fs::path dir = testing::scratchDir("finetune-bad");
    {
        const Finished missing = train(dir, bandsSpec(dir, dir / "absent.onnx"), "missing");
        CHECK(missing.code == 3);
        CHECK_THAT(missing.stderrText, Catch::Contains("absent.onnx"));
        CHECK_THAT(missing.status, Catch::Contains("does not exist"));
    }
    {
        std::ofstream(dir / "noise.pt") << "not a zip archive";
        const Finished noise = train(dir, bandsSpec(dir, dir / "noise.pt"), "noise");
        CHECK(noise.code == 3);
        CHECK_THAT(noise.stderrText, Catch::Contains("noise.pt"));
    }
    {
        std::ofstream(dir / "model.h5") << "HDF";
        const Finished unknown = train(dir, bandsSpec(dir, dir / "model.h5"), "unknown");
        CHECK(unknown.code == 3);
        CHECK_THAT(unknown.stderrText, Catch::Contains(".onnx"));
    }
    {
        // Hardmax opens for viewing but has no kernel: training names it.
        model::test::OnnxBuilder blocked("blocked");
        blocked.input("x", {-1, 784}).output("y", {-1, 10});
        blocked.initializer("W", {10, 784}, model::test::rampValues(7840));
        model::test::addInt(blocked.node("Gemm", {"x", "W"}, {"h"}, "/fc/Gemm"), "transB", 1);
        blocked.node("Hardmax", {"h"}, {"y"}, "/out/Hardmax");
        model::test::writeFile(dir / "blocked.onnx", blocked.bytes());
        const Finished refused = train(dir, bandsSpec(dir, dir / "blocked.onnx"), "blocked");
        CHECK(refused.code == 3);
        CHECK_THAT(refused.stderrText, Catch::Contains("blocked.onnx"));
        CHECK_THAT(refused.stderrText, Catch::Contains("Hardmax"));
    }
    const fs::path onnx = kFixtures / "onnx" / "lenet.onnx";
    const fs::path script = kFixtures / "torchscript" / "lenet.torchscript.pt";
    if (!fs::exists(onnx) || !fs::exists(script)) {
        WARN("skipped the fixture cases: " << kFixtures << " is absent (../shared/fixtures)");
        return;
    }
    // LeNet takes 1x28x28; 3x8x8 samples have another size, which the shape check names.
    {
        std::vector<std::uint8_t> pixels(40 * 3 * 8 * 8, 100);
        std::vector<std::uint8_t> labels(40);
        for (std::size_t i = 0; i < labels.size(); ++i) {
            labels[i] = static_cast<std::uint8_t>(i % 10);
        }
        REQUIRE(datasets::writeIdxFile(dir / "small-images",
                                       datasets::makeUInt8Array({40, 3, 8, 8}, pixels))
                    .ok());
        REQUIRE(datasets::writeIdxFile(dir / "small-labels", datasets::makeUInt8Array({40}, labels))
                    .ok());
        for (const fs::path &file : {onnx, script}) {
            proto::ExperimentSpec spec = bandsSpec(dir, file);
            spec.mutable_dataset()->set_train_images((dir / "small-images").string());
            spec.mutable_dataset()->set_train_labels((dir / "small-labels").string());
            spec.mutable_dataset()->set_test_images((dir / "small-images").string());
            spec.mutable_dataset()->set_test_labels((dir / "small-labels").string());
            const Finished wrong = train(dir, spec, "shape-" + file.extension().string().substr(1));
            INFO(file);
            CHECK(wrong.code == 3);
            CHECK_THAT(wrong.stderrText,
                       Catch::Contains(file.filename().string()) || Catch::Contains("'input"));
            CHECK_THAT(wrong.stderrText, Catch::Contains("3×8×8") || Catch::Contains("[3, 8, 8]"));
        }
    }
    // NLL needs log-probabilities; LeNet ends in a Gemm, and the check says so.
    proto::ExperimentSpec nll = bandsSpec(dir, onnx);
    nll.mutable_train()->set_loss(proto::LOSS_NLL);
    const Finished wrongLoss = train(dir, nll, "nll");
    CHECK(wrongLoss.code == 3);
    CHECK_THAT(wrongLoss.stderrText, Catch::Contains("Gemm"));
}

namespace {

// Debugs one step of fine-tuning `model`: stops at its first node, steps through every node of
// the forward and the backward pass, and checks what the stops carry.
void debugOneStep(const fs::path &dir, const fs::path &model, const std::string &name)
{
    proto::ExperimentSpec spec = bandsSpec(dir, model);
    spec.mutable_train()->mutable_debug()->set_break_at_start(true);
    const fs::path specFile = dir / (name + ".pb");
    {
        std::ofstream out(specFile, std::ios::binary);
        out << spec.SerializeAsString();
    }
    WorkerProcess worker(
        {"train", "--spec", specFile.string(), "--run-dir", (dir / name).string()});
    testing::DebugEvents debug(worker, kTimeout);
    auto next = [&debug] {
        return debug.next();
    };
    const proto::DebugEvent first = next();
    CHECK(first.reason() == proto::DebugEvent::REASON_BREAK);
    const int nodes = first.nodes_size();
    REQUIRE(nodes >= 3);
    CHECK(first.nodes(nodes - 1) == "loss");
    std::vector<std::string> forward;
    int backward = 0;
    proto::DebugEvent at = first;
    forward.push_back(at.node());
    while (!at.message().starts_with("the backward pass is done") && backward <= nodes) {
        worker.send(proto::ControlCommand::ACTION_DEBUG_STEP);
        at = next();
        if (at.phase() == proto::DebugEvent::PHASE_FORWARD) {
            forward.push_back(at.node());
            CHECK(at.tensor().count() > 0);
        } else {
            ++backward;
        }
    }
    // Every node of the graph, in the graph's order, then the loss; gradients on the way back.
    CHECK(forward == std::vector<std::string>(first.nodes().begin(), first.nodes().end()));
    CHECK(backward >= 2);
    const auto gradient = std::find_if(at.tensors().begin(), at.tensors().end(),
                                       [](const std::string &t) { return t.starts_with("grad "); });
    REQUIRE(gradient != at.tensors().end());
    proto::ControlCommand inspect;
    inspect.set_action(proto::ControlCommand::ACTION_DEBUG_INSPECT);
    inspect.set_tensor(*gradient);
    worker.send(inspect);
    const proto::DebugEvent inspected = next();
    CHECK(inspected.reason() == proto::DebugEvent::REASON_INSPECTED);
    CHECK(inspected.tensor().count() > 0);
    worker.send(proto::ControlCommand::ACTION_STOP);
    REQUIRE(worker.waitForExit(kTimeout) == std::optional<int>(0));
}

} // namespace

TEST_CASE("An imported ONNX model is debugged node by node while it fine-tunes",
          "[integration][debugger]")
{
    const fs::path dir = testing::scratchDir("finetune-debug");
    exportOnnx(dir, canvasSpec(dir), dir / "mlp.onnx");
    debugOneStep(dir, dir / "mlp.onnx", "own-onnx");

    const fs::path lenet = kFixtures / "onnx" / "lenet.onnx";
    if (!fs::exists(lenet)) {
        WARN("PyTorch's LeNet export skipped: " << kFixtures << " is absent (../shared/fixtures)");
        return;
    }
    debugOneStep(dir, lenet, "lenet-onnx");
}
