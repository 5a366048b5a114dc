#include "datasets/numpy_reader.h"
#include "idx_test_files.h"
#include "npy_test_files.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <stop_token>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;
namespace proto = tl::proto;

namespace {

// Pixel (i, r, c) of make_golden.py's images: (i * 31 + r * 7 + c * 3 + seed) % 256.
std::uint8_t goldenPixel(std::size_t i, std::size_t r, std::size_t c, std::size_t seed)
{
    return static_cast<std::uint8_t>((i * 31 + r * 7 + c * 3 + seed) % 256);
}

bool goldenMissing()
{
    if (fs::exists(goldenNumpyDir() + "mnist_like.npz")) {
        return false;
    }
    WARN("skipped: the golden files are missing: run make_golden.py");
    return true;
}

} // namespace

TEST_CASE("A Keras-style mnist.npz is recognised and read with its own test split", "[datasets]")
{
    if (goldenMissing()) {
        return;
    }
    for (const std::string name : {"mnist_like.npz", "mnist_like_compressed.npz"}) {
        INFO(name);
        const fs::path path = goldenNumpyDir() + name;
        const proto::DatasetSpec spec = recognized({path});
        CHECK(spec.name() == fs::path(name).stem().string());
        REQUIRE(spec.sources_size() == 1);
        CHECK(spec.sources(0) == fs::absolute(path).string());
        CHECK(spec.numpy().features() == "x_train");
        CHECK(spec.numpy().labels() == "y_train");
        CHECK(spec.numpy().test_features() == "x_test");
        CHECK(spec.numpy().test_labels() == "y_test");
        const SourceData data = readData(spec);
        CHECK(data.format == "npz");
        CHECK(data.train.shape == std::vector<std::int64_t>{1, 4, 5});
        CHECK(data.train.type == ValueType::UInt8);
        CHECK(data.train.labels == std::vector<std::int64_t>{0, 1, 2, 0, 1, 2});
        REQUIRE(data.train.u8.size() == 120); // 6 images of 4×5
        CHECK(data.train.u8[5 * 20 + 3 * 5 + 4] == goldenPixel(5, 3, 4, 0));
        CHECK(data.train.u8[1 * 20 + 2 * 5 + 0] == goldenPixel(1, 2, 0, 0));
        REQUIRE(data.test.has_value());
        CHECK(data.test->labels == std::vector<std::int64_t>{0, 1, 2});
        CHECK(data.test->u8[2 * 20 + 1 * 5 + 2] == goldenPixel(2, 1, 2, 100));
        CHECK(data.classNames == std::vector<std::string>{"0", "1", "2"});
        CHECK(data.warnings.empty());
    }
}

TEST_CASE("A folder of x.npy and y.npy reads as float32 features", "[datasets]")
{
    TempDir dir("numpy-folder");
    fs::create_directories(dir / "iris");
    writeBytes(
        dir / "iris" / "X.npy",
        npyBytes("<f8", "(4, 3)", valueBytes<double>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11.5})));
    writeBytes(dir / "iris" / "y.npy",
               npyBytes("<i4", "(4,)", valueBytes<std::int32_t>({0, 2, 1, 2})));
    writeBytes(dir / "iris" / "notes.txt", "not an array");
    const proto::DatasetSpec spec = recognized({dir / "iris"});
    CHECK(spec.name() == "iris");
    CHECK(spec.sources_size() == 2);
    CHECK(spec.numpy().features() == fs::absolute(dir / "iris" / "X.npy").string());
    CHECK(spec.numpy().labels() == fs::absolute(dir / "iris" / "y.npy").string());
    CHECK(spec.numpy().test_features().empty());
    const SourceData data = readData(spec);
    CHECK(data.format == "npy");
    CHECK(data.train.shape == std::vector<std::int64_t>{3});
    CHECK(data.train.type == ValueType::Float32);
    CHECK(data.train.f32[11] == 11.5f);
    CHECK(data.train.labels == std::vector<std::int64_t>{0, 2, 1, 2});
    CHECK_FALSE(data.test.has_value());
    CHECK(data.classNames == std::vector<std::string>{"0", "1", "2"});
    // The same folder given with a trailing slash, and its files given one by one.
    CHECK(recognized({(dir / "iris").string() + "/"}).name() == "iris");
    CHECK(recognized({dir / "iris" / "X.npy", dir / "iris" / "y.npy"}).name() == "iris");
}

TEST_CASE("Dropped .npy files with train and test names give both splits", "[datasets]")
{
    TempDir dir("numpy-files");
    writeBytes(dir / "train_images.npy", u8Npy("(3, 6, 7)", 126));
    writeBytes(dir / "train_labels.npy", labelsNpy({1, 0, 1}));
    writeBytes(dir / "test_images.npy", u8Npy("(2, 6, 7)", 84, 9));
    writeBytes(dir / "test_labels.npy", labelsNpy({4, 0}));
    const proto::DatasetSpec spec =
        recognized({dir / "test_images.npy", dir / "test_labels.npy", dir / "train_images.npy",
                    dir / "train_labels.npy"});
    CHECK(fs::path(spec.numpy().test_features()).filename() == "test_images.npy");
    const SourceData data = readData(spec);
    CHECK(data.train.count() == 3);
    REQUIRE(data.test.has_value());
    CHECK(data.test->count() == 2);
    CHECK(data.test->shape == std::vector<std::int64_t>{1, 6, 7});
    CHECK(data.test->u8[10] == static_cast<std::uint8_t>(10 * 5 + 9));
    CHECK(data.classNames.size() == 5);
}

TEST_CASE("uint8 channels-last images become channels first with a warning", "[datasets]")
{
    if (goldenMissing()) {
        return;
    }
    const SourceData data = readData(recognized({goldenNumpyDir() + "nhwc.npz"}));
    // x is 5×4×3×3 (N, H, W, C) with value (n * 36 + h * 9 + w * 3 + c) % 251.
    CHECK(data.train.shape == std::vector<std::int64_t>{3, 4, 3});
    CHECK(data.train.type == ValueType::UInt8);
    for (std::size_t n : {0u, 4u}) {
        for (std::size_t c = 0; c < 3; ++c) {
            for (std::size_t h = 0; h < 4; ++h) {
                for (std::size_t w = 0; w < 3; ++w) {
                    CHECK(data.train.u8[n * 36 + c * 12 + h * 3 + w]
                          == (n * 36 + h * 9 + w * 3 + c) % 251);
                }
            }
        }
    }
    CHECK(data.train.labels == std::vector<std::int64_t>{0, 1, 0, 1, 0});
    REQUIRE(data.warnings.size() == 1);
    CHECK(contains(data.warnings[0],
                   "nhwc.npz: x.npy: the images are stored as 5×4×3×3 uint8 (N×H×W×C, channels "
                   "last); converted to channels first (3×4×3)"));
}

TEST_CASE("Channels-first images stay as stored and float images keep their shape", "[datasets]")
{
    TempDir dir("numpy-layouts");
    writeBytes(dir / "nchw.npz",
               zipBytes({{"x.npy", u8Npy("(2, 3, 5, 6)", 180)}, {"y.npy", labelsNpy({0, 1})}}));
    const SourceData nchw = readData(recognized({dir / "nchw.npz"}));
    CHECK(nchw.train.shape == std::vector<std::int64_t>{3, 5, 6});
    CHECK(nchw.train.u8[179] == static_cast<std::uint8_t>(179 * 5));
    CHECK(nchw.warnings.empty());
    // float32 N×H×W×C 2×6×5×3: the value at (n, h, w, c) is n * 1000 + h * 100 + w * 10 + c.
    std::vector<float> values;
    for (int n = 0; n < 2; ++n) {
        for (int h = 0; h < 6; ++h) {
            for (int w = 0; w < 5; ++w) {
                for (int c = 0; c < 3; ++c) {
                    values.push_back(static_cast<float>(n * 1000 + h * 100 + w * 10 + c));
                }
            }
        }
    }
    writeBytes(dir / "float.npz",
               zipBytes({{"images.npy", npyBytes("<f4", "(2, 6, 5, 3)", valueBytes(values)), true},
                         {"labels.npy", labelsNpy({1, 1})}}));
    const SourceData floats = readData(recognized({dir / "float.npz"}));
    CHECK(floats.train.shape == std::vector<std::int64_t>{3, 6, 5});
    CHECK(floats.train.type == ValueType::Float32);
    CHECK(floats.train.f32[90 + 2 * 30 + 4 * 5 + 1] == 1000 + 400 + 10 + 2);
    CHECK(floats.warnings.size() == 1);
    // Other ranks flatten: float 2×4×5 gives 20 features, a rank-1 array one feature.
    writeBytes(
        dir / "seq.npz",
        zipBytes({{"x.npy", npyBytes("<f4", "(2, 4, 5)", valueBytes(std::vector<float>(40, 0.5f)))},
                  {"y.npy", labelsNpy({0, 0})}}));
    CHECK(readData(recognized({dir / "seq.npz"})).train.shape == std::vector<std::int64_t>{20});
    writeBytes(dir / "one.npz",
               zipBytes({{"x.npy", npyBytes("<i2", "(2,)", valueBytes<std::int16_t>({-3, 4}))},
                         {"y.npy", labelsNpy({0, 0})}}));
    const SourceData one = readData(recognized({dir / "one.npz"}));
    CHECK(one.train.shape == std::vector<std::int64_t>{1});
    CHECK(one.train.f32 == std::vector<float>{-3, 4});
}

TEST_CASE("A count mismatch names both arrays and both counts", "[datasets]")
{
    TempDir dir("numpy-counts");
    writeBytes(dir / "x.npy", u8Npy("(5, 2)", 10));
    writeBytes(dir / "y.npy", labelsNpy({0, 1, 2, 3}));
    const auto error = notRecognized({dir / "x.npy", dir / "y.npy"}, ErrorCode::InvalidInput);
    CHECK(contains(error.message, "x has 5 samples but y has 4 labels"));
    proto::DatasetSpec spec = specFor(dir / "x.npy", (dir / "x.npy").string(), "y.npy");
    spec.add_sources((dir / "y.npy").string());
    CHECK(contains(readError(spec).message, "x has 5 samples but y has 4 labels"));
}

TEST_CASE("NaN features and unusable labels are errors naming the array", "[datasets]")
{
    TempDir dir("numpy-bad-values");
    writeBytes(
        dir / "nan.npz",
        zipBytes({{"x.npy", npyBytes("<f4", "(2, 2)", valueBytes<float>({0, 1, std::nanf(""), 3}))},
                  {"y.npy", labelsNpy({0, 1})}}));
    const auto nan = readError(recognized({dir / "nan.npz"}));
    CHECK(contains(nan.message, "holds nan at sample 1, value 0"));
    CHECK(nan.context == "nan.npz: x.npy");
    writeBytes(dir / "onehot.npz",
               zipBytes({{"x.npy", u8Npy("(2, 2)", 4)},
                         {"y.npy", npyBytes("<f4", "(2, 2)", valueBytes<float>({1, 0, 0, 1}))}}));
    const auto onehot = notRecognized({dir / "onehot.npz"}, ErrorCode::InvalidInput);
    CHECK(contains(onehot.message, "must hold one class index per sample"));
    writeBytes(dir / "negative.npz",
               zipBytes({{"x.npy", u8Npy("(2, 2)", 4)}, {"y.npy", labelsNpy({0, -3})}}));
    const auto negative = readError(recognized({dir / "negative.npz"}));
    CHECK(contains(negative.message, "hold -3 at sample 1"));
    CHECK(negative.context == "negative.npz: y.npy");
    writeBytes(dir / "ids.npz",
               zipBytes({{"x.npy", u8Npy("(2, 2)", 4)}, {"y.npy", labelsNpy({0, 5000000})}}));
    CHECK(contains(readError(recognized({dir / "ids.npz"})).message, "labels go up to 5,000,000"));
    writeBytes(dir / "empty.npz",
               zipBytes({{"x.npy", u8Npy("(0, 2)", 0)}, {"y.npy", labelsNpy({})}}));
    CHECK(contains(notRecognized({dir / "empty.npz"}, ErrorCode::InvalidInput).message,
                   "holds no samples"));
}

TEST_CASE("Files that are not NumPy arrays are left to other formats", "[datasets]")
{
    TempDir dir("numpy-not");
    writeBytes(dir / "data.csv", "a,b\n1,2\n");
    notRecognized({dir / "data.csv"}, ErrorCode::NotFound);
    writeBytes(dir / "images.zip", zipBytes({{"cat.png", "\x89PNG"}}));
    notRecognized({dir / "images.zip"}, ErrorCode::NotFound);
    writeUInt8(dir / "train-labels-idx1-ubyte", {3}, {1, 2, 3});
    notRecognized({dir / "train-labels-idx1-ubyte"}, ErrorCode::NotFound);
    fs::create_directories(dir / "empty");
    notRecognized({dir / "empty"}, ErrorCode::NotFound);
    notRecognized({}, ErrorCode::NotFound);
    writeBytes(dir / "fake.npy", "just text");
    CHECK(contains(notRecognized({dir / "fake.npy"}, ErrorCode::InvalidInput).message,
                   "named like a NumPy file but holds text"));
}

TEST_CASE("Reading reports progress in bytes, stops when asked and checks CRCs", "[datasets]")
{
    TempDir dir("numpy-progress");
    const std::string x = u8Npy("(100, 10, 10)", 10000);
    const std::string y = labelsNpy(std::vector<std::int64_t>(100, 1));
    writeBytes(dir / "d.npz", zipBytes({{"x.npy", x, true}, {"y.npy", y}}));
    const proto::DatasetSpec spec = recognized({dir / "d.npz"});
    std::uint64_t lastDone = 0;
    std::uint64_t lastTotal = 0;
    ReadContext context;
    context.progress = [&](std::uint64_t done, std::uint64_t total, std::string_view) {
        CHECK(done >= lastDone);
        lastDone = done;
        lastTotal = total;
    };
    readData(spec, context);
    CHECK(lastTotal == x.size() + y.size());
    CHECK(lastDone == lastTotal);
    std::stop_source stop;
    stop.request_stop();
    auto cancelled = readNumpy(spec, {stop.get_token(), {}});
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == ErrorCode::Cancelled);
    std::string corrupt = zipBytes({{"x.npy", x}, {"y.npy", y}});
    corrupt[30 + 5 + x.size() - 1] ^= 1; // the last pixel of x: its header still parses
    writeBytes(dir / "corrupt.npz", corrupt);
    CHECK(contains(readError(recognized({dir / "corrupt.npz"})).message,
                   "The member x.npy fails its CRC-32 check"));
}
