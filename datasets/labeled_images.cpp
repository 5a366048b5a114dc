#include "datasets/labeled_images.h"

#include "datasets/idx_codec.h"
#include "datasets/idx_file.h"

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

base::Result<IdxHeader> imagesHeader(const std::filesystem::path &path)
{
    auto header = readIdxHeader(path);
    if (!header) {
        return header.error();
    }
    const auto ndims = header.value().dims.size();
    if (header.value().type != ElementType::UInt8 || (ndims != 3 && ndims != 4)) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Expected uint8 images with 3 dimensions [N, H, W] or 4 [N, C, H, "
                               "W], found "
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
    if (header.value().type != ElementType::UInt8 || header.value().dims.size() != 1) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Expected uint8 labels with 1 dimension [N], found "
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

LabeledImages assemble(IdxArray images, const IdxArray &labels)
{
    LabeledImages out;
    const auto &dims = images.header.dims;
    const bool hasChannels = dims.size() == 4;
    out.count = dims[0];
    out.channels = hasChannels ? dims[1] : 1;
    out.height = dims[hasChannels ? 2 : 1];
    out.width = dims[hasChannels ? 3 : 2];
    out.pixels = std::move(images.data);
    out.labels.assign(labels.data.begin(), labels.data.end());
    return out;
}

// The images and labels paths of a split, checked to be set in a spec of the IDX format.
base::Result<std::pair<std::filesystem::path, std::filesystem::path>>
splitPaths(const proto::DatasetSpec &spec, Split split)
{
    const std::string where = "dataset \"" + spec.name() + "\"";
    if (spec.format() != proto::DATASET_FORMAT_IDX
        && spec.format() != proto::DATASET_FORMAT_UNSPECIFIED) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Unsupported dataset format " + std::to_string(spec.format())
                                   + "; expected DATASET_FORMAT_IDX.",
                               where);
    }
    const bool train = split == Split::Train;
    const std::string &images = train ? spec.train_images() : spec.test_images();
    const std::string &labels = train ? spec.train_labels() : spec.test_labels();
    if (images.empty() || labels.empty()) {
        return base::makeError(ErrorCode::InvalidInput,
                               std::string("The dataset spec names no ") + splitName(split) + " "
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

base::Result<LabeledImages> loadIdxPair(const std::filesystem::path &images,
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
    auto imageArray = readIdxFile(images, limit, stop, offsetProgress(progress, 0, total));
    if (!imageArray) {
        return imageArray.error();
    }
    auto labelArray = readIdxFile(labels, limit, stop, offsetProgress(progress, imageBytes, total));
    if (!labelArray) {
        return labelArray.error();
    }
    return assemble(std::move(imageArray).value(), labelArray.value());
}

base::Result<IdxPairHeaders> readSplitHeaders(const proto::DatasetSpec &spec, Split split)
{
    auto paths = splitPaths(spec, split);
    if (!paths) {
        return paths.error();
    }
    return readIdxPairHeaders(paths.value().first, paths.value().second);
}

base::Result<LabeledImages> loadSplit(const proto::DatasetSpec &spec,
                                      Split split,
                                      std::stop_token stop,
                                      const base::ProgressFn &progress)
{
    auto paths = splitPaths(spec, split);
    if (!paths) {
        return paths.error();
    }
    const std::uint64_t limit = split == Split::Train ? spec.train_limit() : spec.test_limit();
    return loadIdxPair(paths.value().first, paths.value().second, limit, stop, progress);
}

const char *splitName(Split split)
{
    return split == Split::Train ? "train" : "test";
}

} // namespace tl::datasets
