#include "datasets/cifar_reader.h"

#include "base/number_text.h"
#include "datasets/cifar_layout.h"
#include "datasets/memory_budget.h"

#include <algorithm>
#include <fstream>

namespace tl::datasets {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;
using cifar::Batch;
using cifar::Kind;
using cifar::Layout;
using cifar::Variant;

// Records read at once: about 3 MB, so a stop request is seen within milliseconds.
constexpr std::uint64_t kChunkRecords = 1024;
// A class names file larger than this is not one.
constexpr std::uint64_t kMaxNamesBytes = std::uint64_t{64} * 1024;

std::string grouped(std::uint64_t value)
{
    return base::groupedDigits(static_cast<std::int64_t>(value));
}

std::string trimmed(const std::string &line)
{
    const auto first = line.find_first_not_of(" \t\r\n\f\v");
    if (first == std::string::npos) {
        return {};
    }
    return line.substr(first, line.find_last_not_of(" \t\r\n\f\v") - first + 1);
}

// Where a split's reading stands: the samples, and the bytes done of all batches.
struct Reading
{
    const Variant &variant;
    bool coarse = false;
    std::uint64_t classes = 10;
    std::uint64_t done = 0;
    std::uint64_t total = 0;
};

// Copies one chunk of records into the set, checking each label.
base::Status takeRecords(const std::vector<std::uint8_t> &chunk,
                         std::uint64_t firstByte,
                         const Batch &batch,
                         const Reading &reading,
                         SampleSet &set)
{
    const std::uint64_t recordBytes = reading.variant.recordBytes();
    const std::uint64_t labelByte = reading.variant.labelBytes == 2 && !reading.coarse ? 1 : 0;
    for (std::uint64_t at = 0; at < chunk.size(); at += recordBytes) {
        const std::uint8_t label = chunk[at + labelByte];
        if (label >= reading.classes) {
            return base::makeError(
                ErrorCode::InvalidInput,
                "The label byte is " + std::to_string(label) + ", but " + reading.variant.title
                    + (reading.coarse ? " (coarse labels)" : "") + " has "
                    + std::to_string(reading.classes) + " classes (0 to "
                    + std::to_string(reading.classes - 1)
                    + "); the file is corrupt or not a CIFAR batch.",
                batch.path.filename().string() + ", byte " + grouped(firstByte + at + labelByte));
        }
        const auto *pixels = chunk.data() + at + reading.variant.labelBytes;
        set.u8.insert(set.u8.end(), pixels, pixels + cifar::kPixelBytes);
        set.labels.push_back(label);
    }
    return base::okStatus();
}

base::Status
readBatch(const Batch &batch, Reading &reading, SampleSet &set, const ReadContext &context)
{
    const std::string name = batch.path.filename().string();
    std::ifstream in(batch.path, std::ios::binary);
    if (!in) {
        return base::makeError(ErrorCode::Io, "The batch file cannot be opened.", name);
    }
    const std::uint64_t chunkBytes = kChunkRecords * reading.variant.recordBytes();
    std::vector<std::uint8_t> chunk;
    for (std::uint64_t at = 0; at < batch.bytes; at += chunkBytes) {
        if (context.stop.stop_requested()) {
            return base::makeError(ErrorCode::Cancelled, "Reading CIFAR was cancelled.", name);
        }
        chunk.resize(std::min(chunkBytes, batch.bytes - at));
        in.read(reinterpret_cast<char *>(chunk.data()), static_cast<std::streamsize>(chunk.size()));
        if (static_cast<std::uint64_t>(in.gcount()) != chunk.size()) {
            return base::makeError(ErrorCode::Io,
                                   "The batch file ended early while it was read; it changed "
                                   "on disk or cannot be read.",
                                   name + ", byte " + grouped(at + in.gcount()));
        }
        if (auto status = takeRecords(chunk, at, batch, reading, set); !status) {
            return status;
        }
        reading.done += chunk.size();
        base::reportProgress(context.progress, reading.done, reading.total, name);
    }
    return base::okStatus();
}

// Reads the batches of one split into a set sized for all of them.
base::Result<SampleSet>
readSplit(const std::vector<Batch> &batches, Reading &reading, const ReadContext &context)
{
    std::uint64_t records = 0;
    for (const Batch &batch : batches) {
        records += batch.bytes / reading.variant.recordBytes();
    }
    SampleSet set;
    set.shape = {3, 32, 32};
    set.type = ValueType::UInt8;
    set.u8.reserve(records * cifar::kPixelBytes);
    set.labels.reserve(records);
    for (const Batch &batch : batches) {
        if (auto status = readBatch(batch, reading, set, context); !status) {
            return status.error();
        }
    }
    return set;
}

// The non-empty trimmed lines of a names file; nullopt when it is absent or too large.
std::optional<std::vector<std::string>> readNames(const fs::path &path)
{
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    std::ifstream in(path);
    if (ec || size > kMaxNamesBytes || !in) {
        return std::nullopt;
    }
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);) {
        if (std::string name = trimmed(line); !name.empty()) {
            names.push_back(std::move(name));
        }
    }
    return names;
}

std::vector<std::string> classNames(const Layout &layout, bool coarse, SourceData &out)
{
    const Variant &v = cifar::variant(layout.kind);
    const std::string file = coarse ? v.coarseNamesFile : v.namesFile;
    const auto &standard = layout.kind == Kind::Cifar10 ? cifar10ClassNames()
                           : coarse                     ? cifar100CoarseClassNames()
                                                        : cifar100FineClassNames();
    const auto names = readNames(layout.folder / file);
    if (!names) {
        out.warnings.push_back(layout.folder.filename().string() + " has no readable " + file
                               + "; the standard " + v.title + " class names are used.");
        return standard;
    }
    if (names->size() != standard.size()) {
        out.warnings.push_back(file + " lists " + std::to_string(names->size())
                               + " class names, not " + std::to_string(standard.size())
                               + "; the standard " + v.title + " class names are used.");
        return standard;
    }
    return *names;
}

std::string listed(const std::vector<std::string> &names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
    }
    return out;
}

base::Result<Layout> layoutOfSpec(const proto::DatasetSpec &spec)
{
    if (spec.format() != proto::DATASET_FORMAT_CIFAR) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The dataset spec is not of the CIFAR format.",
                               "dataset \"" + spec.name() + "\"");
    }
    auto pick = cifar::resolvePick({spec.sources().begin(), spec.sources().end()});
    if (!pick) {
        return pick.error();
    }
    return std::move(pick).value().layout;
}

base::Status checkMemory(const Layout &layout)
{
    const Variant &v = cifar::variant(layout.kind);
    std::uint64_t records = layout.test.bytes / v.recordBytes();
    for (const Batch &batch : layout.train) {
        records += batch.bytes / v.recordBytes();
    }
    return checkFitsInMemory(records * (cifar::kPixelBytes + sizeof(std::int64_t)),
                             std::string("the ") + v.title + " images",
                             layout.folder.filename().string());
}

} // namespace

Recognition recognizeCifar(const std::vector<std::filesystem::path> &dropped)
{
    auto pick = cifar::resolvePick(dropped);
    if (!pick) {
        return pick.error();
    }
    const Layout &layout = pick.value().layout;
    proto::DatasetSpec spec;
    spec.set_name(layout.folder.filename().string());
    spec.set_format(proto::DATASET_FORMAT_CIFAR);
    spec.add_sources(layout.folder.string());
    return spec;
}

std::optional<std::string> cifarPickNote(const std::vector<std::filesystem::path> &dropped)
{
    auto pick = cifar::resolvePick(dropped);
    if (!pick || pick.value().pickedFiles.empty()) {
        return std::nullopt;
    }
    const Layout &layout = pick.value().layout;
    const auto &picked = pick.value().pickedFiles;
    std::vector<std::string> batches{layout.test.path.filename().string()};
    for (const Batch &batch : layout.train) {
        batches.push_back(batch.path.filename().string());
    }
    const bool pickedAll = std::all_of(batches.begin(), batches.end(), [&](const auto &name) {
        return std::find(picked.begin(), picked.end(), name) != picked.end();
    });
    if (pickedAll) {
        return std::nullopt;
    }
    static const char *const kCounts[] = {"",         "",         "both",   "all three",
                                          "all four", "all five", "all six"};
    const std::string count =
        batches.size() == 1 ? "the one batch" : std::string(kCounts[batches.size()]) + " batches";
    const std::string what =
        picked.size() <= 2 ? listed(picked) : std::to_string(picked.size()) + " files";
    return "You picked " + what + "; loaded " + count + " of " + layout.folder.filename().string()
           + ".";
}

base::Result<SourceData> readCifar(const proto::DatasetSpec &spec, const ReadContext &context)
{
    auto layout = layoutOfSpec(spec);
    if (!layout) {
        return layout.error();
    }
    const Layout &found = layout.value();
    if (auto fits = checkMemory(found); !fits) {
        return fits.error();
    }
    const Variant &v = cifar::variant(found.kind);
    const bool coarse = found.kind == Kind::Cifar100 && spec.cifar100_coarse_labels();
    SourceData out;
    out.format = v.format;
    out.classNames = classNames(found, coarse, out);
    if (!found.missingTrain.empty()) {
        out.warnings.push_back(found.folder.filename().string() + " lacks "
                               + listed(found.missingTrain)
                               + "; the other train batches were loaded.");
    }
    Reading reading{v, coarse, out.classNames.size(), 0, found.test.bytes};
    for (const Batch &batch : found.train) {
        reading.total += batch.bytes;
    }
    auto train = readSplit(found.train, reading, context);
    if (!train) {
        return train.error();
    }
    auto test = readSplit({found.test}, reading, context);
    if (!test) {
        return test.error();
    }
    out.train = std::move(train).value();
    out.test = std::move(test).value();
    return out;
}

const std::vector<std::string> &cifar10ClassNames()
{
    static const std::vector<std::string> names = {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
    return names;
}

const std::vector<std::string> &cifar100FineClassNames()
{
    static const std::vector<std::string> names = {
        "apple",       "aquarium_fish", "baby",      "bear",       "beaver",       "bed",
        "bee",         "beetle",        "bicycle",   "bottle",     "bowl",         "boy",
        "bridge",      "bus",           "butterfly", "camel",      "can",          "castle",
        "caterpillar", "cattle",        "chair",     "chimpanzee", "clock",        "cloud",
        "cockroach",   "couch",         "crab",      "crocodile",  "cup",          "dinosaur",
        "dolphin",     "elephant",      "flatfish",  "forest",     "fox",          "girl",
        "hamster",     "house",         "kangaroo",  "keyboard",   "lamp",         "lawn_mower",
        "leopard",     "lion",          "lizard",    "lobster",    "man",          "maple_tree",
        "motorcycle",  "mountain",      "mouse",     "mushroom",   "oak_tree",     "orange",
        "orchid",      "otter",         "palm_tree", "pear",       "pickup_truck", "pine_tree",
        "plain",       "plate",         "poppy",     "porcupine",  "possum",       "rabbit",
        "raccoon",     "ray",           "road",      "rocket",     "rose",         "sea",
        "seal",        "shark",         "shrew",     "skunk",      "skyscraper",   "snail",
        "snake",       "spider",        "squirrel",  "streetcar",  "sunflower",    "sweet_pepper",
        "table",       "tank",          "telephone", "television", "tiger",        "tractor",
        "train",       "trout",         "tulip",     "turtle",     "wardrobe",     "whale",
        "willow_tree", "wolf",          "woman",     "worm"};
    return names;
}

const std::vector<std::string> &cifar100CoarseClassNames()
{
    static const std::vector<std::string> names = {"aquatic_mammals",
                                                   "fish",
                                                   "flowers",
                                                   "food_containers",
                                                   "fruit_and_vegetables",
                                                   "household_electrical_devices",
                                                   "household_furniture",
                                                   "insects",
                                                   "large_carnivores",
                                                   "large_man-made_outdoor_things",
                                                   "large_natural_outdoor_scenes",
                                                   "large_omnivores_and_herbivores",
                                                   "medium_mammals",
                                                   "non-insect_invertebrates",
                                                   "people",
                                                   "reptiles",
                                                   "small_mammals",
                                                   "trees",
                                                   "vehicles_1",
                                                   "vehicles_2"};
    return names;
}

} // namespace tl::datasets
