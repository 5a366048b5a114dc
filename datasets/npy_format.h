#pragma once
// NumPy's .npy format, versions 1.0, 2.0 and 3.0: the header dict, the numeric dtypes, and the
// data brought to host byte order and C order; then float32 features and int64 labels made of
// it. Reads a file or a buffer in memory (an .npz member). Pure functions; any thread.

#include "base/progress.h"
#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace tl::datasets {

enum class NpyKind { Bool, Int, UInt, Float };

struct NpyDtype
{
    NpyKind kind = NpyKind::UInt;
    std::size_t itemSize = 1; // bytes per value: 1, 2, 4 or 8
    bool bigEndian = false;   // as stored; NpyArray::data is always in host order
    std::string descr;        // as the header wrote it: "<f4", "|u1", "?"

    // "float32", "uint8", "bool"
    std::string name() const;
};

struct NpyHeader
{
    NpyDtype dtype;
    bool fortranOrder = false;
    std::vector<std::uint64_t> shape; // empty for a 0-d array (a single value)
    std::uint64_t dataOffset = 0;     // bytes before the data: magic, version, length, dict

    // Product of shape (1 for a 0-d array); the parser guarantees that the bytes fit 64 bits.
    std::uint64_t count() const;
    std::uint64_t dataBytes() const { return count() * dtype.itemSize; }
    // "60000×28×28 uint8" or "a single float32"
    std::string describe() const;
};

struct NpyArray
{
    NpyHeader header;               // fortranOrder is false once loaded: the data was reordered
    std::vector<std::uint8_t> data; // header.dataBytes() bytes, host byte order, C order
};

// Headers longer than this are refused: numpy pads numeric headers to a few dozen bytes.
inline constexpr std::size_t kMaxNpyHeaderBytes = std::size_t{1} << 20;

// Decodes the header from the first bytes of a stream (`prefix` may hold more than the header).
// Errors name `source` ("x.npy" or "data.npz: x.npy") and the byte offset.
base::Result<NpyHeader> parseNpyHeader(std::string_view prefix, const std::string &source);

// Parses a whole .npy held in memory. Its size must match the header exactly. Takes the buffer
// so that the data is moved into place rather than copied (an .npz member may be large).
base::Result<NpyArray>
parseNpy(std::vector<std::uint8_t> bytes, const std::string &source, std::stop_token stop = {});
base::Result<NpyArray> parseNpy(std::string_view bytes, const std::string &source);

// Reads only the header of a file (a few hundred bytes).
base::Result<NpyHeader> readNpyHeader(const std::filesystem::path &path);

// Reads a whole file; the data size is checked against the file's size and the memory
// available before anything is allocated. Progress counts bytes of the file.
base::Result<NpyArray> readNpyFile(const std::filesystem::path &path,
                                   std::stop_token stop = {},
                                   const base::ProgressFn &progress = {});

// Every value as float32 (bool as 0/1, float16 widened, float64 rounded). A NaN or infinite
// value (or a float64 beyond float32's range) is an error naming the sample and the value:
// "x_train holds NaN at sample 3, value 17".
base::Result<std::vector<float>>
npyToFloat32(const NpyArray &array, const std::string &source, std::stop_token stop = {});

// Every value as a class index: bool, integers, or floats with integral values; none negative.
// The error names the first offending index.
base::Result<std::vector<std::int64_t>>
npyToLabels(const NpyArray &array, const std::string &source, std::stop_token stop = {});

} // namespace tl::datasets
