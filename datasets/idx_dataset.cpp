#include "datasets/idx_dataset.h"

#include "datasets/idx_codec.h"
#include "datasets/idx_file.h"
#include "datasets/memory_budget.h"

namespace tl::datasets {
namespace {

using base::ErrorCode;

std::string fileName(const std::filesystem::path &path)
{
    return path.filename().string();
}

std::string describeHeader(const IdxHeader &header)
{
    std::string dims;
    for (std::size_t i = 0; i < header.dims.size(); ++i) {
        dims += (i ? ", " : "") + std::to_string(header.dims[i]);
    }
    return std::string(elementTypeName(header.type)) + " with " + std::to_string(header.dims.size())
           + (header.dims.size() == 1 ? " dimension [" : " dimensions [") + dims + "]";
}

bool isIntegerType(ElementType type)
{
    return type != ElementType::Float32 && type != ElementType::Float64;
}

base::Result<IdxHeader> imagesHeader(const std::filesystem::path &path)
{
    auto header = readIdxHeader(path);
    if (!header) {
        return header.error();
    }
    const auto ndims = header.value().dims.size();
    if (ndims < 2) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Expected samples with 2 to 4 dimensions ([N, F], [N, H, W] or "
                               "[N, C, H, W]), found "
                                   + describeHeader(header.value()) + ".",
                               fileName(path));
    }
    return header;
}

base::Result<IdxHeader> labelsHeader(const std::filesystem::path &path)
{
    auto header = readIdxHeader(path);
    if (!header) {
        return header.error();
    }
    if (!isIntegerType(header.value().type) || header.value().dims.size() != 1) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Expected integer labels with 1 dimension [N], found "
                                   + describeHeader(header.value()) + ".",
                               fileName(path));
    }
    return header;
}

// Progress of one file mapped into the combined progress of both.
base::ProgressFn
offsetProgress(const base::ProgressFn &progress, std::uint64_t before, std::uint64_t total)
{
    if (!progress) {
        return {};
    }
    return [&progress, before, total](std::uint64_t done, std::uint64_t, std::string_view what) {
        progress(before + done, total, what);
    };
}

std::uint64_t bytesToRead(const IdxHeader &header, std::uint64_t limit)
{
    return header.dataOffset + dataBytes(detail::keepFirstItems(header, limit));
}

std::vector<std::int64_t> sampleShape(const std::vector<std::int64_t> &dims)
{
    if (dims.size() == 3) {
        return {1, dims[1], dims[2]};
    }
    return {dims.begin() + 1, dims.end()};
}

base::Result<SampleSet>
assemble(IdxArray images, const IdxArray &labels, const std::string &labelsFile)
{
    SampleSet out;
    out.shape = sampleShape(images.header.dims);
    if (images.header.type == ElementType::UInt8) {
        out.type = ValueType::UInt8;
        out.u8 = std::move(images.data);
    } else {
        out.type = ValueType::Float32;
        const std::size_t count = elementCount(images.header.dims);
        out.f32.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            out.f32[i] = static_cast<float>(images.valueAt(i));
        }
    }
    const std::size_t count = labels.data.size() / elementSize(labels.header.type);
    out.labels.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        const double label = labels.valueAt(i);
        if (label < 0) {
            return base::makeError(
                ErrorCode::InvalidInput,
                "Label " + std::to_string(static_cast<std::int64_t>(label)) + " of sample "
                    + std::to_string(i) + " is negative; expected class indices 0, 1, 2, ...",
                detail::byteContext(labelsFile, labels.header.dataOffset
                                                    + i * elementSize(labels.header.type)));
        }
        out.labels[i] = static_cast<std::int64_t>(label);
    }
    return out;
}

// The images and labels paths of a split, checked to be set in a spec of the IDX format; an
// empty pair for a test split the spec does not name.
base::Result<std::pair<std::filesystem::path, std::filesystem::path>>
splitPaths(const proto::DatasetSpec &spec, bool train)
{
    const std::string where = "dataset \"" + spec.name() + "\"";
    if (spec.format() != proto::DATASET_FORMAT_IDX
        && spec.format() != proto::DATASET_FORMAT_UNSPECIFIED) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Unsupported dataset format " + std::to_string(spec.format())
                                   + "; expected DATASET_FORMAT_IDX.",
                               where);
    }
    const std::string &images = train ? spec.train_images() : spec.test_images();
    const std::string &labels = train ? spec.train_labels() : spec.test_labels();
    if (!train && images.empty() && labels.empty()) {
        return std::pair<std::filesystem::path, std::filesystem::path>{};
    }
    if (images.empty() || labels.empty()) {
        return base::makeError(ErrorCode::InvalidInput,
                               std::string("The dataset spec names no ")
                                   + (train ? "train" : "test") + " "
                                   + (images.empty() ? "images" : "labels")
                                   + " file; expected the path of an idx file.",
                               where);
    }
    return std::pair<std::filesystem::path, std::filesystem::path>{images, labels};
}

} // namespace

base::Result<IdxPairHeaders> readIdxPairHeaders(const std::filesystem::path &images,
                                                const std::filesystem::path &labels)
{
    auto imageHeader = imagesHeader(images);
    if (!imageHeader) {
        return imageHeader.error();
    }
    auto labelHeader = labelsHeader(labels);
    if (!labelHeader) {
        return labelHeader.error();
    }
    const std::int64_t imageCount = imageHeader.value().dims[0];
    const std::int64_t labelCount = labelHeader.value().dims[0];
    if (imageCount != labelCount) {
        return base::makeError(ErrorCode::InvalidInput,
                               fileName(images) + " has "
                                   + detail::groupedNumber(static_cast<std::uint64_t>(imageCount))
                                   + " images but " + fileName(labels) + " has "
                                   + detail::groupedNumber(static_cast<std::uint64_t>(labelCount))
                                   + " labels; they must have one label per image.",
                               fileName(images) + ", " + fileName(labels));
    }
    return IdxPairHeaders{std::move(imageHeader).value(), std::move(labelHeader).value()};
}

base::Result<SampleSet> loadIdxPair(const std::filesystem::path &images,
                                    const std::filesystem::path &labels,
                                    std::uint64_t limit,
                                    std::stop_token stop,
                                    const base::ProgressFn &progress)
{
    auto headers = readIdxPairHeaders(images, labels);
    if (!headers) {
        return headers.error();
    }
    const std::uint64_t imageBytes = bytesToRead(headers.value().images, limit);
    const std::uint64_t total = imageBytes + bytesToRead(headers.value().labels, limit);
    const IdxHeader kept = detail::keepFirstItems(headers.value().images, limit);
    const std::uint64_t memory = headers.value().images.type == ElementType::UInt8
                                     ? dataBytes(kept)
                                     : dataBytes(kept) + elementCount(kept.dims) * sizeof(float);
    if (auto fits = checkFitsInMemory(memory, "the samples", fileName(images)); !fits) {
        return fits.error();
    }
    auto imageArray = readIdxFile(images, limit, stop, offsetProgress(progress, 0, total));
    if (!imageArray) {
        return imageArray.error();
    }
    auto labelArray = readIdxFile(labels, limit, stop, offsetProgress(progress, imageBytes, total));
    if (!labelArray) {
        return labelArray.error();
    }
    return assemble(std::move(imageArray).value(), labelArray.value(), fileName(labels));
}

base::Result<SourceData> readIdx(const proto::DatasetSpec &spec, const ReadContext &context)
{
    SourceData out;
    out.format = "idx";
    out.classNames.assign(spec.class_names().begin(), spec.class_names().end());
    for (const bool train : {true, false}) {
        auto paths = splitPaths(spec, train);
        if (!paths) {
            return paths.error();
        }
        if (paths.value().first.empty()) {
            continue; // no test split of its own
        }
        const std::uint64_t limit = train ? spec.train_limit() : spec.test_limit();
        auto samples = loadIdxPair(paths.value().first, paths.value().second, limit, context.stop,
                                   context.progress);
        if (!samples) {
            return samples.error();
        }
        if (train) {
            out.train = std::move(samples).value();
        } else {
            out.test = std::move(samples).value();
        }
    }
    return out;
}

} // namespace tl::datasets
