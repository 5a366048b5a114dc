#include "datasets/image_folder.h"

#include "base/number_text.h"
#include "datasets/image_decode_pool.h"
#include "datasets/image_decoder.h"
#include "datasets/image_listing.h"
#include "datasets/memory_budget.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <thread>

namespace tl::datasets {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;
using images::ClassFolder;
using images::findSources;
using images::ImageJob;
using images::listSplit;
using images::normalFolder;
using images::SampleShape;
using images::SplitListing;

// AUTO colour looks at this many decodable images, trying at most kProbeTries files.
constexpr int kProbeImages = 16;
constexpr int kProbeTries = 64;
// An image size taken from the first image is capped so that a folder of photos stays loadable.
constexpr int kMaxAutoSide = 256;
// A size asked for in the spec beyond this is a mistake, not a wish.
constexpr std::uint32_t kMaxSide = 16384;

// The listed splits of a spec, and the class names: the union of their class folders, sorted.
struct Listing
{
    std::vector<SplitListing> splits; // train, then test if the source has one
    std::vector<std::string> classNames;
};

base::Result<Listing> listSpec(const proto::DatasetSpec &spec)
{
    const std::string where = "dataset \"" + spec.name() + "\"";
    if (spec.format() != proto::DATASET_FORMAT_IMAGE_FOLDER) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The dataset spec is not of the image folder format.", where);
    }
    if (spec.sources_size() < 1 || spec.sources_size() > 2) {
        return base::makeError(ErrorCode::InvalidInput,
                               "An image folder spec names one folder, or a train and a test "
                               "folder, as its sources; this one names "
                                   + std::to_string(spec.sources_size()) + ".",
                               where);
    }
    Listing listing;
    std::set<std::string> names;
    for (const std::string &source : spec.sources()) {
        std::error_code ec;
        if (!fs::is_directory(source, ec)) {
            return base::makeError(ErrorCode::NotFound, "The image folder does not exist.", source);
        }
        listing.splits.push_back(listSplit(normalFolder(source)));
        for (const ClassFolder &c : listing.splits.back().classes) {
            names.insert(c.name);
        }
    }
    listing.classNames.assign(names.begin(), names.end());
    return listing;
}

std::string quotedList(const std::vector<std::string> &names)
{
    std::string list;
    for (const std::string &name : names) {
        list += (list.empty() ? "\"" : ", \"") + name + "\"";
    }
    return list;
}

// One warning per split for the classes it has no images of.
void warnEmptyClasses(const Listing &listing, std::vector<std::string> &warnings)
{
    for (const SplitListing &split : listing.splits) {
        std::vector<std::string> empty;
        for (const std::string &name : listing.classNames) {
            const auto it = std::find_if(split.classes.begin(), split.classes.end(),
                                         [&](const ClassFolder &c) { return c.name == name; });
            if (it == split.classes.end() || it->files.empty()) {
                empty.push_back(name);
            }
        }
        if (!empty.empty()) {
            warnings.push_back(split.root.filename().string() + ": the class"
                               + (empty.size() == 1 ? " " : "es ") + quotedList(empty)
                               + (empty.size() == 1 ? " has" : " have") + " no images.");
        }
    }
}

std::vector<ImageJob> makeJobs(const Listing &listing)
{
    std::vector<ImageJob> jobs;
    for (std::size_t s = 0; s < listing.splits.size(); ++s) {
        const SplitListing &split = listing.splits[s];
        // The context starts after the root's parent: "animals/cat/003.png".
        const std::string parent = split.root.parent_path().string();
        const std::size_t contextFrom =
            parent.size() + (parent.empty() || parent.back() == '/' ? 0 : 1);
        for (const ClassFolder &c : split.classes) {
            const auto label =
                std::lower_bound(listing.classNames.begin(), listing.classNames.end(), c.name)
                - listing.classNames.begin();
            for (const fs::path &file : c.files) {
                jobs.push_back({file, contextFrom, label, s == 1});
            }
        }
    }
    return jobs;
}

// What the first decodable images say: their colour and the first one's size.
struct Probe
{
    bool colour = false;
    int width = 0;
    int height = 0;
    std::string first; // the first decoded image's context
};

base::Result<Probe> probeImages(const std::vector<ImageJob> &jobs, std::stop_token stop)
{
    Probe probe;
    std::optional<base::Error> firstError;
    std::vector<std::uint8_t> buffer;
    int decoded = 0;
    for (std::size_t i = 0; i < jobs.size() && i < kProbeTries && decoded < kProbeImages; ++i) {
        if (stop.stop_requested()) {
            return base::makeError(ErrorCode::Cancelled, "Decoding the images was cancelled.");
        }
        auto image = images::decodeImageFile(jobs[i], 0, buffer);
        if (!image) {
            firstError = firstError ? firstError : image.error();
            continue;
        }
        if (decoded++ == 0) {
            probe = {false, image.value().width, image.value().height, jobs[i].context()};
        }
        probe.colour = probe.colour || hasColour(image.value());
    }
    if (decoded == 0) {
        const base::Error first =
            firstError ? *firstError
                       : base::makeError(ErrorCode::InvalidInput, "The folder has no images.");
        return base::makeError(first.code,
                               "None of the first images can be decoded, so their size and "
                               "colour are unknown; the first fails with: "
                                   + first.message,
                               first.context);
    }
    return probe;
}

std::string sizeText(int width, int height)
{
    return base::groupedDigits(width) + " x " + base::groupedDigits(height);
}

// The first image's size, scaled down to fit kMaxAutoSide with a warning.
void sizeFromProbe(const Probe &p, SampleShape &shape, std::vector<std::string> &warnings)
{
    const double scale = std::min(1.0, double(kMaxAutoSide) / std::max(p.width, p.height));
    shape.width = std::max(1, static_cast<int>(std::lround(p.width * scale)));
    shape.height = std::max(1, static_cast<int>(std::lround(p.height * scale)));
    if (scale < 1.0) {
        warnings.push_back("The first image, " + p.first + ", is " + sizeText(p.width, p.height)
                           + " pixels; all images were resized to "
                           + sizeText(shape.width, shape.height)
                           + " to keep memory in check (set the image size in the dataset "
                             "options to choose another).");
    }
}

// The sample shape: the spec's, or what the first images show.
base::Result<SampleShape> chooseShape(const proto::DatasetSpec &spec,
                                      const std::vector<ImageJob> &jobs,
                                      std::stop_token stop,
                                      std::vector<std::string> &warnings)
{
    const proto::ImageOptions &options = spec.image();
    if (options.width() > kMaxSide || options.height() > kMaxSide) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The image size asked for, " + std::to_string(options.width())
                                   + " x " + std::to_string(options.height())
                                   + ", is larger than the 16384 x 16384 Torchlight resizes to.",
                               "dataset \"" + spec.name() + "\"");
    }
    SampleShape shape{options.color() == proto::COLOR_MODE_GRAY ? 1 : 3,
                      static_cast<int>(options.width()), static_cast<int>(options.height())};
    const bool needSize = shape.width == 0 || shape.height == 0;
    if (!needSize && options.color() != proto::COLOR_MODE_AUTO) {
        return shape;
    }
    auto probe = probeImages(jobs, stop);
    if (!probe) {
        return probe.error();
    }
    if (options.color() == proto::COLOR_MODE_AUTO) {
        shape.channels = probe.value().colour ? 3 : 1;
    }
    if (needSize) {
        sizeFromProbe(probe.value(), shape, warnings);
    }
    return shape;
}

// Decodes every image after checking that they fit in memory; an error when none could be read.
base::Result<images::DecodedSets> decodeAll(const proto::DatasetSpec &spec,
                                            const std::vector<ImageJob> &jobs,
                                            const SampleShape &shape,
                                            unsigned threads,
                                            const ReadContext &context)
{
    if (auto fits = checkFitsInMemory(jobs.size() * (shape.bytes() + sizeof(std::int64_t)),
                                      "the decoded images", spec.sources(0));
        !fits) {
        return fits.error();
    }
    auto sets =
        images::decodeImageFiles(jobs, shape, spec.bad_samples(), std::max(threads, 1u), context);
    if (sets && sets.value().train.count() + sets.value().test.count() == 0) {
        return base::makeError(ErrorCode::InvalidInput,
                               "None of the images could be decoded. "
                                   + sets.value().skipped.value_or(std::string()),
                               spec.sources(0));
    }
    return sets;
}

} // namespace

Recognition recognizeImageFolder(const std::vector<std::filesystem::path> &dropped)
{
    std::error_code ec;
    if (dropped.size() != 1 || !fs::is_directory(dropped.front(), ec)) {
        return base::makeError(ErrorCode::NotFound,
                               "An image folder is one dropped folder with a subfolder of images "
                               "per class.",
                               dropped.empty() ? std::string() : dropped.front().string());
    }
    const fs::path root = normalFolder(dropped.front());
    auto sources = findSources(root);
    if (!sources) {
        return sources.error();
    }
    proto::DatasetSpec spec;
    spec.set_name(root.filename().string());
    spec.set_format(proto::DATASET_FORMAT_IMAGE_FOLDER);
    for (const fs::path &source : sources.value()) {
        spec.add_sources(source.string());
    }
    return spec;
}

base::Result<SourceData> readImageFolder(const proto::DatasetSpec &spec, const ReadContext &context)
{
    return readImageFolderOnThreads(spec, context, 0);
}

base::Result<SourceData> readImageFolderOnThreads(const proto::DatasetSpec &spec,
                                                  const ReadContext &context,
                                                  unsigned threads)
{
    if (!canDecodeImages()) {
        return base::makeError(ErrorCode::Backend,
                               "This build of Torchlight cannot read image folders: it was built "
                               "without stb (libstb-dev).",
                               "dataset \"" + spec.name() + "\"");
    }
    auto listing = listSpec(spec);
    if (!listing) {
        return listing.error();
    }
    const std::vector<ImageJob> jobs = makeJobs(listing.value());
    if (jobs.empty()) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The image folder has no PNG, JPEG or BMP images in its class "
                               "subfolders.",
                               spec.sources(0));
    }
    SourceData out;
    out.format = "image-folder";
    out.classNames = listing.value().classNames;
    warnEmptyClasses(listing.value(), out.warnings);
    auto shape = chooseShape(spec, jobs, context.stop, out.warnings);
    if (!shape) {
        return shape.error();
    }
    const unsigned count = threads != 0 ? threads : std::thread::hardware_concurrency();
    auto decoded = decodeAll(spec, jobs, shape.value(), count, context);
    if (!decoded) {
        return decoded.error();
    }
    if (decoded.value().skipped) {
        out.warnings.push_back(*decoded.value().skipped);
    }
    out.train = std::move(decoded.value().train);
    if (listing.value().splits.size() == 2) {
        out.test = std::move(decoded.value().test);
    }
    return out;
}

} // namespace tl::datasets
