#include "runners/split_tensors.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace tl::runners {
namespace {

// Samples per chunk when computing statistics: bounded temporary memory for any split size.
constexpr std::int64_t kStatsChunk = 8192;
// Share of the device's memory the data may take; the rest is for weights and activations.
constexpr double kDeviceDataShare = 0.4;

std::vector<std::int64_t> batchShape(std::int64_t count, const std::vector<std::int64_t> &sample)
{
    std::vector<std::int64_t> shape{count};
    shape.insert(shape.end(), sample.begin(), sample.end());
    return shape;
}

// The samples as a host tensor viewing the SampleSet's buffer (no copy).
torch::Tensor hostView(datasets::SampleSet &set)
{
    const auto shape = batchShape(set.count(), set.shape);
    if (set.type == datasets::ValueType::UInt8) {
        return torch::from_blob(set.u8.data(), shape, torch::kUInt8);
    }
    return torch::from_blob(set.f32.data(), shape, torch::kFloat32);
}

// Dimensions reduced over for the statistics: all but the channel of images, else the batch.
std::vector<std::int64_t> reducedDims(const datasets::SampleSet &set)
{
    if (set.isImage()) {
        return {0, 2, 3};
    }
    return {0};
}

// A new float32 tensor (never a view of `values`: the caller may change it in place).
torch::Tensor asFloat(const torch::Tensor &values)
{
    torch::Tensor out = values.to(torch::kFloat32, /*non_blocking=*/false, /*copy=*/true);
    return values.scalar_type() == torch::kUInt8 ? out.div_(255.0) : out;
}

} // namespace

const char *placementName(Placement placement)
{
    switch (placement) {
    case Placement::DeviceFloat:
        return "resident on the device as float32";
    case Placement::DeviceBytes:
        return "resident on the device as uint8, normalised per batch";
    case Placement::HostStream:
        return "streamed from host memory per batch";
    }
    return "?";
}

Normalization Normalization::of(const datasets::SampleSet &train)
{
    auto &set = const_cast<datasets::SampleSet &>(train); // from_blob wants a mutable pointer
    const torch::Tensor all = hostView(set);
    const std::vector<std::int64_t> dims = reducedDims(train);
    torch::Tensor sum;
    torch::Tensor squares;
    for (std::int64_t begin = 0; begin < train.count(); begin += kStatsChunk) {
        const torch::Tensor chunk =
            asFloat(all.slice(0, begin, std::min(begin + kStatsChunk, train.count())))
                .to(torch::kFloat64);
        torch::Tensor s = chunk.sum(dims, /*keepdim=*/true);
        torch::Tensor q = chunk.square().sum(dims, /*keepdim=*/true);
        sum = sum.defined() ? sum.add_(s) : s;
        squares = squares.defined() ? squares.add_(q) : q;
    }
    const double n = static_cast<double>(all.numel() / std::max<std::int64_t>(sum.numel(), 1));
    const torch::Tensor mean = sum / n;
    torch::Tensor stdev = (squares / n - mean.square()).clamp_min(0).sqrt();
    stdev = torch::where(stdev > 1e-6, stdev, torch::ones_like(stdev));
    return {mean.to(torch::kFloat32), stdev.to(torch::kFloat32)};
}

Placement choosePlacement(const torch::Device &device,
                          std::uint64_t deviceMemoryBytes,
                          std::uint64_t sampleValues,
                          bool bytesAvailable)
{
    if (const char *forced = std::getenv("TL_DATA_PLACEMENT")) {
        const std::string_view text(forced);
        if (text == "device-bytes" && bytesAvailable) {
            return Placement::DeviceBytes;
        }
        if (text == "host-stream") {
            return Placement::HostStream;
        }
        if (text == "device-float") {
            return Placement::DeviceFloat;
        }
    }
    if (!device.is_cuda() || deviceMemoryBytes == 0) {
        return Placement::DeviceFloat; // the CPU: "the device" is host memory
    }
    const auto budget = static_cast<double>(deviceMemoryBytes) * kDeviceDataShare;
    if (static_cast<double>(sampleValues) * sizeof(float) <= budget) {
        return Placement::DeviceFloat;
    }
    if (bytesAvailable && static_cast<double>(sampleValues) <= budget) {
        return Placement::DeviceBytes;
    }
    return Placement::HostStream;
}

SplitTensors::SplitTensors(datasets::SampleSet &samples,
                           const Normalization &normalization,
                           const torch::Device &device,
                           Placement placement)
    : m_placement(placement)
    , m_device(device)
    , m_count(samples.count())
{
    if (m_count == 0) {
        return; // no validation split: nothing to place
    }
    // Copies (copy=true): on the CPU .to() would otherwise alias the buffers released below.
    m_labels = torch::from_blob(samples.labels.data(), {m_count}, torch::kInt64)
                   .to(device, torch::kInt64, /*non_blocking=*/false, /*copy=*/true);
    const torch::Tensor host = hostView(samples);
    const bool bytes = host.scalar_type() == torch::kUInt8;
    if (placement == Placement::DeviceFloat || (placement == Placement::HostStream && !bytes)) {
        // Normalised once, up front; the host copy is released below.
        torch::Tensor values = asFloat(host).sub_(normalization.mean).div_(normalization.std);
        m_values = placement == Placement::DeviceFloat ? values.to(device) : values;
    } else {
        m_values =
            host.to(placement == Placement::DeviceBytes ? device : torch::Device(torch::kCPU),
                    torch::kUInt8, /*non_blocking=*/false, /*copy=*/true);
        m_mean = normalization.mean.to(device);
        m_std = normalization.std.to(device);
    }
    if (m_placement == Placement::HostStream && device.is_cuda()) {
        m_values = m_values.pin_memory();
    }
    samples.u8 = {};
    samples.f32 = {};
    samples.labels = {};
}

torch::Tensor SplitTensors::finish(torch::Tensor stored) const
{
    if (stored.device() != m_device) {
        // Pinned staging: the copy runs asynchronously and the caching host allocator keeps the
        // buffer until the copy is done.
        const bool cuda = m_device.is_cuda();
        torch::Tensor staging = cuda ? stored.pin_memory() : stored;
        stored = staging.to(m_device, /*non_blocking=*/cuda);
    }
    if (stored.scalar_type() != torch::kUInt8) {
        return stored;
    }
    return stored.to(torch::kFloat32).div_(255.0).sub_(m_mean).div_(m_std);
}

void SplitTensors::setOrder(const torch::Tensor &order)
{
    m_valueOrder = order.to(m_values.device());
    m_labelOrder = order.to(m_device);
}

std::pair<torch::Tensor, torch::Tensor> SplitTensors::batch(std::int64_t begin,
                                                            std::int64_t end) const
{
    return {finish(m_values.index_select(0, m_valueOrder.slice(0, begin, end))),
            m_labels.index_select(0, m_labelOrder.slice(0, begin, end))};
}

std::pair<torch::Tensor, torch::Tensor> SplitTensors::gather(const torch::Tensor &indices) const
{
    return {finish(m_values.index_select(0, indices)), m_labels.index_select(0, indices)};
}

torch::Tensor SplitTensors::range(std::int64_t begin, std::int64_t end) const
{
    return finish(m_values.slice(0, begin, end));
}

torch::Tensor SplitTensors::labelRange(std::int64_t begin, std::int64_t end) const
{
    return m_labels.slice(0, begin, end);
}

} // namespace tl::runners
