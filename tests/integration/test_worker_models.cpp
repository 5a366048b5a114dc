// End-to-end tests of the worker's model-file commands (docs/worker.md): eval, inspect-model and
// export-onnx, run as the real executable on files PyTorch wrote and on files the tests write.
#include "datasets/npy_format.h"
#include "datasets/npy_writer.h"
#include "model/templates.h"
#include "tests/runners/scratch_dir.h"
#include "worker_process.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace tl;
using namespace std::chrono_literals;
using testing::WorkerProcess;

namespace {

const fs::path kFixtures = fs::path(TL_SHARED_DIR) / "fixtures";
constexpr auto kTimeout = 120s; // CI shares two cores between jobs

int runToExit(WorkerProcess &worker)
{
    const auto code = worker.waitForExit(kTimeout);
    INFO("stderr: " << worker.stderrText());
    REQUIRE(code.has_value());
    return *code;
}

struct FloatArray
{
    std::vector<std::uint64_t> shape;
    std::vector<float> values;
};

FloatArray readFloats(const fs::path &file)
{
    auto array = datasets::readNpyFile(file);
    INFO((array.ok() ? std::string() : array.error().describe()));
    REQUIRE(array.ok());
    auto values = datasets::npyToFloat32(array.value(), file.filename().string());
    REQUIRE(values.ok());
    return {array.value().header.shape, values.value()};
}

double maxAbsDifference(const FloatArray &a, const FloatArray &b)
{
    REQUIRE(a.shape == b.shape);
    double worst = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i) {
        worst = std::max(worst, double(std::fabs(a.values[i] - b.values[i])));
    }
    return worst;
}

bool haveFixtures()
{
    return fs::exists(kFixtures / "onnx" / "lenet.onnx");
}

void writeBytes(const fs::path &file, const std::string &bytes)
{
    std::ofstream out(file, std::ios::binary);
    out << bytes;
}

} // namespace

TEST_CASE("eval runs PyTorch's ONNX and TorchScript exports to PyTorch's outputs", "[integration]")
{
    if (!haveFixtures()) {
        WARN("skipped: " << kFixtures << " is absent (../shared/fixtures)");
        return;
    }
    const fs::path dir = testing::scratchDir("eval-fixtures");
    for (const char *name : {"lenet", "mlp"}) {
        INFO(name);
        const fs::path output = dir / (std::string(name) + ".out.npy");
        WorkerProcess worker(
            {"eval", "--model", (kFixtures / "onnx" / (std::string(name) + ".onnx")).string(),
             "--input", (kFixtures / "onnx" / (std::string(name) + ".input.npy")).string(),
             "--output", output.string()});
        REQUIRE(runToExit(worker) == 0);
        const FloatArray expected =
            readFloats(kFixtures / "onnx" / (std::string(name) + ".output.npy"));
        CHECK(maxAbsDifference(readFloats(output), expected) <= 1e-4);
    }
    const fs::path script = kFixtures / "torchscript" / "lenet.torchscript.pt";
    if (fs::exists(script)) {
        WorkerProcess worker({"eval", "--model", script.string(), "--input",
                              (kFixtures / "onnx" / "lenet.input.npy").string(), "--output",
                              (dir / "script.npy").string()});
        REQUIRE(runToExit(worker) == 0);
        const FloatArray out = readFloats(dir / "script.npy");
        CHECK(out.shape == readFloats(kFixtures / "onnx" / "lenet.output.npy").shape);
    }
}

TEST_CASE("inspect-model prints the graph summary as JSON and writes the whole graph",
          "[integration]")
{
    if (!haveFixtures()) {
        WARN("skipped: " << kFixtures << " is absent (../shared/fixtures)");
        return;
    }
    const fs::path dir = testing::scratchDir("inspect-model");
    WorkerProcess worker({"inspect-model", (kFixtures / "onnx" / "lenet.onnx").string(), "--view",
                          (dir / "view.pb").string()});
    REQUIRE(runToExit(worker) == 0);
    const std::string json = worker.stdoutBytes();
    CHECK_THAT(json, Catch::Contains("\"format\": \"onnx\""));
    CHECK_THAT(json, Catch::Contains("\"Conv\": 2"));
    CHECK_THAT(json, Catch::Contains("\"parameters\": 61706"));
    CHECK_THAT(json, Catch::Contains("\"trainable\": true"));
    std::ifstream in(dir / "view.pb", std::ios::binary);
    proto::ViewGraph view;
    REQUIRE(view.ParseFromIstream(&in));
    CHECK(view.opset() == 17);
    CHECK(view.nodes_size() > 5);

    const fs::path script = kFixtures / "torchscript" / "lenet.torchscript.pt";
    if (fs::exists(script)) {
        WorkerProcess traced({"inspect-model", script.string()});
        REQUIRE(runToExit(traced) == 0);
        CHECK_THAT(traced.stdoutBytes(), Catch::Contains("\"format\": \"torchscript\""));
        CHECK_THAT(traced.stdoutBytes(), Catch::Contains("\"parameters\": 61706"));
    }
}

TEST_CASE("export-onnx writes a model that inspect-model and eval accept", "[integration]")
{
    const fs::path dir = testing::scratchDir("export-onnx");
    auto graph = model::makeTemplate("lenet", {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    proto::ExperimentSpec spec;
    spec.set_protocol_version(1);
    *spec.mutable_model() = graph.value();
    spec.mutable_train()->set_seed(3);
    writeBytes(dir / "spec.pb", spec.SerializeAsString());
    WorkerProcess exporter({"export-onnx", "--spec", (dir / "spec.pb").string(), "--output",
                            (dir / "lenet.onnx").string()});
    REQUIRE(runToExit(exporter) == 0);

    WorkerProcess inspect({"inspect-model", (dir / "lenet.onnx").string()});
    REQUIRE(runToExit(inspect) == 0);
    CHECK_THAT(inspect.stdoutBytes(), Catch::Contains("\"Gemm\": 3"));
    CHECK_THAT(inspect.stdoutBytes(), Catch::Contains("\"parameters\": 61706"));

    std::vector<float> input(2 * 28 * 28, 0.5f);
    REQUIRE(datasets::writeNpy(dir / "x.npy", "<f4", {2, 1, 28, 28}, input.data(),
                               input.size() * sizeof(float))
                .ok());
    WorkerProcess eval({"eval", "--model", (dir / "lenet.onnx").string(), "--input",
                        (dir / "x.npy").string(), "--output", (dir / "y.npy").string()});
    REQUIRE(runToExit(eval) == 0);
    CHECK(readFloats(dir / "y.npy").shape == std::vector<std::uint64_t>{2, 10});
}

TEST_CASE("Model commands fail with one clear line naming the file", "[integration]")
{
    const fs::path dir = testing::scratchDir("bad-models");
    writeBytes(dir / "cut.onnx", std::string("\x08\x07\x12\x04torc", 8));
    writeBytes(dir / "noise.pt", "not a zip archive at all");
    std::vector<float> input(4, 1.0f);
    REQUIRE(datasets::writeNpy(dir / "x.npy", "<f4", {1, 4}, input.data(), 16).ok());

    for (const char *name : {"cut.onnx", "noise.pt"}) {
        INFO(name);
        WorkerProcess inspect({"inspect-model", (dir / name).string()});
        CHECK(runToExit(inspect) == 3);
        CHECK_THAT(inspect.stderrText(), Catch::Contains(name));
        WorkerProcess eval({"eval", "--model", (dir / name).string(), "--input",
                            (dir / "x.npy").string(), "--output", (dir / "y.npy").string()});
        CHECK(runToExit(eval) == 3);
        CHECK_THAT(eval.stderrText(), Catch::Contains(name));
    }
    WorkerProcess noOutput({"eval", "--model", (dir / "cut.onnx").string(), "--input", "x.npy"});
    CHECK(runToExit(noOutput) == 2);
    CHECK_THAT(noOutput.stderrText(), Catch::Contains("--output"));

    if (haveFixtures()) {
        // A 1x4 input for LeNet: the node that cannot take it is named.
        WorkerProcess wrongShape({"eval", "--model", (kFixtures / "onnx" / "lenet.onnx").string(),
                                  "--input", (dir / "x.npy").string(), "--output",
                                  (dir / "y.npy").string()});
        CHECK(runToExit(wrongShape) == 1);
        CHECK_THAT(wrongShape.stderrText(), Catch::Contains("lenet.onnx"));
        CHECK_THAT(wrongShape.stderrText(), Catch::Contains("node '"));
        CHECK_FALSE(fs::exists(dir / "y.npy"));
    }
}
