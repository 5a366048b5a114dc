#include "datasets/zip_archive.h"
#include "idx_test_files.h"
#include "npy_test_files.h"

#include <catch2/catch.hpp>

#include <stop_token>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

ZipArchive opened(const std::string &bytes)
{
    auto archive = ZipArchive::fromBytes(bytes, "t.zip");
    INFO((archive ? std::string() : archive.error().describe()));
    REQUIRE(archive.ok());
    return std::move(archive.value());
}

tl::base::Error openError(const std::string &bytes)
{
    auto archive = ZipArchive::fromBytes(bytes, "t.zip");
    REQUIRE_FALSE(archive.ok());
    CHECK(archive.error().code == ErrorCode::InvalidInput);
    return archive.error();
}

std::string member(const ZipArchive &archive, const std::string &name)
{
    const ZipEntry *entry = archive.find(name);
    REQUIRE(entry != nullptr);
    auto bytes = archive.read(*entry);
    INFO((bytes ? std::string() : bytes.error().describe()));
    REQUIRE(bytes.ok());
    return std::string(bytes.value().begin(), bytes.value().end());
}

tl::base::Error readError(const ZipArchive &archive, const std::string &name)
{
    const ZipEntry *entry = archive.find(name);
    REQUIRE(entry != nullptr);
    auto bytes = archive.read(*entry);
    REQUIRE_FALSE(bytes.ok());
    return bytes.error();
}

// Compressible text long enough for deflate to use Huffman-coded blocks.
std::string text(std::size_t size)
{
    std::string out;
    for (std::size_t i = 0; out.size() < size; ++i) {
        out += "value " + std::to_string(i % 97) + ", ";
    }
    out.resize(size);
    return out;
}

} // namespace

TEST_CASE("Stored and deflated members read back with their names and sizes", "[datasets]")
{
    const std::string big = text(300000);
    const ZipArchive archive =
        opened(zipBytes({{"a.npy", "stored bytes"}, {"dir/b.npy", big, true}, {"empty", ""}}));
    REQUIRE(archive.entries().size() == 3);
    CHECK(archive.entries()[1].name == "dir/b.npy");
    CHECK(archive.entries()[1].method == 8);
    CHECK(archive.entries()[1].size == big.size());
    CHECK(archive.entries()[1].compressedSize < big.size() / 4);
    CHECK(archive.entries()[0].dataOffset == 30 + 5);
    CHECK(member(archive, "a.npy") == "stored bytes");
    CHECK(member(archive, "dir/b.npy") == big);
    CHECK(member(archive, "empty").empty());
    CHECK(archive.find("missing") == nullptr);
}

TEST_CASE("ZIP64 extra fields and end records give the sizes and offsets", "[datasets]")
{
    const std::string big = text(5000);
    for (bool zip64End : {false, true}) {
        INFO("zip64End " << zip64End);
        ZipMember stored{"x.npy", "abc"};
        stored.zip64 = true;
        ZipMember deflated{"y.npy", big, true};
        deflated.zip64 = true;
        const ZipArchive archive = opened(zipBytes({stored, deflated}, "", zip64End));
        REQUIRE(archive.entries().size() == 2);
        CHECK(archive.entries()[0].size == 3);
        CHECK(archive.entries()[1].headerOffset > 0);
        CHECK(archive.entries()[1].dataOffset == archive.entries()[1].headerOffset + 30 + 5 + 20);
        CHECK(member(archive, "x.npy") == "abc");
        CHECK(member(archive, "y.npy") == big);
    }
}

TEST_CASE("An archive comment after the end record is allowed", "[datasets]")
{
    std::string comment(1000, 'c');
    comment.replace(500, 4, "PK\x05\x06"); // a false signature inside the comment
    const ZipArchive archive = opened(zipBytes({{"a.npy", "data"}}, comment));
    CHECK(member(archive, "a.npy") == "data");
    const ZipArchive empty = opened(zipBytes({}));
    CHECK(empty.entries().empty());
}

TEST_CASE("A bad CRC is reported naming the member", "[datasets]")
{
    std::string bytes = zipBytes({{"a.npy", "hello"}, {"b.npy", text(2000), true}});
    bytes[30 + 5 + 1] = 'E'; // "hEllo"
    const ZipArchive archive = opened(bytes);
    const auto error = readError(archive, "a.npy");
    CHECK(contains(error.message, "The member a.npy fails its CRC-32 check"));
    CHECK(error.context == "t.zip, byte 35");
    CHECK(member(archive, "b.npy") == text(2000));
}

TEST_CASE("Corrupt deflate data is reported with the member and a byte offset", "[datasets]")
{
    const std::string original = zipBytes({{"b.npy", text(20000), true}});
    const ZipEntry entry = opened(original).entries()[0];
    bool sawZlibError = false;
    for (std::uint64_t at = entry.dataOffset; at < entry.dataOffset + entry.compressedSize;
         at += 7) {
        std::string bytes = original;
        bytes[at] = static_cast<char>(bytes[at] ^ 0x55);
        const ZipArchive archive = opened(bytes);
        const auto error = readError(archive, "b.npy");
        CHECK(contains(error.message, "The member b.npy"));
        CHECK(contains(error.context, "t.zip, byte "));
        sawZlibError = sawZlibError || contains(error.message, "deflate data is corrupt (zlib: ");
    }
    CHECK(sawZlibError);
}

TEST_CASE("Truncated archives are refused", "[datasets]")
{
    const std::string bytes = zipBytes({{"a.npy", text(3000), true}, {"b.npy", "bb"}});
    CHECK(contains(openError(bytes.substr(0, bytes.size() - 10)).message,
                   "no end of central directory record"));
    CHECK(contains(openError(bytes.substr(0, bytes.size() / 2)).message,
                   "no end of central directory record"));
    CHECK(contains(openError("").message, "Not a zip archive"));
    CHECK(contains(openError("PK\x03\x04").message, "Not a zip archive"));
    // The end record survives, but the data it points at is gone.
    const std::string tail = bytes.substr(bytes.size() - 22);
    CHECK(contains(openError(bytes.substr(0, 100) + tail).message,
                   "does not fit before the end record"));
    // The directory gives the member fewer compressed bytes than its deflate stream needs.
    std::string cut = zipBytes({{"c.npy", text(3000), true}});
    const std::uint64_t compressed = opened(cut).entries()[0].compressedSize;
    cut[cut.size() - 22 - 51 + 20] = static_cast<char>((compressed / 2) & 0xff);
    cut[cut.size() - 22 - 51 + 21] = static_cast<char>((compressed / 2) >> 8);
    const auto error = readError(opened(cut), "c.npy");
    CHECK(contains(error.message,
                   "The member c.npy's deflate data stops in the middle of the stream"));
    CHECK(contains(error.message, "of the 3,000 the directory promises"));
}

TEST_CASE("Encrypted members and unknown methods are listed but not read", "[datasets]")
{
    ZipMember encrypted{"secret.npy", "data"};
    encrypted.flags = 1;
    ZipMember bzip2{"b.npy", "data"};
    bzip2.method = 12;
    const ZipArchive archive = opened(zipBytes({encrypted, bzip2}));
    REQUIRE(archive.entries().size() == 2);
    CHECK(archive.entries()[0].isEncrypted());
    CHECK(contains(readError(archive, "secret.npy").message, "The member secret.npy is encrypted"));
    CHECK(contains(readError(archive, "b.npy").message, "compressed with bzip2"));
    CHECK_FALSE(archive.readPrefix(archive.entries()[1], 4).ok());
}

TEST_CASE("Members whose offsets overlap or point outside the data are refused", "[datasets]")
{
    const std::string good = zipBytes({{"a.npy", "aaaa"}, {"b.npy", "bbbb"}});
    const std::size_t directory = 78; // two local headers of 30 + 5 bytes, 4 data bytes each
    // The second entry's local header offset (at byte 42 of its directory entry) made 0: both
    // members claim the same bytes.
    std::string overlap = good;
    overlap[directory + 51 + 42] = 0;
    CHECK(contains(openError(overlap).message, "overlap"));
    std::string outside = good;
    outside[directory + 42] = static_cast<char>(0x70); // past the central directory
    CHECK(contains(openError(outside).message, "lies outside the archive's data"));
    std::string notLocal = good;
    notLocal[0] = 'X';
    CHECK(contains(openError(notLocal).message,
                   "Expected the local header (PK\\x03\\x04) of the member a.npy"));
    std::string tooLong = good;
    tooLong[directory + 20] = 100; // compressed size of a.npy
    tooLong[directory + 24] = 100;
    CHECK(contains(openError(tooLong).message, "runs past"));
    std::string manyEntries = good;
    manyEntries[manyEntries.size() - 22 + 10] = 50;
    manyEntries[manyEntries.size() - 22 + 8] = 50;
    CHECK(contains(openError(manyEntries).message, "promises 50 members"));
}

TEST_CASE("A member claiming an absurd size is refused before anything is allocated", "[datasets]")
{
    ZipMember claim{"x.npy", text(1000), true};
    claim.zip64 = true;
    std::string bytes = zipBytes({claim});
    const ZipArchive honest = opened(bytes);
    const ZipEntry entry = honest.entries()[0];
    // Rewrite the size in the central ZIP64 extra field to 100 GB.
    const std::size_t extra = bytes.size() - 22 - 24;
    for (int i = 0; i < 8; ++i) {
        bytes[extra + static_cast<std::size_t>(i)] =
            static_cast<char>((100000000000ull >> (8 * i)) & 0xff);
    }
    const ZipArchive lying = opened(bytes);
    REQUIRE(lying.entries()[0].size == 100000000000ull);
    const auto error = readError(lying, "x.npy");
    CHECK(contains(error.message, "claims 100,000,000,000 bytes from only "
                                      + std::to_string(entry.compressedSize)));
    CHECK_FALSE(lying.readPrefix(lying.entries()[0], 16).ok());
    // A stored member whose two sizes disagree.
    std::string stored = zipBytes({{"s.npy", "abcd"}});
    stored[stored.size() - 22 - 51 + 24] = 9;
    CHECK(contains(readError(opened(stored), "s.npy").message, "stored uncompressed, yet"));
}

TEST_CASE("A prefix read inflates only the start of a member", "[datasets]")
{
    const std::string big = text(100000);
    const ZipArchive archive = opened(zipBytes({{"a.npy", big, true}, {"b.npy", "short"}}));
    auto prefix = archive.readPrefix(archive.entries()[0], 100);
    REQUIRE(prefix.ok());
    CHECK(std::string(prefix.value().begin(), prefix.value().end()) == big.substr(0, 100));
    auto whole = archive.readPrefix(archive.entries()[1], 100);
    REQUIRE(whole.ok());
    CHECK(std::string(whole.value().begin(), whole.value().end()) == "short");
}

TEST_CASE("Files open like bytes, report progress and stop when asked", "[datasets]")
{
    TempDir dir("zip-file");
    const std::string big = text(3 << 20);
    writeBytes(dir / "a.npz", zipBytes({{"a.npy", big, true}, {"b.npy", big}}));
    auto archive = ZipArchive::open(dir / "a.npz");
    REQUIRE(archive.ok());
    CHECK(archive.value().name() == "a.npz");
    std::uint64_t last = 0;
    for (const ZipEntry &entry : archive.value().entries()) {
        auto bytes = archive.value().read(
            entry, {}, [&](std::uint64_t done, std::uint64_t total, std::string_view) {
                CHECK(total == big.size());
                last = done;
            });
        REQUIRE(bytes.ok());
        CHECK(bytes.value().size() == big.size());
        CHECK(last == big.size());
    }
    std::stop_source stop;
    stop.request_stop();
    for (const ZipEntry &entry : archive.value().entries()) {
        auto cancelled = archive.value().read(entry, stop.get_token());
        REQUIRE_FALSE(cancelled.ok());
        CHECK(cancelled.error().code == ErrorCode::Cancelled);
    }
    auto missing = ZipArchive::open(dir / "missing.npz");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
    CHECK_FALSE(ZipArchive::open(dir.path()).ok());
}

TEST_CASE("NumPy's own .npz archives open with all their members", "[datasets]")
{
    for (const std::string name : {"mnist_like.npz", "mnist_like_compressed.npz"}) {
        INFO(name);
        auto archive = ZipArchive::open(goldenNumpyDir() + name);
        if (!archive && archive.error().code == ErrorCode::NotFound) {
            WARN("skipped: the golden files are missing: run make_golden.py");
            return;
        }
        REQUIRE(archive.ok());
        std::vector<std::string> names;
        for (const ZipEntry &entry : archive.value().entries()) {
            names.push_back(entry.name);
            auto bytes = archive.value().read(entry);
            INFO((bytes ? std::string() : bytes.error().describe()));
            REQUIRE(bytes.ok());
            CHECK(std::string(bytes.value().begin(), bytes.value().begin() + 6) == "\x93NUMPY");
        }
        CHECK(
            names
            == std::vector<std::string>{"x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy"});
    }
}
