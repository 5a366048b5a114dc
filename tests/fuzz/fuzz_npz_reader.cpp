// Fuzz target: the zip reader must never crash, over-read or allocate beyond what the archive
// can justify; every member it reads must have the size and CRC its directory promises, a
// prefix must be the start of the whole; members parse as .npy without crashing; the archive
// opens the same from a file as from memory; and the whole NumPy pipeline (recognise, read)
// either yields consistent samples or an error that says what and where.
#include "datasets/npy_format.h"
#include "datasets/numpy_reader.h"
#include "datasets/zip_archive.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace tl::datasets;

namespace {

// Members larger than this are not inflated: legal (within deflate's ratio), but slow to fuzz.
constexpr std::uint64_t kMaxMemberBytes = std::uint64_t{64} << 20;

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

void checkMember(const ZipArchive &archive, const ZipEntry &entry)
{
    require(entry.dataOffset + entry.compressedSize <= archive.archiveSize());
    auto prefix = archive.readPrefix(entry, 64);
    if (!prefix) {
        checkError(prefix.error());
    }
    if (entry.size > kMaxMemberBytes) {
        return;
    }
    auto whole = archive.read(entry);
    if (!whole) {
        checkError(whole.error());
        return;
    }
    require(whole.value().size() == entry.size);
    if (prefix) {
        const auto &start = prefix.value();
        require(start.size() <= whole.value().size());
        require(std::equal(start.begin(), start.end(), whole.value().begin()));
    }
    auto array = parseNpy(std::move(whole.value()), archive.name() + ": " + entry.name);
    if (array) {
        require(array.value().data.size() == array.value().header.dataBytes());
    } else {
        checkError(array.error());
    }
}

void checkSamples(const SampleSet &set)
{
    require(set.count() > 0);
    const auto values = static_cast<std::uint64_t>(set.count() * set.sampleSize());
    require(set.type == ValueType::UInt8 ? set.u8.size() == values : set.f32.size() == values);
}

// One scratch file per process, removed when the process exits.
struct ScratchFile
{
    std::filesystem::path path = std::filesystem::temp_directory_path()
                                 / ("tl_fuzz_npz_" + std::to_string(::getpid()) + ".npz");
    ~ScratchFile()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

void checkPipeline(std::string_view bytes, const tl::base::Result<ZipArchive> &inMemory)
{
    static const ScratchFile scratch;
    {
        std::ofstream out(scratch.path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    auto file = ZipArchive::open(scratch.path);
    require(file.ok() == inMemory.ok());
    if (file) {
        require(file.value().entries().size() == inMemory.value().entries().size());
    }
    auto spec = recognizeNumpy({scratch.path});
    if (!spec) {
        checkError(spec.error());
        return;
    }
    auto data = readNumpy(spec.value(), {});
    if (!data) {
        checkError(data.error());
        return;
    }
    checkSamples(data.value().train);
    if (data.value().test) {
        checkSamples(*data.value().test);
    }
}

} // namespace

// The name and signature are libFuzzer's.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    auto archive = ZipArchive::fromBytes(bytes, "fuzz.npz");
    if (!archive) {
        checkError(archive.error());
    } else {
        for (const ZipEntry &entry : archive.value().entries()) {
            checkMember(archive.value(), entry);
        }
    }
    checkPipeline(bytes, archive);
    return 0;
}
