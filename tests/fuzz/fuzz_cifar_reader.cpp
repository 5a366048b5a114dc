// Fuzz target: the CIFAR reader must never crash or over-allocate, whatever the bytes of a batch
// or a class names file. The bytes become CIFAR-10 batches, CIFAR-100 batches and a CIFAR-10
// names file in a scratch folder; a batch is recognised exactly when its size is a whole number of
// records, and read exactly when every label byte is in range.
#include "datasets/cifar_reader.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace tl::datasets;
namespace fs = std::filesystem;

namespace {

void require(bool condition)
{
    if (!condition) {
        std::abort();
    }
}

// One scratch folder per process, removed when the process exits.
struct ScratchFolder
{
    fs::path path = fs::temp_directory_path() / ("tl_fuzz_cifar_" + std::to_string(::getpid()));
    ScratchFolder() { fs::create_directories(path); }
    ~ScratchFolder()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

const fs::path &scratch()
{
    static const ScratchFolder folder;
    return folder.path;
}

void writeFile(const fs::path &path, std::string_view bytes)
{
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// True when the label byte at `offset` of every record is below `classes`.
bool labelsInRange(std::string_view bytes, std::size_t record, std::size_t offset, unsigned classes)
{
    for (std::size_t at = offset; at < bytes.size(); at += record) {
        if (static_cast<unsigned char>(bytes[at]) >= classes) {
            return false;
        }
    }
    return true;
}

// Checks a read whose train and test batches both hold `bytes`.
void checkRead(const tl::base::Result<SourceData> &data,
               std::string_view bytes,
               std::size_t record,
               bool labelsOk)
{
    require(data.ok() == labelsOk);
    if (!data) {
        require(!data.error().message.empty() && !data.error().context.empty());
        return;
    }
    const std::size_t count = bytes.size() / record;
    for (const SampleSet *set : {&data.value().train, &*data.value().test}) {
        require(set->shape == std::vector<std::int64_t>{3, 32, 32});
        require(set->count() == static_cast<std::int64_t>(count));
        require(set->u8.size() == count * 3072);
        for (const std::int64_t label : set->labels) {
            require(label >= 0
                    && label < static_cast<std::int64_t>(data.value().classNames.size()));
        }
    }
}

void fuzzCifar10(std::string_view bytes)
{
    const fs::path folder = scratch() / "ten";
    writeFile(folder / "data_batch_1.bin", bytes);
    writeFile(folder / "test_batch.bin", bytes);
    auto spec = recognizeCifar({folder / "data_batch_1.bin"});
    require(spec.ok() == (!bytes.empty() && bytes.size() % 3073 == 0));
    if (!spec) {
        require(!spec.error().message.empty());
        return;
    }
    checkRead(readCifar(spec.value(), {}), bytes, 3073, labelsInRange(bytes, 3073, 0, 10));
}

void fuzzCifar100(std::string_view bytes)
{
    const fs::path folder = scratch() / "hundred";
    writeFile(folder / "train.bin", bytes);
    writeFile(folder / "test.bin", bytes);
    auto spec = recognizeCifar({folder});
    require(spec.ok() == (!bytes.empty() && bytes.size() % 3074 == 0));
    if (!spec) {
        return;
    }
    checkRead(readCifar(spec.value(), {}), bytes, 3074, labelsInRange(bytes, 3074, 1, 100));
    spec.value().set_cifar100_coarse_labels(true);
    checkRead(readCifar(spec.value(), {}), bytes, 3074, labelsInRange(bytes, 3074, 0, 20));
}

// The bytes as batches.meta.txt beside a valid one-record dataset: always readable, always ten
// class names (the file's or the standard ones).
void fuzzNames(std::string_view bytes)
{
    const fs::path folder = scratch() / "names";
    const std::string record = std::string(1, '\x03') + std::string(3072, '\x80');
    writeFile(folder / "data_batch_1.bin", record);
    writeFile(folder / "test_batch.bin", record);
    writeFile(folder / "batches.meta.txt", bytes);
    auto spec = recognizeCifar({folder / "batches.meta.txt"});
    require(spec.ok());
    auto data = readCifar(spec.value(), {});
    require(data.ok() && data.value().classNames.size() == 10);
    for (const std::string &name : data.value().classNames) {
        require(!name.empty());
    }
}

} // namespace

// The name and signature are libFuzzer's.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    fuzzCifar10(bytes);
    fuzzCifar100(bytes);
    fuzzNames(bytes);
    return 0;
}
