#pragma once
// Internal to datasets/: what a NumPy source offers before any data is read. The paths a user
// dropped (one .npz, several .npy files, or a folder of them) become a list of arrays with
// their headers, and the arrays are given roles (features, labels, test features, test
// labels) by the spec or by their names. Reads headers and the zip directory only. One thread.

#include "base/result.h"
#include "datasets/npy_format.h"
#include "datasets/zip_archive.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tl::datasets::detail {

// One array of a source: an .npz member or a .npy file.
struct NumpyArrayInfo
{
    std::string name;           // the member's name less ".npy", or the file's stem
    std::filesystem::path file; // the .npy file; empty for an .npz member
    std::size_t entry = 0;      // index into the archive's entries, for an .npz member
    NpyHeader header;
    std::string source; // for errors: "y.npy" or "mnist.npz: y_train.npy"

    // "x_train (60000×28×28 uint8)"
    std::string describe() const;
};

struct NumpySource
{
    std::string name;                         // the spec's name: the folder's or the file's stem
    std::vector<std::filesystem::path> files; // absolute: one .npz, or the .npy files
    std::optional<ZipArchive> archive;        // set for an .npz
    std::vector<NumpyArrayInfo> arrays;       // sorted by name

    // "mnist.npz" or the folder's name, for errors about the source as a whole.
    std::string label() const;
};

// The paths, resolved: a folder becomes its .npy / .npz files. NotFound when they are not
// NumPy files; InvalidInput when they are but cannot be used together.
base::Result<NumpySource> collectNumpyFiles(const std::vector<std::filesystem::path> &paths);

// Reads the header of every array (the central directory and each member's first bytes for
// an .npz).
base::Status listNumpyArrays(NumpySource &source);

// The arrays for each role; test ones are both set or both null.
struct ArrayRoles
{
    const NumpyArrayInfo *features = nullptr;
    const NumpyArrayInfo *labels = nullptr;
    const NumpyArrayInfo *testFeatures = nullptr;
    const NumpyArrayInfo *testLabels = nullptr;
    std::vector<std::string> warnings; // arrays left out, one sentence each
};

// Roles from the spec's names where it gives them, else from the arrays' names (x/y,
// x_train/y_train/x_test/y_test, ...), else, for exactly two arrays, from their shapes. An
// ambiguous choice is an InvalidInput error that lists the arrays and the names expected.
base::Result<ArrayRoles> chooseNumpyArrays(const NumpySource &source,
                                           const proto::NumpyArrays &chosen);

} // namespace tl::datasets::detail
