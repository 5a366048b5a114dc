#include "datasets/image_listing.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string_view>

namespace tl::datasets::images {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The last component of a path, read in place: listing 100,000 files builds no path objects.
std::string_view fileNameOf(const fs::path &path)
{
    const std::string_view text = path.native();
    const auto slash = text.find_last_of('/');
    return slash == std::string_view::npos ? text : text.substr(slash + 1);
}

bool isHidden(const fs::path &path)
{
    const std::string_view name = fileNameOf(path);
    return !name.empty() && name[0] == '.';
}

bool hasImageExtension(const fs::path &path)
{
    const std::string_view name = fileNameOf(path);
    const auto dot = name.find_last_of('.');
    if (dot == std::string_view::npos || dot == 0) {
        return false;
    }
    const std::string ext = lowercase(std::string(name.substr(dot)));
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

std::vector<fs::path> imagesBelow(const fs::path &folder)
{
    std::vector<fs::path> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code typeError;
        if (isHidden(it->path())) {
            it.disable_recursion_pending();
        } else if (it->is_regular_file(typeError) && hasImageExtension(it->path())) {
            files.push_back(it->path());
        }
    }
    // By the path's bytes: the same order on every machine, and cheap for 100,000 files.
    std::sort(files.begin(), files.end(),
              [](const fs::path &a, const fs::path &b) { return a.native() < b.native(); });
    return files;
}

// The subfolder of root whose lowercase name is one of `names` (in that order of preference).
std::optional<fs::path> namedSubfolder(const fs::path &root,
                                       std::initializer_list<const char *> names)
{
    std::map<std::string, fs::path> found;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(root, ec)) {
        std::error_code typeError;
        if (entry.is_directory(typeError)) {
            found.emplace(lowercase(entry.path().filename().string()), entry.path());
        }
    }
    for (const char *name : names) {
        if (auto it = found.find(name); it != found.end()) {
            return it->second;
        }
    }
    return std::nullopt;
}

} // namespace

SplitListing listSplit(const fs::path &root)
{
    SplitListing listing{root, {}, 0};
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(root, ec)) {
        std::error_code typeError;
        if (isHidden(entry.path())) {
            continue;
        }
        if (entry.is_directory(typeError)) {
            listing.classes.push_back(
                {entry.path().filename().string(), imagesBelow(entry.path())});
        } else if (entry.is_regular_file(typeError) && hasImageExtension(entry.path())) {
            ++listing.looseImages;
        }
    }
    std::sort(listing.classes.begin(), listing.classes.end(),
              [](const ClassFolder &a, const ClassFolder &b) { return a.name < b.name; });
    return listing;
}

// The sources of the dataset under root: [train, test] when root keeps its own split.
base::Result<std::vector<fs::path>> findSources(const fs::path &root)
{
    if (const auto train = namedSubfolder(root, {"train"})) {
        if (listSplit(*train).imageCount() > 0) {
            const auto test = namedSubfolder(root, {"test", "val", "valid", "validation"});
            if (test && listSplit(*test).imageCount() > 0) {
                return std::vector<fs::path>{*train, *test};
            }
            return std::vector<fs::path>{*train};
        }
    }
    const SplitListing listing = listSplit(root);
    if (listing.imageCount() > 0) {
        return std::vector<fs::path>{root};
    }
    if (listing.looseImages > 0) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The folder holds images but no class subfolders; put each "
                               "class's images in a subfolder named after the class.",
                               root.string());
    }
    return base::makeError(ErrorCode::NotFound,
                           "The folder has no class subfolders with PNG, JPEG or BMP images.",
                           root.string());
}

fs::path normalFolder(const fs::path &path)
{
    const fs::path normal = fs::absolute(path).lexically_normal();
    return normal.has_filename() ? normal : normal.parent_path();
}

} // namespace tl::datasets::images
