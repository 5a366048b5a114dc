#pragma once
// Internal to tl::datasets: where the batches of a CIFAR folder are, shared by recognizeCifar(),
// cifarPickNote() and readCifar(). Pure functions; any thread (they list folders and stat files).

#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tl::datasets::cifar {

enum class Kind { Cifar10, Cifar100 };

inline constexpr std::uint64_t kPixelBytes = std::uint64_t{3} * 32 * 32;

// What differs between the two variants of the format.
struct Variant
{
    Kind kind;
    const char *title;        // "CIFAR-10"
    const char *format;       // SourceData::format: "cifar-10"
    std::uint64_t labelBytes; // before the pixels of each record
    std::vector<std::string> trainNames;
    std::string testName;
    std::string namesFile;       // class names, one a line
    std::string coarseNamesFile; // CIFAR-100 only

    std::uint64_t recordBytes() const { return labelBytes + kPixelBytes; }
};

const Variant &variant(Kind kind);

struct Batch
{
    std::filesystem::path path;
    std::uint64_t bytes = 0; // a positive multiple of the record size
};

// A CIFAR folder, checked: every batch present has a whole number of records, and there is at
// least one train batch and the test batch.
struct Layout
{
    Kind kind = Kind::Cifar10;
    std::filesystem::path folder; // absolute
    std::vector<Batch> train;     // in the order of Variant::trainNames
    Batch test;
    std::vector<std::string> missingTrain; // names of train batches not there
};

// The folder that the dropped paths stand for, and what the user picked inside it.
struct Pick
{
    Layout layout;
    std::vector<std::string> pickedFiles; // file names, when files rather than a folder were picked
};

// NotFound when the paths are not a CIFAR folder, its parent or files inside it; other codes
// when they are, but the folder is unusable.
base::Result<Pick> resolvePick(const std::vector<std::filesystem::path> &dropped);

} // namespace tl::datasets::cifar
