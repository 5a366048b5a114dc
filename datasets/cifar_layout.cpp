#include "datasets/cifar_layout.h"

#include "base/number_text.h"

#include <algorithm>
#include <optional>

namespace tl::datasets::cifar {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;

std::string grouped(std::uint64_t value)
{
    return base::groupedDigits(static_cast<std::int64_t>(value));
}

bool isRegularFile(const fs::path &path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// The size of a regular file, or nullopt when there is none.
std::optional<std::uint64_t> fileBytes(const fs::path &path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return std::nullopt;
    }
    const auto size = fs::file_size(path, ec);
    return ec ? std::nullopt : std::optional<std::uint64_t>(size);
}

// A batch file that exists, checked to hold a whole number of records.
base::Result<Batch> checkBatch(const fs::path &path, std::uint64_t bytes, const Variant &variant)
{
    const std::string name = path.filename().string();
    const std::string record = std::string("one ") + variant.title + " record: "
                               + (variant.labelBytes == 1 ? "1 label byte" : "2 label bytes")
                               + " + 3,072 pixels";
    if (bytes == 0) {
        return base::makeError(ErrorCode::InvalidInput,
                               name + " is empty (0 bytes); a " + variant.title
                                   + " batch holds records of " + grouped(variant.recordBytes())
                                   + " bytes (" + record + ").",
                               name);
    }
    if (bytes % variant.recordBytes() != 0) {
        return base::makeError(ErrorCode::InvalidInput,
                               name + " is " + grouped(bytes) + " bytes, not a multiple of "
                                   + grouped(variant.recordBytes()) + " (" + record
                                   + "); the file is truncated or not a CIFAR batch.",
                               name);
    }
    return Batch{path, bytes};
}

// True when a regular file of `name` in `folder` has a whole, non-zero number of records.
bool holdsRecords(const fs::path &folder, const std::string &name, const Variant &variant)
{
    const auto bytes = fileBytes(folder / name);
    return bytes && *bytes > 0 && *bytes % variant.recordBytes() == 0;
}

// CIFAR-10's names are distinctive enough on their own; CIFAR-100's train.bin and test.bin are
// not, so they count only with the right size or beside a label names file.
bool looksLikeCifar10(const fs::path &folder)
{
    const Variant &v = variant(Kind::Cifar10);
    auto names = v.trainNames;
    names.push_back(v.testName);
    names.push_back(v.namesFile);
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string &name) { return isRegularFile(folder / name); });
}

bool looksLikeCifar100(const fs::path &folder)
{
    const Variant &v = variant(Kind::Cifar100);
    return holdsRecords(folder, v.trainNames[0], v) || holdsRecords(folder, v.testName, v)
           || isRegularFile(folder / v.namesFile) || isRegularFile(folder / v.coarseNamesFile);
}

// Which variant a folder holds; nullopt when neither.
base::Result<std::optional<Kind>> detectKind(const fs::path &folder)
{
    const bool ten = looksLikeCifar10(folder);
    const bool hundred = looksLikeCifar100(folder);
    if (ten && hundred) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The folder holds both CIFAR-10 and CIFAR-100 batches; keep each "
                               "in a folder of its own.",
                               folder.string());
    }
    if (!ten && !hundred) {
        return std::optional<Kind>();
    }
    return std::optional<Kind>(ten ? Kind::Cifar10 : Kind::Cifar100);
}

// A folder of this variant without any train batch, or without the test batch.
base::Error missingSplit(const Variant &v, const fs::path &folder, bool train)
{
    std::string expected = train ? v.trainNames.front() : v.testName;
    if (train && v.trainNames.size() > 1) {
        expected += " to " + v.trainNames.back();
    }
    return base::makeError(ErrorCode::InvalidInput,
                           std::string("The ") + v.title + " folder has no "
                               + (train ? "train" : "test") + " batch (" + expected
                               + "); both a train and a test batch are needed.",
                           folder.filename().string());
}

base::Result<Layout> checkLayout(const fs::path &folder, Kind kind)
{
    const Variant &v = variant(kind);
    Layout layout{kind, folder, {}, {}, {}};
    for (const std::string &name : v.trainNames) {
        const auto bytes = fileBytes(folder / name);
        if (!bytes) {
            layout.missingTrain.push_back(name);
            continue;
        }
        auto batch = checkBatch(folder / name, *bytes, v);
        if (!batch) {
            return batch.error();
        }
        layout.train.push_back(std::move(batch).value());
    }
    const auto testBytes = fileBytes(folder / v.testName);
    if (layout.train.empty() || !testBytes) {
        return missingSplit(v, folder, layout.train.empty());
    }
    auto test = checkBatch(folder / v.testName, *testBytes, v);
    if (!test) {
        return test.error();
    }
    layout.test = std::move(test).value();
    return layout;
}

bool isHidden(const fs::path &path)
{
    const std::string name = path.filename().string();
    return !name.empty() && name[0] == '.';
}

// The subfolders of a folder, hidden ones left out.
std::vector<fs::path> subfolders(const fs::path &folder)
{
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(folder, ec)) {
        std::error_code typeError;
        if (entry.is_directory(typeError) && !isHidden(entry.path())) {
            out.push_back(entry.path());
        }
    }
    return out;
}

base::Error notCifar(const std::string &what, const fs::path &where)
{
    return base::makeError(ErrorCode::NotFound,
                           what
                               + " no CIFAR batches (data_batch_1.bin ... test_batch.bin of "
                                 "CIFAR-10, or train.bin and test.bin of CIFAR-100).",
                           where.string());
}

// A dropped folder: the CIFAR folder itself, or the parent of exactly one subfolder that is.
base::Result<Pick> resolveFolder(const fs::path &folder)
{
    auto kind = detectKind(folder);
    if (!kind) {
        return kind.error();
    }
    fs::path cifarFolder = folder;
    if (!kind.value()) {
        const auto children = subfolders(folder);
        if (children.size() != 1) {
            return notCifar("The folder holds", folder);
        }
        kind = detectKind(children.front());
        if (!kind || !kind.value()) {
            return kind ? notCifar("The folder holds", folder) : kind.error();
        }
        cifarFolder = children.front();
    }
    auto layout = checkLayout(cifarFolder, *kind.value());
    if (!layout) {
        return layout.error();
    }
    return Pick{std::move(layout).value(), {}};
}

bool isCifarFileName(const std::string &name)
{
    for (const Kind kind : {Kind::Cifar10, Kind::Cifar100}) {
        const Variant &v = variant(kind);
        if (name == v.testName || name == v.namesFile || name == v.coarseNamesFile
            || std::find(v.trainNames.begin(), v.trainNames.end(), name) != v.trainNames.end()) {
            return true;
        }
    }
    return name == "readme.html";
}

// Dropped files: all in one CIFAR folder, each with a CIFAR name.
base::Result<Pick> resolveFiles(const std::vector<fs::path> &files)
{
    const fs::path folder = files.front().parent_path();
    std::vector<std::string> picked;
    for (const fs::path &file : files) {
        if (!isRegularFile(file) || !isCifarFileName(file.filename().string())) {
            return notCifar("The dropped files are", file);
        }
        if (file.parent_path() != folder) {
            return base::makeError(ErrorCode::NotFound,
                                   "The dropped CIFAR files are in different folders.",
                                   file.string());
        }
        picked.push_back(file.filename().string());
    }
    auto pick = resolveFolder(folder);
    if (!pick) {
        return pick.error();
    }
    if (pick.value().layout.folder != folder) {
        return notCifar("The dropped files' folder holds", folder);
    }
    pick.value().pickedFiles = std::move(picked);
    return pick;
}

} // namespace

const Variant &variant(Kind kind)
{
    static const Variant cifar10{Kind::Cifar10,
                                 "CIFAR-10",
                                 "cifar-10",
                                 1,
                                 {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                  "data_batch_4.bin", "data_batch_5.bin"},
                                 "test_batch.bin",
                                 "batches.meta.txt",
                                 {}};
    static const Variant cifar100{Kind::Cifar100,
                                  "CIFAR-100",
                                  "cifar-100",
                                  2,
                                  {"train.bin"},
                                  "test.bin",
                                  "fine_label_names.txt",
                                  "coarse_label_names.txt"};
    return kind == Kind::Cifar10 ? cifar10 : cifar100;
}

base::Result<Pick> resolvePick(const std::vector<std::filesystem::path> &dropped)
{
    if (dropped.empty()) {
        return base::makeError(ErrorCode::NotFound, "Nothing was dropped.");
    }
    std::vector<fs::path> paths;
    for (const fs::path &path : dropped) {
        fs::path normal = fs::absolute(path).lexically_normal();
        paths.push_back(normal.has_filename() ? normal : normal.parent_path()); // "dir/" -> "dir"
    }
    std::error_code ec;
    if (paths.size() == 1 && fs::is_directory(paths.front(), ec)) {
        return resolveFolder(paths.front());
    }
    return resolveFiles(paths);
}

} // namespace tl::datasets::cifar
