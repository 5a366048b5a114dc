#include "proto/crc32c.h"
#include "proto/record_io.h"
#include "proto/torchlight.pb.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace tl::proto;

namespace {

std::vector<std::string> readAll(RecordReader &reader)
{
    std::vector<std::string> out;
    for (;;) {
        auto r = reader.next();
        REQUIRE(r.ok());
        if (!r.value())
            return out;
        out.emplace_back(*r.value());
    }
}

fs::path tempFile(const std::string &name)
{
    fs::path dir = fs::temp_directory_path() / "tl_test_proto";
    fs::create_directories(dir);
    fs::path p = dir / name;
    fs::remove(p);
    return p;
}

} // namespace

TEST_CASE("CRC-32C matches the standard check value", "[proto]")
{
    CHECK(crc32c("123456789", 9) == 0xe3069283u);
    CHECK(crc32c("", 0) == 0u);
    // Long input exercises the eight-bytes-at-a-time path against the byte path.
    std::string s(1000, 'x');
    for (std::size_t i = 0; i < s.size(); ++i)
        s[i] = static_cast<char>(i * 31 + 7);
    std::uint32_t byByte = 0xffffffffu;
    for (unsigned char c : s)
        for (int bit = 0; bit < 8; ++bit, c >>= 1)
            byByte = ((byByte ^ c) & 1) ? (byByte >> 1) ^ 0x82f63b78u : byByte >> 1;
    CHECK(crc32c(s.data(), s.size()) == (byByte ^ 0xffffffffu));
}

TEST_CASE("Framed records round-trip, whole or fed byte by byte", "[proto]")
{
    const std::vector<std::string> payloads = {"", "a", std::string(70000, 'z'), "last"};
    std::string stream;
    for (const auto &p : payloads)
        appendFramedRecord(stream, p);

    RecordReader whole("mem");
    whole.feed(stream);
    CHECK(readAll(whole) == payloads);
    CHECK(whole.offset() == stream.size());

    RecordReader bytewise("mem");
    std::vector<std::string> got;
    for (char c : stream) {
        bytewise.feed(std::string_view(&c, 1));
        auto more = readAll(bytewise);
        got.insert(got.end(), more.begin(), more.end());
    }
    CHECK(got == payloads);
}

TEST_CASE("A torn tail is not an error and is read once the rest arrives", "[proto]")
{
    std::string stream = framedRecord("first") + framedRecord("second");
    const std::size_t firstEnd = framedRecord("first").size();
    for (std::size_t cut = firstEnd; cut < stream.size(); ++cut) {
        RecordReader reader("events.tlog");
        reader.feed(std::string_view(stream).substr(0, cut));
        CHECK(readAll(reader) == std::vector<std::string>{"first"});
        CHECK(reader.offset() == firstEnd);
        CHECK(reader.pendingBytes() == cut - firstEnd);
        reader.feed(std::string_view(stream).substr(cut));
        CHECK(readAll(reader) == std::vector<std::string>{"second"});
    }
}

TEST_CASE("A flipped bit anywhere in a record is reported with its byte offset", "[proto]")
{
    const std::string good = framedRecord("abc");
    const std::string bad = framedRecord("payload-to-damage");
    for (std::size_t i = 0; i < bad.size(); ++i) {
        std::string stream = good + bad;
        stream[good.size() + i] = static_cast<char>(stream[good.size() + i] ^ 0x04);
        RecordReader reader("events.tlog");
        reader.feed(stream);
        auto first = reader.next();
        REQUIRE(first.ok());
        CHECK(*first.value() == "abc");
        auto second = reader.next();
        // A flip in the length may make the record look longer: a torn tail, not yet an error.
        if (second.ok()) {
            CHECK_FALSE(second.value().has_value());
            continue;
        }
        CHECK(second.error().context == "events.tlog, byte " + std::to_string(good.size()));
        CHECK_THAT(second.error().message, Catch::Contains("checksum"));
        CHECK_FALSE(reader.next().ok()); // stays failed
    }
}

TEST_CASE("A length beyond the limit is corruption, not an allocation", "[proto]")
{
    std::string header(8, '\0');
    header[7] = 0x10; // 2^60 bytes
    const std::uint32_t crc = maskedCrc32c(header);
    for (int i = 0; i < 4; ++i)
        header.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
    RecordReader reader("x");
    reader.feed(header);
    auto r = reader.next();
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("1 GiB"));
}

TEST_CASE("A record file is written, scanned from an offset, and its torn tail tolerated",
          "[proto]")
{
    const fs::path path = tempFile("events.tlog");
    {
        auto writer = RecordWriter::openFile(path);
        REQUIRE(writer.ok());
        for (int i = 0; i < 5; ++i) {
            RunEvent ev;
            ev.mutable_scalar()->set_tag("train/loss");
            ev.mutable_scalar()->set_step(i);
            ev.mutable_scalar()->set_value(1.0 / (i + 1));
            REQUIRE(writer.value().write(ev.SerializeAsString()).ok());
        }
    }
    {
        std::ofstream tail(path, std::ios::binary | std::ios::app);
        tail.write("\x05\x00\x00", 3); // a writer died mid-header
    }
    std::vector<std::uint64_t> offsets;
    auto scan = scanRecordFile(path, 0, [&](std::string_view payload, std::uint64_t at) {
        RunEvent ev;
        REQUIRE(ev.ParseFromArray(payload.data(), static_cast<int>(payload.size())));
        offsets.push_back(at);
        return tl::base::okStatus();
    });
    REQUIRE(scan.ok());
    CHECK(scan.value().records == 5);
    CHECK(scan.value().tornBytes == 3);
    REQUIRE(offsets.size() == 5);

    // Resuming from the third record's offset yields exactly the last three.
    int resumed = 0;
    auto again = scanRecordFile(path, offsets[2], [&](std::string_view, std::uint64_t) {
        ++resumed;
        return tl::base::okStatus();
    });
    REQUIRE(again.ok());
    CHECK(resumed == 3);
    CHECK(again.value().endOffset == scan.value().endOffset);
}

TEST_CASE("A missing record file is a NotFound error naming the path", "[proto]")
{
    auto scan = scanRecordFile("/nonexistent/events.tlog", 0, [](std::string_view, std::uint64_t) {
        return tl::base::okStatus();
    });
    REQUIRE_FALSE(scan.ok());
    CHECK(scan.error().code == tl::base::ErrorCode::NotFound);
    CHECK_THAT(scan.error().context, Catch::Contains("/nonexistent/events.tlog"));
}

TEST_CASE("TensorBoard's own event files are read by the same framing", "[proto]")
{
    const fs::path dir = fs::path(TL_SHARED_DIR) / "fixtures/tfevents/run_lr0.1";
    if (!fs::exists(dir)) {
        WARN("skipped: " << dir << " is absent (../shared/fixtures not beside the checkout)");
        return;
    }
    fs::path file;
    for (const auto &e : fs::directory_iterator(dir))
        if (e.is_regular_file())
            file = e.path();
    REQUIRE_FALSE(file.empty());
    auto scan = scanRecordFile(
        file, 0, [](std::string_view, std::uint64_t) { return tl::base::okStatus(); });
    REQUIRE(scan.ok());
    CHECK(scan.value().records > 2000); // 2000 train/loss steps plus the rest
    CHECK(scan.value().tornBytes == 0);
    CHECK(scan.value().endOffset == fs::file_size(file));
}
