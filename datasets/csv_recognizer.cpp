// recognizeCsv() of csv_reader.h: deciding from names and first bytes alone whether dropped paths
// are a CSV dataset.
#include "datasets/csv_layout.h"
#include "datasets/csv_reader.h"
#include "datasets/file_kind.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace tl::datasets {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;

constexpr std::size_t kSniffTextBytes = std::size_t{64} << 10;
const char *const kExpected = "expected one or two delimited text files (.csv, .tsv, .txt), such "
                              "as data.csv or train.csv and test.csv, or a folder holding them.";

std::string lowered(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool isTableExtension(const fs::path &path)
{
    const std::string extension = lowered(path.extension().string());
    return extension == ".csv" || extension == ".tsv";
}

bool isTextExtension(const fs::path &path)
{
    const std::string extension = lowered(path.extension().string());
    return isTableExtension(path) || extension == ".txt" || extension.empty();
}

base::Error notFound(const std::string &message, const std::string &context)
{
    return base::makeError(ErrorCode::NotFound, message, context);
}

// The path made absolute without throwing (a vanished working folder leaves it as it is).
fs::path absolutePath(const fs::path &path)
{
    std::error_code error;
    fs::path absolute = fs::absolute(path, error);
    return (error ? path : absolute).lexically_normal();
}

// The name of the folder a path names or lies in, also for "data/" and relative paths.
std::string folderName(const fs::path &path)
{
    const fs::path absolute = absolutePath(path);
    return absolute.has_filename() ? absolute.filename().string()
                                   : absolute.parent_path().filename().string();
}

// The first bytes have rows that some delimiter splits alike. A first row longer than the bytes
// read cannot be judged and passes.
bool hasDelimitedRows(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::string sample(kSniffTextBytes, '\0');
    in.read(sample.data(), static_cast<std::streamsize>(sample.size()));
    sample.resize(static_cast<std::size_t>(in.gcount()));
    const bool atEnd = sample.size() < kSniffTextBytes;
    if (sample.compare(0, detail::kByteOrderMark.size(), detail::kByteOrderMark) == 0) {
        sample.erase(0, detail::kByteOrderMark.size());
    }
    if (!atEnd && sample.find('\n') == std::string::npos) {
        return true;
    }
    return detail::sniffCsvDelimiter(sample, atEnd) != 0;
}

// NotFound unless path is a delimited text file; InvalidInput for an empty .csv or .tsv file.
base::Status checkTextFile(const fs::path &path)
{
    const std::string name = path.filename().string();
    if (!isTextExtension(path)) {
        return notFound("Found a " + path.extension().string() + " file; " + kExpected, name);
    }
    const FileKind kind = sniffFileKind(path);
    if (kind == FileKind::Empty && isTableExtension(path)) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The file is empty; expected rows of values separated by commas, "
                               "semicolons, tabs or |, one sample per row.",
                               name);
    }
    if (kind != FileKind::Text) {
        return notFound(std::string("Found ") + fileKindName(kind) + " data; " + kExpected, name);
    }
    if (!hasDelimitedRows(path)) {
        return notFound("Found no delimiter (comma, semicolon, tab or |) that splits the first "
                        "lines into columns; expected delimited values.",
                        name);
    }
    return base::okStatus();
}

// A folder's .csv and .tsv files, or else its text files named .txt or without extension.
// Hidden files and files that are not text are passed over.
std::vector<fs::path> candidateFiles(const fs::path &folder)
{
    std::vector<fs::path> tables;
    std::vector<fs::path> texts;
    std::error_code error;
    // increment(error), unlike ++, cannot throw when the folder changes while it is listed
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        const fs::directory_entry &entry = *it;
        const fs::path &path = entry.path();
        const std::string name = path.filename().string();
        std::error_code typeError;
        if (name.empty() || name.front() == '.' || !entry.is_regular_file(typeError)
            || !isTextExtension(path)) {
            continue;
        }
        const FileKind kind = sniffFileKind(path);
        if (kind == FileKind::Text || (kind == FileKind::Empty && isTableExtension(path))) {
            (isTableExtension(path) ? tables : texts).push_back(absolutePath(path));
        }
    }
    std::vector<fs::path> &found = tables.empty() ? texts : tables;
    std::sort(found.begin(), found.end());
    return found;
}

enum class Role { Train, Test, Unknown };

Role roleOf(const fs::path &path)
{
    const std::string name = lowered(path.filename().string());
    const bool train = name.find("train") != std::string::npos;
    const bool test = name.find("test") != std::string::npos;
    return train == test ? Role::Unknown : (train ? Role::Train : Role::Test);
}

// One file, or two put in [train, test] order.
base::Result<std::vector<fs::path>> trainTestOrder(std::vector<fs::path> files,
                                                   const std::string &where)
{
    if (files.size() == 1) {
        return files;
    }
    if (files.size() != 2) {
        return notFound("Found " + std::to_string(files.size()) + " text files; " + kExpected,
                        where);
    }
    if (roleOf(files[0]) == Role::Test && roleOf(files[1]) == Role::Train) {
        std::swap(files[0], files[1]);
    }
    if (roleOf(files[0]) != Role::Train || roleOf(files[1]) != Role::Test) {
        return notFound("Found two text files, but not one named like train and one like test; "
                        "expected a pair such as train.csv and test.csv.",
                        where);
    }
    return files;
}

} // namespace

Recognition recognizeCsv(const std::vector<std::filesystem::path> &dropped)
{
    std::vector<fs::path> files;
    std::string name;
    std::string where = dropped.empty() ? std::string() : dropped.front().filename().string();
    if (dropped.size() == 1 && sniffFileKind(dropped.front()) == FileKind::Directory) {
        files = candidateFiles(dropped.front());
        name = folderName(dropped.front());
        where = name;
    } else if (dropped.size() == 1 || dropped.size() == 2) {
        for (const fs::path &path : dropped) {
            std::error_code error;
            if (!fs::is_regular_file(path, error)) {
                return notFound("Found no file at this path; " + std::string(kExpected),
                                path.string());
            }
            files.push_back(absolutePath(path));
        }
        name = dropped.size() == 1 ? dropped.front().stem().string()
                                   : folderName(files.front().parent_path());
    } else {
        return notFound("Found " + std::to_string(dropped.size()) + " paths; " + kExpected, where);
    }
    auto ordered = trainTestOrder(std::move(files), where);
    if (!ordered) {
        return ordered.error();
    }
    proto::DatasetSpec spec;
    for (const fs::path &path : ordered.value()) {
        if (auto text = checkTextFile(path); !text) {
            return text.error();
        }
        spec.add_sources(path.string());
    }
    spec.set_name(name);
    spec.set_format(proto::DATASET_FORMAT_CSV);
    return spec;
}

} // namespace tl::datasets
