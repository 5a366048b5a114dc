// StepGraph over at::cuda::CUDAGraph: compiled only against a CUDA libtorch.
#include "runners/step_graph.h"

#include <ATen/Context.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/cuda.h>

#include <optional>

namespace tl::runners {

struct StepGraph::Impl
{
    explicit Impl(int deviceIndex)
        : device(static_cast<c10::DeviceIndex>(deviceIndex))
        , side(c10::cuda::getStreamFromPool(false, device))
    {}

    c10::DeviceIndex device;
    c10::cuda::CUDAStream side;
    std::optional<at::cuda::CUDAGraph> graph;
};

bool StepGraph::supported()
{
    return true;
}

StepGraph::StepGraph(int deviceIndex) : m_impl(std::make_unique<Impl>(deviceIndex))
{}

StepGraph::~StepGraph() = default;

void StepGraph::warmUp(const std::function<void()> &step)
{
    torch::cuda::synchronize(m_impl->device);
    {
        c10::cuda::CUDAStreamGuard onSide(m_impl->side);
        step();
    }
    torch::cuda::synchronize(m_impl->device);
}

void StepGraph::capture(const std::function<void()> &step)
{
    torch::cuda::synchronize(m_impl->device);
    m_impl->graph.emplace();
    {
        c10::cuda::CUDAStreamGuard onSide(m_impl->side);
        m_impl->graph->capture_begin();
        try {
            step();
        } catch (...) {
            try {
                m_impl->graph->capture_end();
            } catch (...) {
                // The capture was already invalid; the step's own error says why.
            }
            m_impl->graph.reset();
            throw;
        }
        m_impl->graph->capture_end();
    }
    torch::cuda::synchronize(m_impl->device);
}

bool StepGraph::captured() const
{
    return m_impl->graph.has_value();
}

void StepGraph::replay()
{
    m_impl->graph->replay();
}

void releaseCachedDeviceMemory()
{
    c10::cuda::CUDACachingAllocator::emptyCache();
}

void enableCudnnAutotuning()
{
    at::globalContext().setBenchmarkCuDNN(true);
}

} // namespace tl::runners
