#pragma once
// Internal to tl::datasets: listing an image folder (class subfolders of PNG, JPEG and BMP files,
// hidden entries ignored) for recognizeImageFolder() and readImageFolder(). Lists only, never
// decodes. Pure functions; any thread.

#include "base/result.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace tl::datasets::images {

// One class: its folder's name and its image files, sorted, at any depth below it.
struct ClassFolder
{
    std::string name;
    std::vector<std::filesystem::path> files;
};

// The class folders of one split's root, sorted by name, and images lying loose in the root.
struct SplitListing
{
    std::filesystem::path root;
    std::vector<ClassFolder> classes;
    std::size_t looseImages = 0;

    std::size_t imageCount() const
    {
        std::size_t count = 0;
        for (const ClassFolder &c : classes) {
            count += c.files.size();
        }
        return count;
    }
};

// The class folders of `root` and their images (by extension, any case, at any depth).
SplitListing listSplit(const std::filesystem::path &root);

// The sources of the dataset under root: [root/train, root/test] (or val, valid, validation) when
// it keeps its own split, else [root]. NotFound when no class folder holds images; InvalidInput
// for images without class folders.
base::Result<std::vector<std::filesystem::path>> findSources(const std::filesystem::path &root);

// Absolute and normal, without a trailing separator.
std::filesystem::path normalFolder(const std::filesystem::path &path);

} // namespace tl::datasets::images
