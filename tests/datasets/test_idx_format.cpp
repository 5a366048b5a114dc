#include "datasets/idx_format.h"
#include "datasets/idx_writer.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace tl::datasets;
using tl::base::ErrorCode;

namespace {

// Bytes from a list of values 0..255, so test data reads like the file format.
std::string bytesOf(std::initializer_list<int> values)
{
    std::string out;
    for (int v : values) {
        out.push_back(static_cast<char>(v));
    }
    return out;
}

std::string describeError(const tl::base::Result<IdxArray> &result)
{
    REQUIRE_FALSE(result.ok());
    return result.error().describe();
}

} // namespace

TEST_CASE("A uint8 idx stream decodes to its dims and bytes and encodes back", "[datasets]")
{
    // 2 images of 2 × 3.
    const std::string bytes = bytesOf({0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3})
                              + bytesOf({1, 2, 3, 4, 5, 6}) + bytesOf({7, 8, 9, 10, 11, 255});
    auto parsed = parseIdx(bytes, "mem");
    REQUIRE(parsed.ok());
    const IdxArray &array = parsed.value();
    CHECK(array.header.type == ElementType::UInt8);
    CHECK(array.header.dims == std::vector<std::int64_t>{2, 2, 3});
    CHECK(array.header.dataOffset == 16);
    CHECK(array.data == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255});
    CHECK(array.valueAt(11) == 255.0);

    auto encoded = encodeIdx(array);
    REQUIRE(encoded.ok());
    CHECK(encoded.value() == bytes);
}

TEST_CASE("Each element type is read big-endian into host order", "[datasets]")
{
    struct Case
    {
        ElementType type;
        std::string raw;
        std::vector<double> values;
    };
    const std::vector<Case> cases = {
        {ElementType::UInt8, bytesOf({0x00, 0x7f, 0xff}), {0, 127, 255}},
        {ElementType::Int8, bytesOf({0x00, 0x7f, 0xff}), {0, 127, -1}},
        {ElementType::Int16, bytesOf({0x01, 0x02, 0xff, 0xfe, 0x80, 0x00}), {258, -2, -32768}},
        {ElementType::Int32,
         bytesOf({0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xfe, 0x7f, 0xff, 0xff, 0xff}),
         {16909060, -2, 2147483647}},
        {ElementType::Float32,
         bytesOf({0x3f, 0x80, 0x00, 0x00, 0xc0, 0x49, 0x0f, 0xdb, 0x00, 0x00, 0x00, 0x00}),
         {1.0, static_cast<double>(-3.14159274101257324f), 0.0}},
        {ElementType::Float64,
         bytesOf({0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18, 0xbf, 0xf0, 0, 0,
                  0,    0,    0,    0,    0x7f, 0xf0, 0,    0,    0,    0,    0, 0}),
         {3.141592653589793, -1.0, HUGE_VAL}},
    };
    for (const auto &c : cases) {
        INFO(elementTypeName(c.type));
        const std::string bytes = bytesOf({0, 0, elementTypeCode(c.type), 1, 0, 0, 0, 3}) + c.raw;
        auto parsed = parseIdx(bytes, "mem");
        REQUIRE(parsed.ok());
        CHECK(parsed.value().header.type == c.type);
        CHECK(parsed.value().data.size() == 3 * elementSize(c.type));
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(parsed.value().valueAt(i) == c.values[i]);
        }
        auto encoded = encodeIdx(parsed.value());
        REQUIRE(encoded.ok());
        CHECK(encoded.value() == bytes);
    }
}

TEST_CASE("Truncated idx data is an error naming the byte where the data ends", "[datasets]")
{
    // Promises 3 × 4 × 5 = 60 bytes; 10 arrive.
    const std::string bytes =
        bytesOf({0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5}) + std::string(10, 'x');
    auto parsed = parseIdx(bytes, "train-images-idx3-ubyte");
    const std::string text = describeError(parsed);
    CHECK(parsed.error().code == ErrorCode::InvalidInput);
    CHECK(parsed.error().context == "train-images-idx3-ubyte, byte 26");
    CHECK(text.find("3 × 4 × 5 = 60 bytes") != std::string::npos);
    CHECK(text.find("ends after 10 bytes (byte 26") != std::string::npos);
}

TEST_CASE("Wider types state the promised size in values and bytes", "[datasets]")
{
    const std::string bytes = bytesOf({0, 0, 0x0D, 2, 0, 0, 0x03, 0xe8, 0, 0, 0, 2, 1, 2, 3});
    const std::string text = describeError(parseIdx(bytes, "x.idx"));
    CHECK(text.find("1000 × 2 float32 values = 8,000 bytes") != std::string::npos);
    CHECK(text.find("ends after 3 bytes (byte 15") != std::string::npos);
}

TEST_CASE("A truncated header is an error at the byte where it ends", "[datasets]")
{
    auto inDims = parseIdx(bytesOf({0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0}), "f");
    describeError(inDims);
    CHECK(inDims.error().context == "f, byte 10");
    CHECK(inDims.error().message.find("expected 3 big-endian dimensions") != std::string::npos);

    auto inMagic = parseIdx(bytesOf({0, 0, 0x08}), "f");
    describeError(inMagic);
    CHECK(inMagic.error().context == "f, byte 3");

    auto empty = parseIdx("", "f");
    CHECK(describeError(empty).find("found an empty stream") != std::string::npos);
}

TEST_CASE("A wrong magic is an error naming the offending byte and what was expected", "[datasets]")
{
    auto gzip = parseIdx(bytesOf({0x1f, 0x8b, 0x08, 0x00, 1, 2, 3}), "train-images.gz");
    const std::string text = describeError(gzip);
    CHECK(gzip.error().context == "train-images.gz, byte 0");
    CHECK(text.find("expected the magic 0x00 0x00 <type> <dims> at byte 0") != std::string::npos);
    CHECK(text.find("found 0x1f 0x8b 0x08 0x00 (the start of gzip data") != std::string::npos);

    auto type = parseIdx(bytesOf({0, 0, 0x07, 1, 0, 0, 0, 0}), "f");
    CHECK(describeError(type).find("found 0x07") != std::string::npos);
    CHECK(type.error().context == "f, byte 2");

    for (int ndims : {0, 5, 255}) {
        auto dims = parseIdx(bytesOf({0, 0, 0x08, ndims}) + std::string(40, '\0'), "f");
        CHECK(describeError(dims).find("expected 1 to 4 dimensions, found " + std::to_string(ndims))
              != std::string::npos);
        CHECK(dims.error().context == "f, byte 3");
    }
}

TEST_CASE("Absurd dimensions are rejected from the header alone", "[datasets]")
{
    // 4 × (2^32 - 1) float64: the product overflows 64 bits.
    auto huge = parseIdx(bytesOf({0,    0,    0x0E, 4,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
                         "f");
    CHECK(describeError(huge).find("more than 4 TiB") != std::string::npos);
    CHECK(huge.error().context == "f, byte 4");
    // 2^17 × 2^17 uint8 = 2^34 bytes is still accepted as a header (then truncated).
    auto edge = parseIdx(bytesOf({0, 0, 0x08, 2, 0, 2, 0, 0, 0, 2, 0, 0}), "f");
    CHECK(describeError(edge).find("17,179,869,184 bytes") != std::string::npos);
    // A zero dimension means no data at all, whatever the others say.
    auto empty = parseIdx(bytesOf({0, 0, 0x0E, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}), "f");
    REQUIRE(empty.ok());
    CHECK(empty.value().data.empty());
}

TEST_CASE("Bytes after the promised data are an error unless a limit stops reading early",
          "[datasets]")
{
    const std::string bytes = bytesOf({0, 0, 0x08, 1, 0, 0, 0, 2, 10, 20, 30});
    auto whole = parseIdx(bytes, "f");
    CHECK(describeError(whole).find("more bytes follow byte 10") != std::string::npos);
    auto limited = parseIdx(bytes, "f", 1);
    REQUIRE(limited.ok());
    CHECK(limited.value().data == std::vector<std::uint8_t>{10});
}

TEST_CASE("A limit keeps the first items and needs only their bytes", "[datasets]")
{
    // 5 items of 2 int16 values; only the first 2 items (8 bytes) are complete.
    const std::string bytes =
        bytesOf({0, 0, 0x0B, 2, 0, 0, 0, 5, 0, 0, 0, 2, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5});
    auto two = parseIdx(bytes, "f", 2);
    REQUIRE(two.ok());
    CHECK(two.value().header.dims == std::vector<std::int64_t>{2, 2});
    CHECK(two.value().valueAt(3) == 4.0);

    auto three = parseIdx(bytes, "f", 3);
    const std::string text = describeError(three);
    CHECK(text.find("the first 3 items need 3 × 2 int16 values = 12 bytes") != std::string::npos);

    auto all = parseIdx(bytes, "f", 99);
    CHECK(describeError(all).find("the header promises 5 × 2 int16 values = 20 bytes")
          != std::string::npos);
}

TEST_CASE("The writer refuses arrays whose data does not match their dims", "[datasets]")
{
    auto wrong = encodeIdx(makeUInt8Array({2, 3}, {1, 2, 3}));
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("holds 3 bytes") != std::string::npos);
    CHECK_FALSE(encodeIdx(makeUInt8Array({}, {})).ok());
    CHECK_FALSE(encodeIdx(makeUInt8Array({1, 1, 1, 1, 1}, {7})).ok());
    CHECK_FALSE(encodeIdx(makeUInt8Array({-1}, {})).ok());
}
