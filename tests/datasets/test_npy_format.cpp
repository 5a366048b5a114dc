#include "datasets/npy_format.h"
#include "idx_test_files.h"
#include "npy_test_files.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stop_token>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

NpyArray parsed(const std::string &bytes)
{
    auto array = parseNpy(std::string_view(bytes), "t.npy");
    INFO((array ? std::string() : array.error().describe()));
    REQUIRE(array.ok());
    return array.value();
}

std::vector<float> floats(const NpyArray &array)
{
    auto values = npyToFloat32(array, "t.npy");
    INFO((values ? std::string() : values.error().describe()));
    REQUIRE(values.ok());
    return values.value();
}

tl::base::Error parseError(const std::string &bytes)
{
    auto array = parseNpy(std::string_view(bytes), "t.npy");
    REQUIRE_FALSE(array.ok());
    return array.error();
}

NpyArray golden(const std::string &name)
{
    auto array = readNpyFile(goldenNumpyDir() + name);
    INFO(name << ": " << (array ? std::string() : array.error().describe()));
    REQUIRE(array.ok());
    return array.value();
}

} // namespace

TEST_CASE("A little-endian float32 .npy parses with its shape, dtype and values", "[datasets]")
{
    const NpyArray array =
        parsed(npyBytes("<f4", "(2, 3)", valueBytes<float>({1, 2, 3, 4, 5, -6.5f})));
    CHECK(array.header.shape == std::vector<std::uint64_t>{2, 3});
    CHECK(array.header.dtype.kind == NpyKind::Float);
    CHECK(array.header.dtype.itemSize == 4);
    CHECK(array.header.dtype.name() == "float32");
    CHECK(array.header.dataOffset == 128); // numpy pads its headers to 64 bytes, as here
    CHECK(array.header.describe() == "2×3 float32");
    CHECK(floats(array) == std::vector<float>{1, 2, 3, 4, 5, -6.5f});
}

TEST_CASE("Header dicts parse in any key order, spacing, quoting and shape spelling", "[datasets]")
{
    const std::string data = valueBytes<std::int16_t>({7, 8, 9});
    const std::vector<std::pair<std::string, std::vector<std::uint64_t>>> cases = {
        {"{'shape': (3,), 'fortran_order': False, 'descr': '<i2'}", {3}},
        {"{ 'descr' : '<i2' ,'fortran_order':False,'shape':( 3 , ) , }", {3}},
        {"{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (3,)}", {3}},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (3L,), }", {3}},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (1, 3), }", {1, 3}},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': [3], 'extra': {'a': [1, (2,)]}}", {3}},
    };
    for (const auto &[dict, shape] : cases) {
        INFO(dict);
        for (int major : {1, 2, 3}) {
            const NpyArray array = parsed(npyWithDict(dict, data, major));
            CHECK(array.header.shape == shape);
            CHECK(array.header.dataOffset % 64 == 0);
            CHECK(floats(array) == std::vector<float>{7, 8, 9});
        }
    }
    const NpyArray scalar = parsed(npyBytes("<f8", "()", valueBytes<double>({2.5})));
    CHECK(scalar.header.shape.empty());
    CHECK(scalar.header.count() == 1);
    CHECK(scalar.header.describe() == "a single float64");
    CHECK(floats(scalar) == std::vector<float>{2.5f});
    const NpyArray empty = parsed(npyBytes("<f4", "(0, 5)", ""));
    CHECK(empty.header.count() == 0);
    CHECK(empty.data.empty());
}

TEST_CASE("Big-endian values are brought to host byte order", "[datasets]")
{
    const NpyArray i4 =
        parsed(npyBytes(">i4", "(3,)", valueBytes<std::int32_t>({1, -2, 70000}, true)));
    CHECK(floats(i4) == std::vector<float>{1, -2, 70000});
    CHECK_FALSE(i4.header.dtype.bigEndian);
    const NpyArray f8 = parsed(npyBytes(">f8", "(2,)", valueBytes<double>({0.25, -1e10}, true)));
    CHECK(floats(f8) == std::vector<float>{0.25f, -1e10f});
    const NpyArray u2 =
        parsed(npyBytes(">u2", "(2,)", valueBytes<std::uint16_t>({1, 65535}, true)));
    CHECK(floats(u2) == std::vector<float>{1, 65535});
    const NpyArray native = parsed(npyBytes("=u2", "(2,)", valueBytes<std::uint16_t>({3, 4})));
    CHECK(floats(native) == std::vector<float>{3, 4});
}

TEST_CASE("Fortran-order arrays are reordered to C order", "[datasets]")
{
    // Column-major 2×3: the columns (1, 4), (2, 5), (3, 6) of [[1, 2, 3], [4, 5, 6]].
    const NpyArray matrix = parsed(npyBytes("<u1", "(2, 3)", std::string("\1\4\2\5\3\6", 6), true));
    CHECK_FALSE(matrix.header.fortranOrder);
    CHECK(matrix.data == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6});
    // 2×3×4 int64 whose C-order value at (i, j, k) is 12i + 4j + k.
    std::vector<std::int64_t> fortran(24);
    for (std::size_t i = 0; i < 2; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            for (std::size_t k = 0; k < 4; ++k) {
                fortran[i + 2 * j + 6 * k] = static_cast<std::int64_t>(12 * i + 4 * j + k);
            }
        }
    }
    const NpyArray cube = parsed(npyBytes(">i8", "(2, 3, 4)", valueBytes(fortran, true), true));
    const auto values = floats(cube);
    for (std::size_t n = 0; n < values.size(); ++n) {
        CHECK(values[n] == static_cast<float>(n));
    }
}

TEST_CASE("Every numeric dtype converts to float32", "[datasets]")
{
    CHECK(floats(parsed(npyBytes("|b1", "(3,)", std::string("\1\0\1", 3))))
          == std::vector<float>{1, 0, 1});
    CHECK(floats(parsed(npyBytes("?", "(2,)", std::string("\0\1", 2))))
          == std::vector<float>{0, 1});
    CHECK(floats(parsed(npyBytes("|i1", "(2,)", "\x80\x7f"))) == std::vector<float>{-128, 127});
    CHECK(floats(parsed(npyBytes("|u1", "(2,)", "\x80\xff"))) == std::vector<float>{128, 255});
    CHECK(floats(parsed(npyBytes("<i2", "(1,)", valueBytes<std::int16_t>({-300}))))
          == std::vector<float>{-300});
    CHECK(floats(parsed(npyBytes("<u4", "(1,)", valueBytes<std::uint32_t>({4000000000u}))))
          == std::vector<float>{4e9f});
    CHECK(floats(parsed(npyBytes("<i8", "(1,)", valueBytes<std::int64_t>({-5}))))
          == std::vector<float>{-5});
    CHECK(floats(parsed(npyBytes("<u8", "(1,)", valueBytes<std::uint64_t>({1ull << 40}))))
          == std::vector<float>{0x1p40f});
    // float16: 1, -2.5, the largest finite 65504, the smallest subnormal 2^-24, zero.
    const auto halves = floats(parsed(npyBytes(
        "<f2", "(5,)", valueBytes<std::uint16_t>({0x3c00, 0xc100, 0x7bff, 0x0001, 0x0000}))));
    CHECK(halves == std::vector<float>{1, -2.5f, 65504, 0x1p-24f, 0});
}

TEST_CASE("Non-numeric dtypes are refused naming the dtype and its byte offset", "[datasets]")
{
    for (const std::string descr : {"<U5", "|S3", "|O", "<c8", "<M8[ns]", "|V8"}) {
        INFO(descr);
        const auto error = parseError(npyBytes(descr, "(1,)", std::string(40, '\0')));
        CHECK(error.code == ErrorCode::InvalidInput);
        CHECK(contains(error.message, "dtype '" + descr + "' is not numeric"));
        CHECK(contains(error.message, "expected bool, int8"));
        CHECK(error.context == "t.npy, byte 20");
    }
    const auto quad = parseError(npyBytes("<f16", "(1,)", std::string(16, '\0')));
    CHECK(contains(quad.message, "'<f16' is not a supported numeric type"));
    const auto structured = parseError(npyWithDict(
        "{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': (1,), }",
        std::string(12, '\0')));
    CHECK(contains(structured.message, "structured"));
    CHECK(structured.context == "t.npy, byte 20");
}

TEST_CASE("Wrong magic, unknown versions and broken header dicts name the byte", "[datasets]")
{
    const std::string good = npyBytes("<u1", "(2,)", "ab");
    std::string magic = good;
    magic[1] = 'M';
    CHECK(contains(parseError(magic).message, "Not a .npy file"));
    CHECK(parseError(magic).context == "t.npy, byte 0");
    CHECK(contains(parseError(zipBytes({})).message, "zip archive"));
    std::string version = good;
    version[6] = 4;
    CHECK(contains(parseError(version).message, "version 4.0"));
    CHECK(parseError(version).context == "t.npy, byte 6");
    CHECK(contains(parseError(good.substr(0, 9)).message, "ends early"));
    const std::vector<std::pair<std::string, std::string>> broken = {
        {"['descr', '<u1']", "expected '{'"},
        {"{'descr': '<u1', 'fortran_order': False}", "lacks the key 'shape'"},
        {"{'descr': '<u1' 'fortran_order': False, 'shape': (2,)}", "expected ',' or '}'"},
        {"{'descr': '<u1', 'fortran_order': 0, 'shape': (2,)}", "fortran_order is 0"},
        {"{'descr': '<u1', 'fortran_order': False, 'shape': (2, -1)}", "shape is (2, -1)"},
        {"{'descr': '<u1', 'fortran_order': False, 'shape': (2,)} x", "only spaces after"},
        {"{'descr: '<u1', 'fortran_order': False, 'shape': (2,)}", "expected ':'"},
        {"{'descr': '<u1', 'fortran_order': False, 'shape': (2,", "expected ')'"},
        {"{'descr': '<u1', 'fortran_order': False, 'shape': (99999999999999999999,)}", "shape is"},
        {"{'descr': '<u1', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4)}",
         "more bytes than any file"},
    };
    for (const auto &[dict, message] : broken) {
        INFO(dict);
        const auto error = parseError(npyWithDict(dict, "ab"));
        CHECK(contains(error.message, message));
        CHECK(contains(error.context, "t.npy, byte "));
    }
    CHECK(parseError(npyWithDict("{'descr': '<u1' 'x'}", "")).context == "t.npy, byte 26");
}

TEST_CASE("Truncated data and extra bytes are refused with both byte counts", "[datasets]")
{
    const std::string good = npyBytes("<i4", "(2, 2)", valueBytes<std::int32_t>({1, 2, 3, 4}));
    const auto truncated = parseError(good.substr(0, good.size() - 3));
    CHECK(contains(truncated.message, "truncated"));
    CHECK(contains(truncated.message, "2×2 int32 (16 bytes)"));
    CHECK(contains(truncated.message, "only 13 bytes follow"));
    CHECK(truncated.context == "t.npy, byte 141");
    const auto extra = parseError(good + "xyz");
    CHECK(contains(extra.message, "3 bytes more than the 16 bytes"));
    CHECK(extra.context == "t.npy, byte 144");
    TempDir dir("npy-truncated");
    writeBytes(dir / "cut.npy", good.substr(0, good.size() - 10));
    auto file = readNpyFile(dir / "cut.npy");
    REQUIRE_FALSE(file.ok());
    CHECK(contains(file.error().message, "only 6 bytes follow"));
    CHECK(file.error().context == "cut.npy, byte 134");
}

TEST_CASE("A header promising 100 GB is refused without allocating it", "[datasets]")
{
    const std::string huge = npyBytes("<f4", "(25000000000,)", "");
    const auto inMemory = parseError(huge);
    CHECK(contains(inMemory.message, "100,000,000,000 bytes"));
    TempDir dir("npy-huge");
    writeBytes(dir / "huge.npy", huge);
    auto small = readNpyFile(dir / "huge.npy");
    REQUIRE_FALSE(small.ok());
    CHECK(contains(small.error().message, "100,000,000,000 bytes"));
    // A sparse file that really is that long passes the size check; memory must refuse it.
    const std::string tera = npyBytes("|u1", "(4000000000000,)", "");
    writeBytes(dir / "sparse.npy", tera);
    std::error_code ec;
    std::filesystem::resize_file(dir / "sparse.npy", tera.size() + 4000000000000ull, ec);
    if (ec) {
        WARN("skipped: this file system has no sparse 4 TB files: " << ec.message());
        return;
    }
    auto sparse = readNpyFile(dir / "sparse.npy");
    REQUIRE_FALSE(sparse.ok());
    CHECK(sparse.error().code == ErrorCode::Io);
    CHECK(contains(sparse.error().message, "memory"));
    CHECK(contains(sparse.error().message, "4.0 TB"));
}

TEST_CASE("An empty or missing file is refused with a plain sentence", "[datasets]")
{
    TempDir dir("npy-empty");
    writeBytes(dir / "empty.npy", "");
    auto empty = readNpyFile(dir / "empty.npy");
    REQUIRE_FALSE(empty.ok());
    CHECK(contains(empty.error().message, "The file is empty"));
    CHECK(empty.error().context == "empty.npy, byte 0");
    auto missing = readNpyHeader(dir / "missing.npy");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
    CHECK(readNpyFile(dir.path()).error().code == ErrorCode::InvalidInput);
}

TEST_CASE("Labels convert from integers, bools and whole floats", "[datasets]")
{
    auto labels = [](const std::string &bytes) {
        auto converted = npyToLabels(parsed(bytes), "y.npy");
        INFO((converted ? std::string() : converted.error().describe()));
        REQUIRE(converted.ok());
        return converted.value();
    };
    using Labels = std::vector<std::int64_t>;
    CHECK(labels(npyBytes("|u1", "(3,)", std::string("\0\1\x09", 3))) == Labels{0, 1, 9});
    CHECK(labels(npyBytes("<i8", "(2,)", valueBytes<std::int64_t>({5, 1LL << 40})))
          == Labels{5, 1LL << 40});
    CHECK(labels(npyBytes("|b1", "(2,)", std::string("\1\0", 2))) == Labels{1, 0});
    CHECK(labels(npyBytes("<f4", "(2, 1)", valueBytes<float>({3, 0}))) == Labels{3, 0});
    CHECK(labels(npyBytes(">u8", "(1,)", valueBytes<std::uint64_t>({7}, true))) == Labels{7});
}

TEST_CASE("Negative, fractional, huge and NaN labels are refused naming the sample", "[datasets]")
{
    auto error = [](const std::string &bytes) {
        auto converted = npyToLabels(parsed(bytes), "y.npy");
        REQUIRE_FALSE(converted.ok());
        CHECK(converted.error().context == "y.npy");
        return converted.error().message;
    };
    CHECK(contains(error(npyBytes("|i1", "(3,)", std::string("\0\1\xff", 3))),
                   "hold -1 at sample 2"));
    CHECK(contains(error(npyBytes("<i8", "(2,)", valueBytes<std::int64_t>({0, -7}))),
                   "hold -7 at sample 1"));
    CHECK(contains(error(npyBytes("<f8", "(2,)", valueBytes<double>({1, 2.5}))),
                   "hold 2.5 at sample 1"));
    CHECK(contains(error(npyBytes("<f4", "(1,)", valueBytes<float>({std::nanf("")}))),
                   "nan at sample 0"));
    CHECK(contains(error(npyBytes("<u8", "(1,)", valueBytes<std::uint64_t>({~0ull}))),
                   "18446744073709551615"));
}

TEST_CASE("NaN and infinite features are refused naming the sample and the value", "[datasets]")
{
    const float inf = std::numeric_limits<float>::infinity();
    auto error = [](const std::string &bytes) {
        auto converted = npyToFloat32(parsed(bytes), "x.npy");
        REQUIRE_FALSE(converted.ok());
        CHECK(converted.error().context == "x.npy");
        return converted.error().message;
    };
    CHECK(contains(
        error(npyBytes("<f4", "(2, 3)", valueBytes<float>({0, 1, 2, 3, std::nanf(""), 5}))),
        "nan at sample 1, value 1 (flat index 4)"));
    CHECK(
        contains(error(npyBytes("<f4", "(2,)", valueBytes<float>({0, -inf}))), "-inf at sample 1"));
    CHECK(contains(error(npyBytes("<f2", "(1, 1)", valueBytes<std::uint16_t>({0x7c00}))),
                   "inf at sample 0, value 0"));
    CHECK(contains(error(npyBytes("<f8", "(1,)", valueBytes<double>({1e300}))),
                   "beyond the range of float32"));
}

TEST_CASE("Reading a file reports progress in bytes and stops when asked", "[datasets]")
{
    TempDir dir("npy-progress");
    writeBytes(dir / "x.npy", npyBytes("<f4", "(4,)", valueBytes<float>({1, 2, 3, 4})));
    std::uint64_t lastDone = 0;
    std::uint64_t lastTotal = 0;
    auto array = readNpyFile(dir / "x.npy", {},
                             [&](std::uint64_t done, std::uint64_t total, std::string_view) {
                                 lastDone = done;
                                 lastTotal = total;
                             });
    REQUIRE(array.ok());
    CHECK(lastDone == 144);
    CHECK(lastTotal == 144);
    std::stop_source stop;
    stop.request_stop();
    auto cancelled = readNpyFile(dir / "x.npy", stop.get_token());
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == ErrorCode::Cancelled);
    auto header = readNpyHeader(dir / "x.npy");
    REQUIRE(header.ok());
    CHECK(header.value().shape == std::vector<std::uint64_t>{4});
}

TEST_CASE("NumPy-written .npy files read back the values NumPy wrote", "[datasets]")
{
    if (!std::filesystem::exists(goldenNumpyDir() + "f4_little.npy")) {
        WARN("skipped: the golden files are missing: run make_golden.py");
        return;
    }
    const std::vector<float> halves = {-1, -0.5f, 0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f};
    CHECK(floats(golden("f4_little.npy")) == halves);
    CHECK(floats(golden("f8_big.npy")) == halves);
    CHECK(golden("f8_big.npy").header.shape == std::vector<std::uint64_t>{3, 4});
    CHECK(floats(golden("i2_big.npy")) == std::vector<float>{1, -2, 300, -32768, 32767, 0});
    CHECK(floats(golden("u4_little.npy")) == std::vector<float>{0, 1, 4e9f});
    const auto fortran = floats(golden("i4_fortran.npy"));
    REQUIRE(fortran.size() == 24);
    for (std::size_t i = 0; i < fortran.size(); ++i) {
        CHECK(fortran[i] == static_cast<float>(i));
    }
    CHECK(floats(golden("bool.npy")) == std::vector<float>{1, 0, 1, 1, 0});
    const auto f2 = floats(golden("f2.npy"));
    CHECK(f2
          == std::vector<float>{0, 1, -2.5f, 65504, static_cast<float>(0.0999755859375), 0x1p-24f});
    const NpyArray nhwc = golden("u8_nhwc.npy");
    CHECK(nhwc.header.shape == std::vector<std::uint64_t>{5, 4, 3, 3});
    CHECK(nhwc.data[179] == 179 % 251);
    CHECK(npyToLabels(golden("i8_labels.npy"), "y").value()
          == std::vector<std::int64_t>{2, 0, 1, 1, 2});
    CHECK(floats(golden("scalar.npy")) == std::vector<float>{3.5f});
    for (const char *name : {"version2.npy", "version3.npy"}) {
        CHECK(floats(golden(name)) == std::vector<float>{0, 1, 2, 3, 4, 5});
    }
}
