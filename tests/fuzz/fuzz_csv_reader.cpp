// Fuzz target: the CSV reader must never crash, hang or over-allocate, whatever the bytes; under
// both bad-row policies a load is either consistent (one label per row, F values per row, labels
// within the class names) or an error that says what and where.
#include "datasets/csv_reader.h"

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

void checkResult(const tl::base::Result<SourceData> &result)
{
    if (!result) {
        require(!result.error().message.empty() && !result.error().context.empty());
        return;
    }
    const SourceData &data = result.value();
    require(data.train.shape.size() == 1 && data.train.shape[0] >= 1);
    const auto features = static_cast<std::size_t>(data.train.shape[0]);
    require(data.featureNames.size() == features);
    require(data.train.count() > 0);
    require(data.train.labels.size() * features == data.train.f32.size());
    for (const std::int64_t label : data.train.labels) {
        require(label >= 0 && static_cast<std::size_t>(label) < data.classNames.size());
    }
}

// One scratch file per process, removed when the process exits.
struct ScratchFile
{
    std::filesystem::path path = std::filesystem::temp_directory_path()
                                 / ("tl_fuzz_csv_" + std::to_string(::getpid()) + ".csv");
    ~ScratchFile()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

} // namespace

// The name and signature are libFuzzer's.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const ScratchFile scratch;
    {
        std::ofstream out(scratch.path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
    }
    tl::proto::DatasetSpec spec;
    spec.set_format(tl::proto::DATASET_FORMAT_CSV);
    spec.add_sources(scratch.path.string());
    for (const auto policy : {tl::proto::BAD_SAMPLE_STOP, tl::proto::BAD_SAMPLE_SKIP}) {
        spec.set_bad_samples(policy);
        checkResult(readCsv(spec, {}));
    }
    const Recognition recognition = recognizeCsv({scratch.path});
    require(recognition.ok() || !recognition.error().message.empty());
    return 0;
}
