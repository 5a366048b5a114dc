#include "datasets/dataset_loader.h"

#include "datasets/cifar_reader.h"
#include "datasets/csv_reader.h"
#include "datasets/dataset_split.h"
#include "datasets/idx_dataset.h"
#include "datasets/idx_sniffer.h"
#include "datasets/image_folder.h"
#include "datasets/numpy_reader.h"

#include <cmath>

namespace tl::datasets {
namespace {

using base::ErrorCode;

struct Format
{
    const char *name;
    Recognition (*recognize)(const std::vector<std::filesystem::path> &);
    base::Result<SourceData> (*read)(const proto::DatasetSpec &, const ReadContext &);
    proto::DatasetFormat format;
};

// In the order they are asked: the strictest by content first, CSV (any text) late.
const std::vector<Format> &formats()
{
    static const std::vector<Format> all = {
        {"idx", &recognizeIdx, &readIdx, proto::DATASET_FORMAT_IDX},
        {"CIFAR", &recognizeCifar, &readCifar, proto::DATASET_FORMAT_CIFAR},
        {"NumPy", &recognizeNumpy, &readNumpy, proto::DATASET_FORMAT_NUMPY},
        {"image folder", &recognizeImageFolder, &readImageFolder,
         proto::DATASET_FORMAT_IMAGE_FOLDER},
        {"CSV", &recognizeCsv, &readCsv, proto::DATASET_FORMAT_CSV},
    };
    return all;
}

std::string droppedContext(const std::vector<std::filesystem::path> &dropped)
{
    if (dropped.size() == 1) {
        return dropped[0].string();
    }
    return dropped.empty() ? std::string("nothing dropped")
                           : dropped[0].filename().string() + " and "
                                 + std::to_string(dropped.size() - 1) + " more";
}

// Float features that are NaN or infinite, which no reader should let through.
base::Status checkFinite(const Dataset &dataset)
{
    for (const auto &[set, name] : {std::pair{&dataset.train, "train"},
                                    {&dataset.val, "validation"},
                                    {&dataset.test, "test"}}) {
        const auto size = static_cast<std::size_t>(std::max<std::int64_t>(set->sampleSize(), 1));
        for (std::size_t k = 0; k < set->f32.size(); ++k) {
            if (!std::isfinite(set->f32[k])) {
                return base::makeError(ErrorCode::InvalidInput,
                                       "Value " + std::to_string(k % size) + " of " + name
                                           + " sample " + std::to_string(k / size)
                                           + " is not a finite number; expected finite features.",
                                       "dataset \"" + dataset.name + "\"");
            }
        }
    }
    return base::okStatus();
}

} // namespace

Recognition recognizeDataset(const std::vector<std::filesystem::path> &dropped,
                             std::vector<std::string> *notes)
{
    if (dropped.empty()) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Nothing was dropped; expected dataset files or a folder.");
    }
    std::string expected;
    for (const Format &format : formats()) {
        Recognition recognition = format.recognize(dropped);
        if (!isNotThisFormat(recognition)) {
            const bool cifar =
                recognition && recognition.value().format() == proto::DATASET_FORMAT_CIFAR;
            if (cifar && notes != nullptr) {
                if (auto note = cifarPickNote(dropped)) {
                    notes->push_back(*note);
                }
            }
            return recognition;
        }
        expected += std::string("\n- ") + format.name + ": " + recognition.error().message;
    }
    return base::makeError(ErrorCode::InvalidInput, "No dataset format recognises this." + expected,
                           droppedContext(dropped));
}

base::Result<Dataset> loadDataset(const proto::DatasetSpec &spec, const ReadContext &context)
{
    const proto::DatasetFormat format = spec.format() == proto::DATASET_FORMAT_UNSPECIFIED
                                            ? proto::DATASET_FORMAT_IDX
                                            : spec.format();
    for (const Format &candidate : formats()) {
        if (candidate.format != format) {
            continue;
        }
        auto source = candidate.read(spec, context);
        if (!source) {
            return source.error();
        }
        auto dataset = splitDataset(std::move(source).value(), spec);
        if (!dataset) {
            return dataset.error();
        }
        if (auto finite = checkFinite(dataset.value()); !finite) {
            return finite.error();
        }
        return dataset;
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "The dataset format " + std::to_string(format)
                               + " is not one this build reads.",
                           "dataset \"" + spec.name() + "\", field format");
}

const char *formatDisplayName(proto::DatasetFormat format)
{
    switch (format) {
    case proto::DATASET_FORMAT_UNSPECIFIED:
    case proto::DATASET_FORMAT_IDX:
        return "idx";
    case proto::DATASET_FORMAT_CIFAR:
        return "CIFAR";
    case proto::DATASET_FORMAT_CSV:
        return "CSV";
    case proto::DATASET_FORMAT_NUMPY:
        return "NumPy";
    case proto::DATASET_FORMAT_IMAGE_FOLDER:
        return "image folder";
    default:
        return "unknown";
    }
}

} // namespace tl::datasets
