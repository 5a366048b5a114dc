// StepGraph without CUDA (a CPU libtorch): nothing can be captured; the loop runs eagerly.
#include "runners/step_graph.h"

#include <stdexcept>

namespace tl::runners {

struct StepGraph::Impl
{};

bool StepGraph::supported()
{
    return false;
}

StepGraph::StepGraph(int /*deviceIndex*/)
{}

StepGraph::~StepGraph() = default;

void StepGraph::warmUp(const std::function<void()> &step)
{
    step();
}

void StepGraph::capture(const std::function<void()> & /*step*/)
{
    throw std::logic_error("CUDA graphs need a CUDA build of libtorch");
}

bool StepGraph::captured() const
{
    return false;
}

void StepGraph::replay()
{
    throw std::logic_error("CUDA graphs need a CUDA build of libtorch");
}

void releaseCachedDeviceMemory()
{}

void enableCudnnAutotuning()
{}

} // namespace tl::runners
