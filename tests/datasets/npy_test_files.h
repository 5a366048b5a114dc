#pragma once
// Helpers for the NumPy tests: .npy bytes and zip archives written by hand (stored members,
// raw-deflated members through zlib, ZIP64 extra fields and end records), so every byte the
// readers see is one the test chose, and the NumPy reader's recognise-and-read checks. Real
// NumPy output lives in tests/data/datasets/numpy/.

#include "datasets/numpy_reader.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace tl::datasets::testing {

namespace fs = std::filesystem;

// The folder of NumPy-written golden files (make_golden.py).
inline std::string goldenNumpyDir()
{
    return std::string(TL_SOURCE_DIR) + "/tests/data/datasets/numpy/";
}

// A .npy file: magic, version, length, the dict padded with spaces to a multiple of 64 bytes,
// then the data as given.
inline std::string npyWithDict(const std::string &dict, const std::string &data, int major = 1)
{
    const std::size_t lengthBytes = major == 1 ? 2 : 4;
    std::string header = dict;
    while ((8 + lengthBytes + header.size() + 1) % 64 != 0) {
        header += ' ';
    }
    header += '\n';
    std::string out = "\x93NUMPY";
    out += static_cast<char>(major);
    out += '\0';
    for (std::size_t i = 0; i < lengthBytes; ++i) {
        out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    }
    return out + header + data;
}

inline std::string npyBytes(const std::string &descr,
                            const std::string &shape,
                            const std::string &data,
                            bool fortran = false,
                            int major = 1)
{
    return npyWithDict("{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                           + ", 'shape': " + shape + ", }",
                       data, major);
}

// The values' bytes in host (little-endian) order, or reversed per value for big-endian.
template<typename T>
std::string valueBytes(const std::vector<T> &values, bool bigEndian = false)
{
    std::string out(values.size() * sizeof(T), '\0');
    if (!values.empty()) { // an empty vector's data() may be null
        std::memcpy(out.data(), values.data(), out.size());
    }
    if (bigEndian != (std::endian::native == std::endian::big)) {
        for (std::size_t i = 0; i < out.size(); i += sizeof(T)) {
            std::reverse(out.begin() + static_cast<std::ptrdiff_t>(i),
                         out.begin() + static_cast<std::ptrdiff_t>(i + sizeof(T)));
        }
    }
    return out;
}

inline std::string deflateRaw(const std::string &data)
{
    z_stream stream{};
    REQUIRE(deflateInit2(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

struct ZipMember
{
    std::string name;
    std::string data; // uncompressed
    bool deflate = false;
    bool zip64 = false;            // sizes and offset only in ZIP64 extra fields, as 0xFFFFFFFF
    std::uint16_t flags = 0;       // bit 0: encrypted
    std::uint16_t method = 0xffff; // overrides the method written; 0xffff: 0 or 8
};

inline void putLe(std::string &out, std::uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i) {
        out += static_cast<char>((value >> (8 * i)) & 0xff);
    }
}

inline std::uint32_t crcOf(const std::string &data)
{
    return static_cast<std::uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef *>(data.data()), static_cast<uInt>(data.size())));
}

// A whole archive; zip64End adds the ZIP64 end record and locator before the end record.
inline std::string zipBytes(const std::vector<ZipMember> &members,
                            const std::string &comment = {},
                            bool zip64End = false)
{
    std::string out;
    std::string directory;
    for (const ZipMember &m : members) {
        const std::string stored = m.deflate ? deflateRaw(m.data) : m.data;
        const std::uint16_t method = m.method != 0xffff ? m.method : (m.deflate ? 8 : 0);
        const std::uint64_t offset = out.size();
        const std::uint64_t mark = 0xffffffffu;
        std::string local = "PK\x03\x04";
        putLe(local, 20, 2);
        putLe(local, m.flags, 2);
        putLe(local, method, 2);
        putLe(local, 0, 4); // time, date
        putLe(local, crcOf(m.data), 4);
        putLe(local, m.zip64 ? mark : stored.size(), 4);
        putLe(local, m.zip64 ? mark : m.data.size(), 4);
        putLe(local, m.name.size(), 2);
        putLe(local, m.zip64 ? 20 : 0, 2);
        local += m.name;
        if (m.zip64) {
            putLe(local, 1, 2);
            putLe(local, 16, 2);
            putLe(local, m.data.size(), 8);
            putLe(local, stored.size(), 8);
        }
        out += local + stored;
        std::string entry = "PK\x01\x02";
        putLe(entry, 45, 2);
        putLe(entry, 45, 2);
        putLe(entry, m.flags, 2);
        putLe(entry, method, 2);
        putLe(entry, 0, 4);
        putLe(entry, crcOf(m.data), 4);
        putLe(entry, m.zip64 ? mark : stored.size(), 4);
        putLe(entry, m.zip64 ? mark : m.data.size(), 4);
        putLe(entry, m.name.size(), 2);
        putLe(entry, m.zip64 ? 28 : 0, 2);
        putLe(entry, 0, 2); // comment
        putLe(entry, 0, 2); // disk
        putLe(entry, 0, 2); // internal attributes
        putLe(entry, 0, 4); // external attributes
        putLe(entry, m.zip64 ? mark : offset, 4);
        entry += m.name;
        if (m.zip64) {
            putLe(entry, 1, 2);
            putLe(entry, 24, 2);
            putLe(entry, m.data.size(), 8);
            putLe(entry, stored.size(), 8);
            putLe(entry, offset, 8);
        }
        directory += entry;
    }
    const std::uint64_t directoryOffset = out.size();
    out += directory;
    if (zip64End) {
        const std::uint64_t recordOffset = out.size();
        out += "PK\x06\x06";
        putLe(out, 44, 8);
        putLe(out, 45, 2);
        putLe(out, 45, 2);
        putLe(out, 0, 4);
        putLe(out, 0, 4);
        putLe(out, members.size(), 8);
        putLe(out, members.size(), 8);
        putLe(out, directory.size(), 8);
        putLe(out, directoryOffset, 8);
        out += "PK\x06\x07";
        putLe(out, 0, 4);
        putLe(out, recordOffset, 8);
        putLe(out, 1, 4);
    }
    out += "PK\x05\x06";
    putLe(out, 0, 4); // disk numbers
    putLe(out, zip64End ? 0xffff : members.size(), 2);
    putLe(out, zip64End ? 0xffff : members.size(), 2);
    putLe(out, zip64End ? 0xffffffffu : directory.size(), 4);
    putLe(out, zip64End ? 0xffffffffu : directoryOffset, 4);
    putLe(out, comment.size(), 2);
    return out + comment;
}

// The NumPy reader's tests: recognise, read, and expect errors.

inline tl::proto::DatasetSpec recognized(const std::vector<fs::path> &paths)
{
    auto spec = recognizeNumpy(paths);
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    CHECK(spec.value().format() == tl::proto::DATASET_FORMAT_NUMPY);
    return spec.value();
}

inline tl::base::Error notRecognized(const std::vector<fs::path> &paths, tl::base::ErrorCode code)
{
    auto spec = recognizeNumpy(paths);
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().code == code);
    return spec.error();
}

inline SourceData readData(const tl::proto::DatasetSpec &spec, const ReadContext &context = {})
{
    auto data = readNumpy(spec, context);
    INFO((data ? std::string() : data.error().describe()));
    REQUIRE(data.ok());
    return std::move(data.value());
}

inline tl::base::Error readError(const tl::proto::DatasetSpec &spec)
{
    auto data = readNumpy(spec, {});
    REQUIRE_FALSE(data.ok());
    return data.error();
}

inline tl::proto::DatasetSpec
specFor(const fs::path &path, const std::string &features = {}, const std::string &labels = {})
{
    tl::proto::DatasetSpec spec;
    spec.set_format(tl::proto::DATASET_FORMAT_NUMPY);
    spec.add_sources(path.string());
    spec.mutable_numpy()->set_features(features);
    spec.mutable_numpy()->set_labels(labels);
    return spec;
}

inline std::string u8Npy(const std::string &shape, std::size_t count, int seed = 0)
{
    std::string data(count, '\0');
    for (std::size_t i = 0; i < count; ++i) {
        data[i] = static_cast<char>((i * 5 + static_cast<std::size_t>(seed)) & 0xff);
    }
    return npyBytes("|u1", shape, data);
}

inline std::string labelsNpy(const std::vector<std::int64_t> &labels)
{
    std::string shape = "("; // appended: GCC 12 misreads "(" + std::string as an overlap
    shape += std::to_string(labels.size());
    shape += ",)";
    return npyBytes("<i8", shape, valueBytes(labels));
}

} // namespace tl::datasets::testing
