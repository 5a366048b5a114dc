#pragma once
// Helpers for the datasets tests: a private temporary folder per test and small idx files the
// tests write themselves (through the module's own writer, checked separately against
// hand-written bytes in test_idx_format.cpp).

#include "datasets/idx_writer.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace tl::datasets::testing {

namespace fs = std::filesystem;

// A fresh folder removed again at the end of the test. The process id keeps tests that ctest
// runs in parallel apart.
class TempDir
{
public:
    explicit TempDir(const std::string &name)
        : m_path(fs::temp_directory_path() / "tl_test_datasets"
                 / (name + "-" + std::to_string(::getpid())))
    {
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const fs::path &path() const { return m_path; }
    fs::path operator/(const std::string &name) const { return m_path / name; }

private:
    fs::path m_path;
};

// Whether `part` occurs in `text` (error messages).
inline bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

inline void writeBytes(const fs::path &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

inline std::string readBytes(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Deterministic pseudo-random bytes (a 32-bit LCG), so compressed files are not trivially small.
inline std::vector<std::uint8_t> noiseBytes(std::size_t count, std::uint32_t seed)
{
    std::vector<std::uint8_t> out(count);
    for (auto &b : out) {
        seed = seed * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>(seed >> 24);
    }
    return out;
}

// count images of height × width whose pixels are a function of (image, position).
inline std::vector<std::uint8_t>
patternPixels(std::int64_t count, std::int64_t height, std::int64_t width)
{
    std::vector<std::uint8_t> out(static_cast<std::size_t>(count * height * width));
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<std::uint8_t>((i * 7 + i / 13) & 0xff);
    }
    return out;
}

// Writes bytes as they are, gzip-compressed when the name ends in ".gz".
inline void writeRaw(const fs::path &path, std::string_view bytes)
{
    const auto status = writeRawFile(path, bytes);
    INFO((status ? std::string() : status.error().describe()));
    REQUIRE(status.ok());
}

inline void
writeUInt8(const fs::path &path, std::vector<std::int64_t> dims, std::vector<std::uint8_t> bytes)
{
    const auto status = writeIdxFile(path, makeUInt8Array(std::move(dims), std::move(bytes)));
    INFO((status ? std::string() : status.error().describe()));
    REQUIRE(status.ok());
}

// Writes an images file [count, height, width] and a labels file [labelCount] with label
// i % classes for sample i.
inline void writePair(const fs::path &images,
                      const fs::path &labels,
                      std::int64_t count,
                      std::int64_t labelCount,
                      std::int64_t height = 4,
                      std::int64_t width = 3,
                      int classes = 10)
{
    writeUInt8(images, {count, height, width}, patternPixels(count, height, width));
    std::vector<std::uint8_t> y(static_cast<std::size_t>(labelCount));
    for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] = static_cast<std::uint8_t>(i % static_cast<std::size_t>(classes));
    }
    writeUInt8(labels, {labelCount}, std::move(y));
}

// Writes the four files of an MNIST-style dataset into folder with the canonical names.
inline void writeDataset(const fs::path &folder,
                         std::int64_t trainCount,
                         std::int64_t testCount,
                         const std::string &suffix = ".gz",
                         int classes = 10)
{
    fs::create_directories(folder);
    writePair(folder / ("train-images-idx3-ubyte" + suffix),
              folder / ("train-labels-idx1-ubyte" + suffix), trainCount, trainCount, 4, 3, classes);
    writePair(folder / ("t10k-images-idx3-ubyte" + suffix),
              folder / ("t10k-labels-idx1-ubyte" + suffix), testCount, testCount, 4, 3, classes);
}

} // namespace tl::datasets::testing
