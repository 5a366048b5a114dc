#include "runners/devices.h"

#include <dlfcn.h>
#include <torch/cuda.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <thread>

namespace tl::runners {
namespace {

using base::ErrorCode;

std::string cpuModelName()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) != 0) {
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            break;
        }
        const auto start = line.find_first_not_of(" \t", colon + 1);
        return start == std::string::npos ? std::string() : line.substr(start);
    }
    return "CPU";
}

std::uint64_t physicalMemoryBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || pageSize <= 0) {
        return 0;
    }
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
}

// Name and memory of CUDA device `ordinal` through the driver API, looked up at run time so a
// CPU-only build needs no CUDA library. libtorch's C++ API has no portable device-name call.
proto::DeviceInfo cudaDeviceInfo(int ordinal)
{
    proto::DeviceInfo info;
    info.set_id("cuda:" + std::to_string(ordinal));
    info.set_name("CUDA device " + std::to_string(ordinal));
    void *driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!driver) {
        return info;
    }
    using Init = int (*)(unsigned);
    using Get = int (*)(int *, int);
    using Name = int (*)(char *, int, int);
    using TotalMem = int (*)(std::size_t *, int);
    auto init = reinterpret_cast<Init>(dlsym(driver, "cuInit"));
    auto get = reinterpret_cast<Get>(dlsym(driver, "cuDeviceGet"));
    auto name = reinterpret_cast<Name>(dlsym(driver, "cuDeviceGetName"));
    auto totalMem = reinterpret_cast<TotalMem>(dlsym(driver, "cuDeviceTotalMem_v2"));
    int device = 0;
    if (init && get && init(0) == 0 && get(&device, ordinal) == 0) {
        char text[256] = {};
        if (name && name(text, sizeof text - 1, device) == 0) {
            info.set_name(text);
        }
        std::size_t bytes = 0;
        if (totalMem && totalMem(&bytes, device) == 0) {
            info.set_memory_bytes(bytes);
        }
    }
    dlclose(driver);
    return info;
}

std::string formatBytes(std::uint64_t bytes)
{
    if (bytes == 0) {
        return "unknown";
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1u << 30));
    return text;
}

} // namespace

std::uint64_t deviceMemoryBytes(const DeviceRequest &device)
{
    return device.isCuda() ? cudaDeviceInfo(device.index).memory_bytes() : 0;
}

std::string DeviceRequest::id() const
{
    return isCuda() ? "cuda:" + std::to_string(index) : "cpu";
}

base::Result<DeviceRequest> parseDevice(std::string_view text)
{
    if (text.empty() || text == "cpu") {
        return DeviceRequest{};
    }
    if (text == "cuda") {
        return DeviceRequest{DeviceRequest::Kind::Cuda, 0};
    }
    constexpr std::string_view kPrefix = "cuda:";
    if (text.substr(0, kPrefix.size()) == kPrefix) {
        const std::string_view digits = text.substr(kPrefix.size());
        int index = -1;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty()
            && index >= 0 && index < 1024) {
            return DeviceRequest{DeviceRequest::Kind::Cuda, index};
        }
    }
    return base::makeError(ErrorCode::InvalidInput, "The device '" + std::string(text)
                                                        + "' is not one of cpu, cuda, cuda:N.");
}

base::Status checkDeviceAvailable(const DeviceRequest &device)
{
    if (!device.isCuda()) {
        return base::okStatus();
    }
    if (!torch::cuda::is_available()) {
        return base::makeError(ErrorCode::Backend,
                               "CUDA device '" + device.id()
                                   + "' requested but this build/machine has no CUDA "
                                     "(torch::cuda::is_available() is false); use --device cpu");
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (device.index >= count) {
        return base::makeError(ErrorCode::Backend,
                               "CUDA device '" + device.id() + "' requested but this machine has "
                                   + std::to_string(count) + " CUDA device(s) (cuda:0 to cuda:"
                                   + std::to_string(count - 1) + ")");
    }
    return base::okStatus();
}

proto::DeviceList availableDevices()
{
    proto::DeviceList list;
    proto::DeviceInfo *cpu = list.add_devices();
    cpu->set_id("cpu");
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    cpu->set_name(cpuModelName() + " (" + std::to_string(cores) + " cores)");
    cpu->set_memory_bytes(physicalMemoryBytes());
    const int cudaCount =
        torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
    for (int i = 0; i < cudaCount; ++i) {
        *list.add_devices() = cudaDeviceInfo(i);
    }
    return list;
}

std::string describeDevices(const proto::DeviceList &devices)
{
    std::string text;
    for (const proto::DeviceInfo &device : devices.devices()) {
        char line[512];
        std::snprintf(line, sizeof line, "%-8s %s, memory %s\n", device.id().c_str(),
                      device.name().c_str(), formatBytes(device.memory_bytes()).c_str());
        text += line;
    }
    if (devices.devices_size() == 1) {
        text += "(no CUDA device: this libtorch build or machine has none)\n";
    }
    return text;
}

} // namespace tl::runners
