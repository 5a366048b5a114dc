#include "datasets/idx_sniffer.h"

#include "datasets/idx_file.h"
#include "datasets/labeled_images.h"

#include <algorithm>
#include <array>
#include <optional>
#include <regex>

namespace tl::datasets {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;

// The four files of a dataset; the values index arrays of kRoleCount entries.
enum Role { TrainImages, TrainLabels, TestImages, TestLabels };
constexpr std::size_t kRoleCount = 4;

const std::array<const char *, kRoleCount> kCanonicalNames = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The role a file name stands for, e.g. "t10k-labels.idx1-ubyte.gz" -> TestLabels.
std::optional<Role> roleFromName(const fs::path &path)
{
    static const std::regex pattern(
        R"(^(train|t10k|test)-(images|labels)[-.]idx([134])-ubyte(\.gz)?$)");
    std::smatch match;
    const std::string name = lowercase(path.filename().string());
    if (!std::regex_match(name, match, pattern)) {
        return std::nullopt;
    }
    const bool train = match[1] == "train";
    const bool images = match[2] == "images";
    const char dims = match[3].str()[0];
    if (images == (dims == '1')) {
        return std::nullopt; // images need 3 or 4 dims, labels 1
    }
    if (train) {
        return images ? TrainImages : TrainLabels;
    }
    return images ? TestImages : TestLabels;
}

std::string folderName(const fs::path &folder)
{
    const fs::path normal = fs::absolute(folder).lexically_normal();
    return normal.has_filename() ? normal.filename().string()
                                 : normal.parent_path().filename().string();
}

struct Candidates
{
    std::string name;
    bool isFolder = false;
    std::vector<fs::path> files;
};

base::Result<Candidates> listCandidates(const std::vector<fs::path> &dropped)
{
    std::error_code ec;
    if (dropped.empty()) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Nothing was dropped; expected a folder or the four idx files.");
    }
    if (dropped.size() == 1 && fs::is_directory(dropped[0], ec)) {
        Candidates out{folderName(dropped[0]), true, {}};
        for (const auto &entry : fs::directory_iterator(dropped[0], ec)) {
            if (entry.is_regular_file(ec)) {
                out.files.push_back(fs::absolute(entry.path()).lexically_normal());
            }
        }
        if (ec) {
            return base::makeError(ErrorCode::Io,
                                   "The folder cannot be listed: " + ec.message() + ".",
                                   dropped[0].string());
        }
        std::sort(out.files.begin(), out.files.end());
        return out;
    }
    Candidates out{folderName(fs::absolute(dropped[0]).parent_path()), false, {}};
    for (const auto &path : dropped) {
        if (fs::is_directory(path, ec)) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "Drop either one folder or the four idx files, not a folder "
                                   "together with other items.",
                                   path.string());
        }
        if (!fs::exists(path, ec)) {
            return base::makeError(ErrorCode::NotFound, "The dropped file does not exist.",
                                   path.string());
        }
        out.files.push_back(fs::absolute(path).lexically_normal());
    }
    return out;
}

// A dropped file whose name names no role: explain what it is not.
base::Error unrecognised(const fs::path &file)
{
    auto header = readIdxHeader(file);
    if (!header) {
        return header.error();
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "This idx file's name does not say which split and part it is: "
                           "expected a name like train-images-idx3-ubyte, "
                           "train-labels-idx1-ubyte, t10k-images-idx3-ubyte or "
                           "t10k-labels-idx1-ubyte (optionally .gz).",
                           file.filename().string());
}

base::Result<std::array<fs::path, kRoleCount>> assignRoles(const Candidates &candidates)
{
    std::array<fs::path, kRoleCount> roles;
    for (const auto &file : candidates.files) {
        const auto role = roleFromName(file);
        if (!role) {
            if (candidates.isFolder) {
                continue; // a README or a checksum file beside the dataset
            }
            return unrecognised(file);
        }
        fs::path &slot = roles[*role];
        if (!slot.empty() && !candidates.isFolder) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "Two dropped files are " + std::string(kCanonicalNames[*role])
                                       + ": " + slot.filename().string() + " and "
                                       + file.filename().string() + "; drop only one of them.",
                                   file.filename().string());
        }
        // Both forms in a folder: the plain one reads faster.
        if (slot.empty() || (slot.extension() == ".gz" && file.extension() != ".gz")) {
            slot = file;
        }
    }
    std::string missing;
    for (std::size_t r = 0; r < kRoleCount; ++r) {
        if (roles[r].empty()) {
            missing += std::string(missing.empty() ? "" : ", ") + kCanonicalNames[r] + "[.gz]";
        }
    }
    if (!missing.empty()) {
        return base::makeError(
            ErrorCode::NotFound,
            (candidates.isFolder ? "The folder lacks " : "The dropped files lack ") + missing
                + "; an idx dataset needs all four files.",
            candidates.isFolder ? candidates.name : candidates.files[0].string());
    }
    return roles;
}

// Number of classes: the largest train label + 1.
base::Result<std::int64_t> classCount(const fs::path &labels)
{
    auto array = readIdxFile(labels);
    if (!array) {
        return array.error();
    }
    const auto &data = array.value().data;
    const auto largest = data.empty() ? 0 : *std::max_element(data.begin(), data.end());
    return data.empty() ? std::int64_t{0} : std::int64_t{largest} + 1;
}

bool mentionsFashion(const std::array<fs::path, kRoleCount> &roles)
{
    return std::any_of(roles.begin(), roles.end(), [](const fs::path &p) {
        return lowercase(p.string()).find("fashion") != std::string::npos;
    });
}

} // namespace

base::Result<proto::DatasetSpec> sniffIdxDataset(const std::vector<std::filesystem::path> &dropped)
{
    auto candidates = listCandidates(dropped);
    if (!candidates) {
        return candidates.error();
    }
    auto roles = assignRoles(candidates.value());
    if (!roles) {
        return roles.error();
    }
    const auto &files = roles.value();
    for (auto [images, labels] : {std::pair{TrainImages, TrainLabels}, {TestImages, TestLabels}}) {
        if (auto pair = readIdxPairHeaders(files[images], files[labels]); !pair) {
            return pair.error();
        }
    }
    auto classes = classCount(files[TrainLabels]);
    if (!classes) {
        return classes.error();
    }

    proto::DatasetSpec spec;
    spec.set_name(candidates.value().name);
    spec.set_format(proto::DATASET_FORMAT_IDX);
    spec.set_train_images(files[TrainImages].string());
    spec.set_train_labels(files[TrainLabels].string());
    spec.set_test_images(files[TestImages].string());
    spec.set_test_labels(files[TestLabels].string());
    if (mentionsFashion(files) && classes.value() <= 10) {
        for (const auto &name : fashionMnistClassNames()) {
            spec.add_class_names(name);
        }
    } else {
        for (std::int64_t c = 0; c < classes.value(); ++c) {
            spec.add_class_names(std::to_string(c));
        }
    }
    return spec;
}

const std::vector<std::string> &fashionMnistClassNames()
{
    static const std::vector<std::string> names = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

} // namespace tl::datasets
