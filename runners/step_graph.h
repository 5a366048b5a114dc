#pragma once
// The training loop's fast path on CUDA: one optimizer step captured once as a CUDA graph and
// replayed for every later step of the same shapes, so a step costs one launch instead of a
// few hundred dispatches. Built only against a CUDA libtorch (TL_HAVE_CUDA_GRAPHS); elsewhere
// supported() is false and the loop runs every step eagerly. Also the few CUDA-only calls the
// loop needs. Torch-free header; the training thread only.

#include <functional>
#include <memory>

namespace tl::runners {

class StepGraph
{
public:
    // Whether this build can capture CUDA graphs (a CUDA libtorch).
    static bool supported();

    explicit StepGraph(int deviceIndex);
    ~StepGraph();
    StepGraph(const StepGraph &) = delete;
    StepGraph &operator=(const StepGraph &) = delete;

    // Runs `step` eagerly on the graph's side stream, as PyTorch requires before a capture
    // (lazy initialisations, cuBLAS workspaces and cuDNN autotuning happen outside the graph).
    // Waits for the device before and after.
    void warmUp(const std::function<void()> &step);
    // Captures `step` (it is not executed); a later replay() executes it. Throws c10::Error
    // when the step cannot be captured (an operation reads back to the host).
    void capture(const std::function<void()> &step);
    bool captured() const;
    // Launches the captured step on the current stream.
    void replay();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Returns the CUDA caching allocator's unused blocks to the driver (after an out-of-memory
// error, before trying a smaller batch). No-op without CUDA.
void releaseCachedDeviceMemory();

// Lets cuDNN time its algorithms for each new shape and keep the fastest (static shapes).
void enableCudnnAutotuning();

} // namespace tl::runners
