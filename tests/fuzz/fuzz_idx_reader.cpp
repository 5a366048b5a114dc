// Fuzz target: the idx decoder must never crash, over-read or over-allocate, whatever the bytes;
// what it accepts must encode back to the same bytes; a limit must return a prefix of the whole;
// and the file reader (plain or gzip) must agree with the in-memory parser.
#include "datasets/idx_file.h"
#include "datasets/idx_format.h"
#include "datasets/idx_writer.h"

#include <unistd.h>

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

// Every result is either a consistent array or an error that says what and where.
void checkResult(const tl::base::Result<IdxArray> &result)
{
    if (!result) {
        require(!result.error().message.empty() && !result.error().context.empty());
        return;
    }
    const IdxHeader &header = result.value().header;
    require(!header.dims.empty() && header.dims.size() <= static_cast<std::size_t>(kMaxIdxDims));
    require(result.value().data.size() == dataBytes(header));
    require(dataBytes(header) <= kMaxIdxDataBytes);
}

// One scratch file per process, removed when the process exits.
struct ScratchFile
{
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("tl_fuzz_idx_" + std::to_string(::getpid()));
    ~ScratchFile()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

// Runs the file reader over the same bytes written to a file.
void checkFileReader(std::string_view bytes, const tl::base::Result<IdxArray> &parsed)
{
    static const ScratchFile scratch;
    const std::filesystem::path &path = scratch.path;
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    auto read = readIdxFile(path);
    checkResult(read);
    checkResult(readIdxFile(path, 1));
    if (auto header = readIdxHeader(path); !header) {
        require(!read.ok());
    }
    const bool gzip = bytes.size() >= 2 && bytes[0] == '\x1f' && bytes[1] == '\x8b';
    if (!gzip) { // plain bytes: the file reader and the parser must agree exactly
        require(read.ok() == parsed.ok());
        if (read && parsed) {
            require(read.value().data == parsed.value().data);
        }
    }
}

} // namespace

// The name and signature are libFuzzer's.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    auto whole = parseIdx(bytes, "fuzz");
    checkResult(whole);
    if (whole) {
        auto encoded = encodeIdx(whole.value());
        require(encoded.ok() && encoded.value() == bytes);
    }
    auto limited = parseIdx(bytes, "fuzz", 2);
    checkResult(limited);
    if (limited) {
        require(limited.value().header.dims[0] <= 2);
        if (whole) {
            const auto &prefix = limited.value().data;
            require(std::equal(prefix.begin(), prefix.end(), whole.value().data.begin()));
        }
    }
    checkFileReader(bytes, whole);
    return 0;
}
