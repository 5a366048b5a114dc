#include "datasets/idx_file.h"
#include "datasets/idx_writer.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <stop_token>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

IdxArray noiseArray(std::int64_t count, std::int64_t size, std::uint32_t seed)
{
    return makeUInt8Array({count, size}, noiseBytes(static_cast<std::size_t>(count * size), seed));
}

// Compressible but not trivial: 16 distinct byte values in random order, so deflate uses
// Huffman-coded blocks (pure noise would be stored raw, with no structure to corrupt).
IdxArray lowEntropyArray(std::int64_t count, std::int64_t size)
{
    auto bytes = noiseBytes(static_cast<std::size_t>(count * size), 11);
    for (auto &b : bytes) {
        b &= 0x0f;
    }
    return makeUInt8Array({count, size}, std::move(bytes));
}

IdxArray zeroArray(std::int64_t count, std::int64_t size)
{
    return makeUInt8Array({count, size},
                          std::vector<std::uint8_t>(static_cast<std::size_t>(count * size)));
}

std::string encoded(const IdxArray &array)
{
    auto bytes = encodeIdx(array);
    REQUIRE(bytes.ok());
    return bytes.value();
}

// Flips every byte of a window in the middle of a file.
void corruptMiddle(const fs::path &path, std::size_t window)
{
    std::string bytes = readBytes(path);
    REQUIRE(bytes.size() > 4 * window);
    for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + window; ++i) {
        bytes[i] = static_cast<char>(~bytes[i]);
    }
    writeBytes(path, bytes);
}

} // namespace

TEST_CASE("Plain and gzip idx files read back what was written", "[datasets]")
{
    TempDir dir("roundtrip");
    const IdxArray original = noiseArray(50, 100, 7);
    for (const std::string name : {"a-idx2-ubyte", "a-idx2-ubyte.gz"}) {
        INFO(name);
        REQUIRE(writeIdxFile(dir / name, original).ok());
        auto read = readIdxFile(dir / name);
        REQUIRE(read.ok());
        CHECK(read.value().header.dims == original.header.dims);
        CHECK(read.value().data == original.data);
        auto header = readIdxHeader(dir / name);
        REQUIRE(header.ok());
        CHECK(header.value().dims == original.header.dims);
        CHECK(header.value().dataOffset == 12);
    }
    CHECK(readBytes(dir / "a-idx2-ubyte.gz").substr(0, 2) == "\x1f\x8b");
}

TEST_CASE("Wide element types read from a .gz file in host order", "[datasets]")
{
    TempDir dir("wide");
    IdxArray original;
    original.header.type = ElementType::Float64;
    original.header.dims = {3, 2};
    const double values[] = {1.5, -2.25, 1e300, -0.0, 3.0, 42.0};
    original.data.resize(sizeof values);
    std::memcpy(original.data.data(), values, sizeof values);
    REQUIRE(writeIdxFile(dir / "d.gz", original).ok());
    auto read = readIdxFile(dir / "d.gz");
    REQUIRE(read.ok());
    for (std::size_t i = 0; i < 6; ++i) {
        CHECK(read.value().valueAt(i) == values[i]);
    }
}

TEST_CASE("Truncated idx data in a file is an error naming the stream byte where it ends",
          "[datasets]")
{
    TempDir dir("truncated");
    // 12 header bytes + 1,000 data bytes, cut after 512 bytes of the stream.
    const std::string prefix = encoded(noiseArray(10, 100, 3)).substr(0, 512);
    writeRaw(dir / "cut-idx2-ubyte", prefix);
    writeRaw(dir / "cut-idx2-ubyte.gz", prefix);

    auto plain = readIdxFile(dir / "cut-idx2-ubyte");
    REQUIRE_FALSE(plain.ok());
    CHECK(plain.error().context == "cut-idx2-ubyte, byte 512");
    CHECK(contains(plain.error().message, "the header promises 10 × 100 = 1,000 bytes of data but "
                                          "the data ends after 500 bytes (byte 512 of the file)"));

    auto gz = readIdxFile(dir / "cut-idx2-ubyte.gz");
    REQUIRE_FALSE(gz.ok());
    CHECK(gz.error().context == "cut-idx2-ubyte.gz, byte 512");
    CHECK(contains(gz.error().message, "(byte 512 of the decompressed stream)"));
}

TEST_CASE("A truncated header in a file is an error at the byte where it ends", "[datasets]")
{
    TempDir dir("header");
    writeRaw(dir / "h.gz", encoded(noiseArray(2, 2, 1)).substr(0, 9));
    auto read = readIdxHeader(dir / "h.gz");
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().context == "h.gz, byte 9");
    CHECK(contains(read.error().message, "expected 2 big-endian dimensions in bytes 4 to 11"));
}

TEST_CASE("A file that is not idx is an error showing its first bytes", "[datasets]")
{
    TempDir dir("magic");
    writeRaw(dir / "notes.txt", "hello world\n");
    auto text = readIdxHeader(dir / "notes.txt");
    REQUIRE_FALSE(text.ok());
    CHECK(text.error().describe()
          == "notes.txt, byte 0: Not an idx file: expected the magic 0x00 0x00 <type> <dims> at "
             "byte 0, where <type> is 0x08 (uint8), 0x09 (int8), 0x0B (int16), 0x0C (int32), 0x0D "
             "(float32) or 0x0E (float64) and <dims> is 1 to 4, found 0x68 0x65 0x6c 0x6c.");

    // Compressed twice: after one gunzip the stream still starts with the gzip magic.
    REQUIRE(writeIdxFile(dir / "once.gz", noiseArray(2, 2, 1)).ok());
    writeRaw(dir / "twice.gz", readBytes(dir / "once.gz"));
    auto twice = readIdxFile(dir / "twice.gz");
    REQUIRE_FALSE(twice.ok());
    CHECK(contains(twice.error().message, "found 0x1f 0x8b 0x08 0x00 (the start of gzip data"));
}

TEST_CASE("A corrupt .gz file is an error with zlib's message and both offsets", "[datasets]")
{
    TempDir dir("corrupt");
    REQUIRE(writeIdxFile(dir / "c-idx2-ubyte.gz", lowEntropyArray(100, 1000)).ok());
    corruptMiddle(dir / "c-idx2-ubyte.gz", 16);
    auto read = readIdxFile(dir / "c-idx2-ubyte.gz");
    REQUIRE_FALSE(read.ok());
    INFO(read.error().describe());
    CHECK(read.error().code == ErrorCode::InvalidInput);
    CHECK(read.error().context.starts_with("c-idx2-ubyte.gz, byte "));
    CHECK(contains(read.error().message, "The gzip data is corrupt (zlib: "));
    CHECK(contains(read.error().message, " at compressed byte "));
    CHECK(contains(read.error().message, " of the decompressed stream)"));
}

TEST_CASE("A gzip stream with an invalid deflate block fails where the block starts", "[datasets]")
{
    TempDir dir("blocktype");
    REQUIRE(writeIdxFile(dir / "b.gz", lowEntropyArray(10, 100)).ok());
    std::string bytes = readBytes(dir / "b.gz");
    // gzwrite's header is 10 bytes; bits 1-2 of the next byte are the first block's type, and
    // type 3 is reserved.
    bytes[10] = static_cast<char>(bytes[10] | 0x06);
    writeBytes(dir / "b.gz", bytes);
    auto read = readIdxFile(dir / "b.gz");
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().describe()
          == "b.gz, byte 11: The gzip data is corrupt (zlib: invalid block type) at compressed "
             "byte 11 (byte 0 of the decompressed stream).");
}

TEST_CASE("A .gz file cut short is an error saying the gzip stream is truncated", "[datasets]")
{
    TempDir dir("cutgz");
    REQUIRE(writeIdxFile(dir / "whole.gz", lowEntropyArray(100, 1000)).ok());
    const std::string whole = readBytes(dir / "whole.gz");
    writeBytes(dir / "half.gz", whole.substr(0, whole.size() / 2));
    auto read = readIdxFile(dir / "half.gz");
    REQUIRE_FALSE(read.ok());
    INFO(read.error().describe());
    CHECK(contains(read.error().message, "The gzip data is truncated"));
    CHECK(contains(read.error().message, "at compressed byte "));
}

TEST_CASE("A header promising gigabytes over a tiny file fails without reading that much",
          "[datasets]")
{
    TempDir dir("huge");
    // 65,536 × 65,536 uint8 = 4 GiB promised, 100 bytes present. The reader must not allocate
    // the promised size: it bounds it by what the compressed file could hold.
    const std::string bytes =
        std::string("\0\0\x08\x02\0\x01\0\0\0\x01\0\0", 12) + std::string(100, '\x05');
    for (const std::string name : {"big", "big.gz"}) {
        INFO(name);
        writeRaw(dir / name, bytes);
        auto read = readIdxFile(dir / name);
        REQUIRE_FALSE(read.ok());
        CHECK(contains(read.error().message, "65536 × 65536 = 4,294,967,296 bytes of data but the "
                                             "data ends after 100 bytes (byte 112 of"));
    }
}

TEST_CASE("Bytes after the data in a file are an error", "[datasets]")
{
    TempDir dir("trailing");
    writeRaw(dir / "t.gz", encoded(noiseArray(2, 3, 1)) + "x");
    auto read = readIdxFile(dir / "t.gz");
    REQUIRE_FALSE(read.ok());
    CHECK(contains(read.error().message, "more bytes follow byte 18"));
    CHECK(readIdxFile(dir / "t.gz", 1).ok()); // a limit stops before the extra byte
}

TEST_CASE("A limit reads only the first items of a file", "[datasets]")
{
    TempDir dir("limit");
    const IdxArray original = noiseArray(10, 7, 5);
    // Cut inside item 5: items 0-3 are complete.
    writeRaw(dir / "l.gz", encoded(original).substr(0, 12 + 7 * 4 + 3));
    auto read = readIdxFile(dir / "l.gz", 4);
    REQUIRE(read.ok());
    CHECK(read.value().header.dims == std::vector<std::int64_t>{4, 7});
    CHECK(read.value().data
          == std::vector<std::uint8_t>(original.data.begin(), original.data.begin() + 28));
    CHECK_FALSE(readIdxFile(dir / "l.gz", 5).ok());
}

TEST_CASE("Reading reports progress in bytes up to the stream's size", "[datasets]")
{
    TempDir dir("progress");
    // 9 MiB: three chunks (zeros, so compressing them takes no time).
    REQUIRE(writeIdxFile(dir / "p.gz", zeroArray(9, 1 << 20)).ok());
    std::vector<std::uint64_t> done;
    auto read = readIdxFile(dir / "p.gz", 0, {},
                            [&](std::uint64_t d, std::uint64_t total, std::string_view what) {
                                CHECK(total == 12 + (9u << 20));
                                CHECK(what == "p.gz");
                                done.push_back(d);
                            });
    REQUIRE(read.ok());
    REQUIRE(done.size() == 3);
    CHECK(std::is_sorted(done.begin(), done.end()));
    CHECK(done.back() == 12 + (9u << 20));
}

TEST_CASE("A stop request cancels reading between chunks", "[datasets]")
{
    TempDir dir("cancel");
    REQUIRE(writeIdxFile(dir / "s.gz", zeroArray(9, 1 << 20)).ok());
    std::stop_source before;
    before.request_stop();
    auto early = readIdxFile(dir / "s.gz", 0, before.get_token());
    REQUIRE_FALSE(early.ok());
    CHECK(early.error().code == ErrorCode::Cancelled);

    // Stopped from the first progress report: no further chunk is read.
    std::stop_source midway;
    int reports = 0;
    auto stopped = readIdxFile(dir / "s.gz", 0, midway.get_token(),
                               [&](std::uint64_t, std::uint64_t, std::string_view) {
                                   ++reports;
                                   midway.request_stop();
                               });
    REQUIRE_FALSE(stopped.ok());
    CHECK(stopped.error().code == ErrorCode::Cancelled);
    CHECK(reports == 1);
}

TEST_CASE("A missing file or a folder is an error naming the path", "[datasets]")
{
    TempDir dir("missing");
    auto missing = readIdxFile(dir / "nope.gz");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
    CHECK(contains(missing.error().context, "nope.gz"));
    auto folder = readIdxHeader(dir.path());
    REQUIRE_FALSE(folder.ok());
    CHECK(folder.error().code == ErrorCode::InvalidInput);
}
