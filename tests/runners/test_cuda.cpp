// Hidden: needs a CUDA libtorch and a GPU (CI has neither). CMake registers it with
// -DTL_CUDA_TESTS=ON; by hand: tests_runners "[.cuda]".
#include "model/graph_analysis.h"
#include "model/templates.h"
#include "runners/devices.h"
#include "runners/graph_module.h"

#include <catch2/catch.hpp>

#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

using namespace tl;

TEST_CASE("LeNet's forward and backward on CUDA match the CPU within float32 tolerance",
          "[runners][.cuda]")
{
    REQUIRE(torch::cuda::is_available());
    REQUIRE(runners::checkDeviceAvailable({runners::DeviceRequest::Kind::Cuda, 0}).ok());
    auto graph = model::makeTemplate("lenet", {1, 28, 28}, 10);
    REQUIRE(graph.ok());
    auto analysis = model::analyzeGraph(graph.value());
    REQUIRE(analysis.ok());

    torch::manual_seed(5);
    runners::GraphModule cpu(graph.value(), analysis.value());
    runners::GraphModule gpu(graph.value(), analysis.value());
    {
        torch::NoGradGuard noGrad;
        for (const auto &item : cpu->named_parameters()) {
            gpu->named_parameters()[item.key()].copy_(item.value());
        }
    }
    const torch::Device cuda("cuda:0");
    gpu->to(cuda);
    const torch::Tensor x = torch::randn({32, 1, 28, 28});
    const torch::Tensor y = torch::randint(0, 10, {32}, torch::kInt64);

    const torch::Tensor cpuLogits = cpu->forward(x);
    const torch::Tensor gpuLogits = gpu->forward(x.to(cuda));
    torch::nn::functional::cross_entropy(cpuLogits, y).backward();
    torch::nn::functional::cross_entropy(gpuLogits, y.to(cuda)).backward();

    CHECK(torch::allclose(cpuLogits, gpuLogits.cpu(), 1e-4, 1e-5));
    for (const auto &item : cpu->named_parameters()) {
        INFO(item.key());
        const torch::Tensor gpuGrad = gpu->named_parameters()[item.key()].grad().cpu();
        CHECK(torch::allclose(item.value().grad(), gpuGrad, 1e-3, 1e-5));
    }
}
