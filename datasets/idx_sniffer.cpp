#include "datasets/idx_sniffer.h"

#include "datasets/file_kind.h"
#include "datasets/idx_dataset.h"
#include "datasets/idx_file.h"

#include <algorithm>
#include <array>
#include <map>
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

// A file's place in a dataset: the prefix naming the dataset ("emnist-balanced-", or empty for
// MNIST's own names) and its role.
struct NamedRole
{
    std::string prefix;
    Role role;
};

// The role a file name stands for, e.g. "t10k-labels.idx1-ubyte.gz" -> TestLabels and
// "emnist-letters-train-images-idx3-ubyte.gz" -> TrainImages of prefix "emnist-letters-".
std::optional<NamedRole> roleFromName(const fs::path &path)
{
    static const std::regex pattern(
        R"(^(.*[-_.])?(train|t10k|test)[-_.](images|labels)[-_.]idx([1-4])[-_.](ubyte|byte|short|int|float|double)(\.gz)?$)");
    std::smatch match;
    const std::string name = lowercase(path.filename().string());
    if (!std::regex_match(name, match, pattern)) {
        return std::nullopt;
    }
    const bool train = match[2] == "train";
    const bool images = match[3] == "images";
    const char dims = match[4].str()[0];
    if (images == (dims == '1')) {
        return std::nullopt; // images need 2 to 4 dims, labels 1
    }
    const Role role =
        train ? (images ? TrainImages : TrainLabels) : (images ? TestImages : TestLabels);
    return NamedRole{match[1].str(), role};
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

using RoleFiles = std::array<fs::path, kRoleCount>;

// Puts each file in its slot of its prefix's group.
base::Result<std::map<std::string, RoleFiles>> groupByPrefix(const Candidates &candidates)
{
    std::map<std::string, RoleFiles> groups;
    for (const auto &file : candidates.files) {
        const auto named = roleFromName(file);
        if (!named) {
            if (candidates.isFolder) {
                continue; // a README or a checksum file beside the dataset
            }
            return unrecognised(file);
        }
        fs::path &slot = groups[named->prefix][named->role];
        if (!slot.empty() && !candidates.isFolder) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "Two dropped files are "
                                       + std::string(kCanonicalNames[named->role]) + ": "
                                       + slot.filename().string() + " and "
                                       + file.filename().string() + "; drop only one of them.",
                                   file.filename().string());
        }
        // Both forms in a folder: the plain one reads faster.
        if (slot.empty() || (slot.extension() == ".gz" && file.extension() != ".gz")) {
            slot = file;
        }
    }
    return groups;
}

// The files of one group, checked complete: the train pair, and the test pair or none of it.
base::Result<RoleFiles> checkComplete(const RoleFiles &roles, const Candidates &candidates)
{
    const bool noTest = roles[TestImages].empty() && roles[TestLabels].empty();
    std::string missing;
    for (std::size_t r = 0; r < kRoleCount; ++r) {
        if (roles[r].empty() && (r < TestImages || !noTest)) {
            missing += std::string(missing.empty() ? "" : ", ") + kCanonicalNames[r] + "[.gz]";
        }
    }
    if (!missing.empty()) {
        return base::makeError(
            ErrorCode::NotFound,
            (candidates.isFolder ? "The folder lacks " : "The dropped files lack ") + missing
                + "; an idx dataset needs a train images and labels pair (and optionally a test "
                  "pair).",
            candidates.isFolder ? candidates.name : candidates.files[0].string());
    }
    return roles;
}

base::Result<RoleFiles> assignRoles(const Candidates &candidates)
{
    auto groups = groupByPrefix(candidates);
    if (!groups) {
        return groups.error();
    }
    if (groups.value().empty()) {
        return checkComplete({}, candidates);
    }
    if (groups.value().size() > 1) {
        std::string names;
        for (const auto &[prefix, roles] : groups.value()) {
            names += (names.empty() ? "" : ", ") + (prefix.empty() ? "(no prefix)" : prefix);
        }
        return base::makeError(ErrorCode::InvalidInput,
                               "The folder holds several idx datasets (" + names
                                   + "); drop the files of one of them.",
                               candidates.name);
    }
    return checkComplete(groups.value().begin()->second, candidates);
}

// Number of classes: the largest train label + 1.
base::Result<std::int64_t> classCount(const fs::path &labels)
{
    auto array = readIdxFile(labels);
    if (!array) {
        return array.error();
    }
    double largest = -1;
    const std::size_t count = elementCount(array.value().header.dims);
    for (std::size_t i = 0; i < count; ++i) {
        largest = std::max(largest, array.value().valueAt(i));
    }
    return static_cast<std::int64_t>(largest) + 1;
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
        if (files[images].empty()) {
            continue;
        }
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
    if (!files[TestImages].empty()) {
        spec.set_test_images(files[TestImages].string());
        spec.set_test_labels(files[TestLabels].string());
    }
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

Recognition recognizeIdx(const std::vector<std::filesystem::path> &dropped)
{
    std::error_code ec;
    const bool oneFolder = dropped.size() == 1 && fs::is_directory(dropped[0], ec);
    const bool anyIdx = std::any_of(dropped.begin(), dropped.end(), [](const fs::path &path) {
        const FileKind kind = sniffFileKind(path);
        return kind == FileKind::Idx || (kind == FileKind::Gzip && roleFromName(path));
    });
    if (!oneFolder && !anyIdx) {
        return base::makeError(ErrorCode::NotFound,
                               "None of the dropped files is an idx file (magic 0x00 0x00 <type> "
                               "<dims>, optionally gzip-compressed).",
                               dropped.empty() ? std::string() : dropped[0].string());
    }
    return sniffIdxDataset(dropped);
}

const std::vector<std::string> &fashionMnistClassNames()
{
    static const std::vector<std::string> names = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

} // namespace tl::datasets
