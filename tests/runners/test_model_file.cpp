#include "model/graph_analysis.h"
#include "model/templates.h"
#include "runners/graph_module.h"
#include "runners/model_file.h"
#include "scratch_dir.h"

#include <catch2/catch.hpp>

#include <caffe2/serialize/inline_container.h>

#include <fstream>
#include <map>

using namespace tl;

namespace {

const std::filesystem::path kFixtures = std::filesystem::path(TL_SHARED_DIR) / "fixtures";

void writeBytes(const std::filesystem::path &file, const std::string &bytes)
{
    std::ofstream out(file, std::ios::binary);
    out << bytes;
}

std::string readBytes(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::map<std::string, int> opCounts(const proto::ViewGraph &view)
{
    std::map<std::string, int> counts;
    for (const proto::ViewNode &node : view.nodes()) {
        ++counts[node.op()];
    }
    return counts;
}

} // namespace

TEST_CASE("A traced TorchScript LeNet is described with its operators, parameters and scopes",
          "[runners]")
{
    const auto file = kFixtures / "torchscript" / "lenet.torchscript.pt";
    if (!std::filesystem::exists(file)) {
        WARN("skipped: " << file << " is absent (../shared/fixtures)");
        return;
    }
    auto view = runners::describeModelFile(file);
    INFO((view.ok() ? std::string() : view.error().describe()));
    REQUIRE(view.ok());
    CHECK(view.value().format() == "torchscript");
    CHECK(view.value().parameter_count() == 61706);
    const auto counts = opCounts(view.value());
    CHECK(counts.count("prim::ListConstruct") == 0); // lists are shown through their users
    CHECK(counts.count("prim::Constant") == 0);
    int convolutions = 0;
    int linears = 0;
    for (const proto::ViewNode &node : view.value().nodes()) {
        if (node.op() == "aten::_convolution" || node.op() == "aten::conv2d") {
            ++convolutions;
            REQUIRE(node.parameters_size() >= 1);
            CHECK(node.parameters(0).dims_size() == 4);
            CHECK(node.scope_size() >= 1);
            // stride, padding, dilation: constant lists shown as attributes
            bool hasStride = false;
            for (const proto::ViewAttr &attr : node.attrs()) {
                hasStride = hasStride || (attr.name() == "stride" && attr.text() == "[1, 1]");
            }
            CHECK(hasStride);
        }
        linears += node.op() == "aten::linear" ? 1 : 0;
    }
    CHECK(convolutions == 2);
    CHECK(linears == 3);
    REQUIRE(view.value().inputs_size() == 1);
}

TEST_CASE("A traced TorchScript LeNet evaluates on a batch", "[runners]")
{
    const auto file = kFixtures / "torchscript" / "lenet.torchscript.pt";
    if (!std::filesystem::exists(file)) {
        WARN("skipped: " << file << " is absent (../shared/fixtures)");
        return;
    }
    auto loaded = runners::loadModelFile(file, torch::Device(torch::kCPU));
    REQUIRE(loaded.ok());
    torch::NoGradGuard noGrad;
    const torch::Tensor output = loaded.value().forward(torch::rand({3, 1, 28, 28}));
    CHECK(output.sizes() == std::vector<std::int64_t>{3, 10});
}

TEST_CASE("A .tlmodel keeps the graph and the weights of the module that saved it", "[runners]")
{
    const auto dir = testing::scratchDir("tlmodel");
    auto graph = model::makeTemplate("cnn", {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    auto analysis = model::analyzeGraph(graph.value());
    REQUIRE(analysis.ok());
    torch::manual_seed(5);
    auto module = runners::buildGraphModule(graph.value(), analysis.value());
    REQUIRE(module.ok());
    module.value()->eval();
    REQUIRE(runners::saveTlModel(dir / "m.tlmodel", graph.value(), *module.value()).ok());
    CHECK_FALSE(std::filesystem::exists(dir / "m.tlmodel.partial"));

    auto loaded = runners::loadModelFile(dir / "m.tlmodel", torch::Device(torch::kCPU));
    INFO((loaded.ok() ? std::string() : loaded.error().describe()));
    REQUIRE(loaded.ok());
    CHECK(loaded.value().view.format() == "torchlight");
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::rand({2, 1, 28, 28});
    CHECK(torch::equal(loaded.value().forward(x), module.value()->forward(x)));
}

TEST_CASE("Broken model files are refused with the file named", "[runners]")
{
    const auto dir = testing::scratchDir("broken-models");
    writeBytes(dir / "garbage.onnx", "this is not protobuf \xff\xff\xff");
    writeBytes(dir / "garbage.pt", "PK\x03\x04 not a zip");
    writeBytes(dir / "garbage.tlmodel", std::string(64, '\0'));
    writeBytes(dir / "model.h5", "HDF");
    for (const char *name : {"garbage.onnx", "garbage.pt", "garbage.tlmodel", "model.h5"}) {
        INFO(name);
        auto loaded = runners::loadModelFile(dir / name, torch::Device(torch::kCPU));
        REQUIRE_FALSE(loaded.ok());
        CHECK_THAT(loaded.error().describe(), Catch::Contains(name));
    }
    auto missing = runners::loadModelFile(dir / "absent.onnx", torch::Device(torch::kCPU));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == base::ErrorCode::NotFound);

    const auto fixture = kFixtures / "torchscript" / "lenet.torchscript.pt";
    if (std::filesystem::exists(fixture)) {
        const std::string bytes = readBytes(fixture);
        writeBytes(dir / "truncated.pt", bytes.substr(0, bytes.size() / 2));
        auto truncated = runners::loadModelFile(dir / "truncated.pt", torch::Device(torch::kCPU));
        REQUIRE_FALSE(truncated.ok());
        CHECK_THAT(truncated.error().describe(), Catch::Contains("truncated.pt"));
    }
}

TEST_CASE("A TorchScript file from a newer PyTorch format is refused naming file and version",
          "[runners]")
{
    const auto dir = testing::scratchDir("newer-torchscript");
    {
        // A well-formed archive that says it was written in file format version 99.
        caffe2::serialize::PyTorchStreamWriter writer((dir / "future.pt").string());
        writer.setMinVersion(99);
        const std::string pickle = "\x80\x02N.";
        writer.writeRecord("data.pkl", pickle.data(), pickle.size());
        writer.writeEndOfFile();
    }
    auto loaded = runners::loadModelFile(dir / "future.pt", torch::Device(torch::kCPU));
    REQUIRE_FALSE(loaded.ok());
    const std::string message = loaded.error().describe();
    CHECK_THAT(message, Catch::Contains("future.pt"));
    CHECK_THAT(message, Catch::Contains("version 99"));
    auto described = runners::describeModelFile(dir / "future.pt");
    REQUIRE_FALSE(described.ok());
    CHECK_THAT(described.error().describe(), Catch::Contains("version 99"));
}
