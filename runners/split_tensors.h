#pragma once
// A split of the dataset as the training loop samples it: labels on the device, and the samples
// either resident on the device (normalised float32, or uint8 normalised per batch when float
// would not fit) or on the host, streamed per batch through pinned memory. Includes libtorch:
// for runners' own sources and tests only. Lives on the worker's main thread.

#include "datasets/dataset.h"

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <utility>

namespace tl::runners {

// Where a split's samples live while training.
enum class Placement {
    DeviceFloat, // normalised float32 on the device: a batch is one index_select
    DeviceBytes, // uint8 on the device, 4x smaller: converted and normalised per batch there
    HostStream,  // on the host; each batch gathered into pinned memory and copied asynchronously
};

const char *placementName(Placement placement);

// Per-channel (images [C, H, W]) or per-value (anything else) statistics of the train split,
// shaped to broadcast against a batch [N, ...sample].
struct Normalization
{
    torch::Tensor mean;
    torch::Tensor std; // constant channels get 1, not 0

    static Normalization of(const datasets::SampleSet &train);
};

// Chooses the placement: the device's memory (0 = unknown or CPU) against the bytes of all
// splits; the environment variable TL_DATA_PLACEMENT (device-float, device-bytes, host-stream)
// overrides it, for tests and tuning.
Placement choosePlacement(const torch::Device &device,
                          std::uint64_t deviceMemoryBytes,
                          std::uint64_t sampleValues,
                          bool bytesAvailable);

class SplitTensors
{
public:
    SplitTensors() = default;
    // Takes the samples (their buffer is released once copied) and places them.
    SplitTensors(datasets::SampleSet &samples,
                 const Normalization &normalization,
                 const torch::Device &device,
                 Placement placement);

    std::int64_t count() const { return m_count; }
    // Takes an epoch's order, a permutation of [0, count()) on the CPU, kept once beside the
    // samples and once beside the labels so no batch moves indices between host and device.
    void setOrder(const torch::Tensor &order);
    // Positions [begin, end) of the order: normalised float32 samples [n, ...shape] and their
    // labels, on the device.
    std::pair<torch::Tensor, torch::Tensor> batch(std::int64_t begin, std::int64_t end) const;
    // Whether the samples live on the device, so that gather() can run inside a CUDA graph.
    bool onDevice() const { return m_placement != Placement::HostStream; }
    // The samples and labels at `indices` (int64 sample indices on the device), normalised
    // float32 on the device; for device placements only. Reads nothing back to the host.
    std::pair<torch::Tensor, torch::Tensor> gather(const torch::Tensor &indices) const;
    // Normalised float32 samples [end - begin, ...shape] on the device, in stored order.
    torch::Tensor range(std::int64_t begin, std::int64_t end) const;
    torch::Tensor labelRange(std::int64_t begin, std::int64_t end) const;

private:
    torch::Tensor finish(torch::Tensor stored) const;

    Placement m_placement = Placement::DeviceFloat;
    torch::Device m_device{torch::kCPU};
    torch::Tensor m_values;     // as placed: float32 or uint8, device or host
    torch::Tensor m_labels;     // int64 on the device
    torch::Tensor m_valueOrder; // the epoch's order where m_values lives
    torch::Tensor m_labelOrder; // the same on the device
    torch::Tensor m_mean;       // on the device, for DeviceBytes and HostStream of bytes
    torch::Tensor m_std;
    std::int64_t m_count = 0;
};

} // namespace tl::runners
