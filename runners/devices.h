#pragma once
// Which device a run trains on: parsing "cpu" / "cuda" / "cuda:N", checking that it exists,
// and listing the machine's devices for `torchlight-worker devices`. Torch-free header.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace tl::runners {

// A device to train on, as parsed from the spec or --device.
struct DeviceRequest
{
    enum class Kind { Cpu, Cuda };
    Kind kind = Kind::Cpu;
    int index = 0; // CUDA ordinal; 0 for "cuda"

    bool isCuda() const { return kind == Kind::Cuda; }
    // "cpu" or "cuda:N": the form libtorch's torch::Device accepts.
    std::string id() const;
};

// Accepts "cpu", "cuda" and "cuda:N" (N a small non-negative integer); "" means "cpu".
base::Result<DeviceRequest> parseDevice(std::string_view text);

// Whether this libtorch build and machine can run on the requested device. The error's message
// is the one line the worker prints on stderr.
base::Status checkDeviceAvailable(const DeviceRequest &device);

// Memory of a CUDA device in bytes (from the driver); 0 for the CPU or when unknown.
std::uint64_t deviceMemoryBytes(const DeviceRequest &device);

// The CPU (name from /proc/cpuinfo, core count, physical memory) then each CUDA device.
proto::DeviceList availableDevices();

// Human-readable table of a device list, one device per line.
std::string describeDevices(const proto::DeviceList &devices);

} // namespace tl::runners
