// Fuzz target: the .npy parser must never crash, over-read or over-allocate, whatever the bytes;
// what it accepts must hold exactly the bytes its header promises, in host order and C order;
// the converters must either give one value per element or say what and where; and the file
// reader must agree with the in-memory parser.
#include "datasets/npy_format.h"

#include <unistd.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace tl::datasets;

namespace {

void require(bool condition)
{
    if (!condition) {
        std::abort();
    }
}

void checkError(const tl::base::Error &error)
{
    require(!error.message.empty() && !error.context.empty());
}

void checkArray(const tl::base::Result<NpyArray> &result, std::size_t inputSize)
{
    if (!result) {
        checkError(result.error());
        return;
    }
    const NpyArray &array = result.value();
    require(array.data.size() == array.header.dataBytes());
    require(array.header.dataOffset + array.data.size() == inputSize);
    require(!array.header.fortranOrder);
    require(array.header.dtype.bigEndian == (std::endian::native == std::endian::big));
    const std::size_t size = array.header.dtype.itemSize;
    require(size == 1 || size == 2 || size == 4 || size == 8);
    auto floats = npyToFloat32(array, "fuzz");
    if (floats) {
        require(floats.value().size() == array.header.count());
    } else {
        checkError(floats.error());
    }
    auto labels = npyToLabels(array, "fuzz");
    if (labels) {
        require(labels.value().size() == array.header.count());
        for (std::int64_t label : labels.value()) {
            require(label >= 0);
        }
    } else {
        checkError(labels.error());
    }
}

// One scratch file per process, removed when the process exits.
struct ScratchFile
{
    std::filesystem::path path = std::filesystem::temp_directory_path()
                                 / ("tl_fuzz_npy_" + std::to_string(::getpid()) + ".npy");
    ~ScratchFile()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

void checkFileReader(std::string_view bytes, const tl::base::Result<NpyArray> &parsed)
{
    static const ScratchFile scratch;
    {
        std::ofstream out(scratch.path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    auto read = readNpyFile(scratch.path);
    checkArray(read, bytes.size());
    require(read.ok() == parsed.ok());
    if (read && parsed) {
        require(read.value().data == parsed.value().data);
        require(read.value().header.shape == parsed.value().header.shape);
    }
    auto header = readNpyHeader(scratch.path);
    if (parsed) {
        require(header.ok() && header.value().shape == parsed.value().header.shape);
    }
}

} // namespace

// The name and signature are libFuzzer's.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    auto viewed = parseNpy(bytes, "fuzz");
    checkArray(viewed, size);
    auto moved = parseNpy(std::vector<std::uint8_t>(data, data + size), "fuzz");
    checkArray(moved, size);
    require(viewed.ok() == moved.ok());
    if (viewed && moved) {
        require(viewed.value().data == moved.value().data);
    }
    auto header = parseNpyHeader(bytes, "fuzz");
    if (viewed) {
        require(header.ok() && header.value().dataOffset == viewed.value().header.dataOffset);
    } else if (!header) {
        checkError(header.error());
    }
    checkFileReader(bytes, viewed);
    return 0;
}
