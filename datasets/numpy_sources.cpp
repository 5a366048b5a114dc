// Resolving dropped paths into NumPy files and listing their arrays' headers.
#include "datasets/numpy_sources.h"

#include "datasets/file_kind.h"

#include <algorithm>
#include <cctype>

namespace tl::datasets::detail {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;

// Bytes of a member read to find its header; numpy's headers are a few hundred bytes.
constexpr std::size_t kHeaderPrefixBytes = 4096;

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool hasExtension(const fs::path &path, const std::string &extension)
{
    return lower(path.extension().string()) == extension;
}

bool isNumpyName(const fs::path &path)
{
    return hasExtension(path, ".npy") || hasExtension(path, ".npz");
}

// The folder's own name, also for "data/" (whose filename() is empty).
std::string folderName(const fs::path &folder)
{
    const fs::path normal = folder.lexically_normal();
    return normal.has_filename() ? normal.filename().string()
                                 : normal.parent_path().filename().string();
}

base::Result<std::vector<fs::path>> numpyFilesIn(const fs::path &folder)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && isNumpyName(it->path())) {
            files.push_back(it->path());
        }
    }
    if (ec) {
        return base::makeError(ErrorCode::Io, "The folder cannot be listed: " + ec.message() + ".",
                               folder.string());
    }
    if (files.empty()) {
        return base::makeError(ErrorCode::NotFound, "The folder holds no .npy or .npz files.",
                               folder.string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Sorts the files into .npy arrays and zip archives by their first bytes.
base::Status sortByKind(const std::vector<fs::path> &files,
                        std::vector<fs::path> &arrays,
                        std::vector<fs::path> &archives)
{
    for (const fs::path &file : files) {
        std::error_code ec;
        const fs::path path = fs::absolute(file, ec);
        const FileKind kind = sniffFileKind(path);
        if (kind == FileKind::Npy) {
            arrays.push_back(path);
        } else if (kind == FileKind::Zip) {
            archives.push_back(path);
        } else if (isNumpyName(path) && kind != FileKind::Missing) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "The file is named like a NumPy file but holds "
                                       + std::string(fileKindName(kind))
                                       + " data; expected a .npy array or an .npz archive.",
                                   path.string());
        } else {
            return base::makeError(ErrorCode::NotFound,
                                   "Not a NumPy file: expected a .npy array or an .npz archive.",
                                   path.string());
        }
    }
    return base::okStatus();
}

// The first bytes of a member, enough for its whole .npy header.
base::Result<std::vector<std::uint8_t>> memberHeaderBytes(const ZipArchive &archive,
                                                          const ZipEntry &entry)
{
    auto prefix = archive.readPrefix(entry, kHeaderPrefixBytes);
    if (!prefix || prefix.value().size() < kHeaderPrefixBytes) {
        return prefix;
    }
    const auto &bytes = prefix.value();
    const bool longLength = bytes[6] != 1;
    std::uint64_t length = bytes[8] | static_cast<std::uint64_t>(bytes[9]) << 8;
    if (longLength) {
        length |= static_cast<std::uint64_t>(bytes[10]) << 16
                  | static_cast<std::uint64_t>(bytes[11]) << 24;
    }
    const std::uint64_t need =
        std::min<std::uint64_t>((longLength ? 12 : 10) + length, kMaxNpyHeaderBytes + 12);
    return need > bytes.size() ? archive.readPrefix(entry, static_cast<std::size_t>(need)) : prefix;
}

base::Status listArchive(NumpySource &source)
{
    auto archive = ZipArchive::open(source.files.front());
    if (!archive) {
        return archive.error();
    }
    source.archive.emplace(std::move(archive.value()));
    const auto &entries = source.archive->entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string &member = entries[i].name;
        if (member.size() <= 4 || lower(member.substr(member.size() - 4)) != ".npy") {
            continue;
        }
        NumpyArrayInfo info;
        info.name = member.substr(0, member.size() - 4);
        info.entry = i;
        info.source = source.archive->name() + ": " + member;
        auto bytes = memberHeaderBytes(*source.archive, entries[i]);
        if (!bytes) {
            return bytes.error();
        }
        const auto &prefix = bytes.value();
        auto header = parseNpyHeader(
            std::string_view(reinterpret_cast<const char *>(prefix.data()), prefix.size()),
            info.source);
        if (!header) {
            return header.error();
        }
        info.header = std::move(header.value());
        source.arrays.push_back(std::move(info));
    }
    if (source.arrays.empty()) {
        return base::makeError(ErrorCode::NotFound,
                               "The zip archive holds no .npy arrays, so it is not an .npz file.",
                               source.archive->name());
    }
    return base::okStatus();
}

} // namespace

std::string NumpyArrayInfo::describe() const
{
    return name + " (" + header.describe() + ")";
}

std::string NumpySource::label() const
{
    if (archive || files.size() == 1) {
        return files.front().filename().string();
    }
    return folderName(files.front().parent_path()) + "/";
}

base::Result<NumpySource> collectNumpyFiles(const std::vector<fs::path> &paths)
{
    if (paths.empty()) {
        return base::makeError(ErrorCode::NotFound, "No files were given.");
    }
    std::vector<fs::path> files = paths;
    std::error_code ec;
    const bool folder = paths.size() == 1 && fs::is_directory(paths.front(), ec);
    if (folder) {
        auto inFolder = numpyFilesIn(paths.front());
        if (!inFolder) {
            return inFolder.error();
        }
        files = std::move(inFolder.value());
    }
    std::vector<fs::path> arrays;
    std::vector<fs::path> archives;
    if (auto sorted = sortByKind(files, arrays, archives); !sorted) {
        return sorted.error();
    }
    const std::string where = folder ? paths.front().string() : files.front().string();
    if (!arrays.empty() && !archives.empty()) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Found both .npy files and an .npz archive; use either the .npy "
                               "files or one .npz archive.",
                               where);
    }
    if (archives.size() > 1) {
        return base::makeError(ErrorCode::InvalidInput,
                               "Found " + std::to_string(archives.size())
                                   + " .npz archives; use one at a time.",
                               where);
    }
    NumpySource source;
    source.files = archives.empty() ? arrays : archives;
    source.name = folder                     ? folderName(paths.front())
                  : source.files.size() == 1 ? source.files.front().stem().string()
                                             : folderName(source.files.front().parent_path());
    return source;
}

base::Status listNumpyArrays(NumpySource &source)
{
    source.arrays.clear();
    if (!source.files.empty() && sniffFileKind(source.files.front()) == FileKind::Zip) {
        if (auto listed = listArchive(source); !listed) {
            return listed;
        }
    }
    for (std::size_t i = 0; !source.archive && i < source.files.size(); ++i) {
        const fs::path &file = source.files[i];
        auto header = readNpyHeader(file);
        if (!header) {
            return header.error();
        }
        source.arrays.push_back(
            {file.stem().string(), file, 0, std::move(header.value()), file.filename().string()});
    }
    std::sort(source.arrays.begin(), source.arrays.end(),
              [](const NumpyArrayInfo &a, const NumpyArrayInfo &b) { return a.name < b.name; });
    return base::okStatus();
}

} // namespace tl::datasets::detail
