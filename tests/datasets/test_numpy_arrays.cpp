// How the NumPy reader chooses its arrays: by the spec, by name, by shape, or not at all.
#include "datasets/numpy_reader.h"
#include "idx_test_files.h"
#include "npy_test_files.h"

#include <catch2/catch.hpp>

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;
namespace proto = tl::proto;

TEST_CASE("Ambiguous arrays give an error listing them with their shapes", "[datasets]")
{
    TempDir dir("numpy-ambiguous");
    const std::string a = npyBytes("<f8", "(3, 2)", valueBytes<double>({1, 2, 3, 4, 5, 6}));
    writeBytes(
        dir / "d.npz",
        zipBytes({{"a.npy", a}, {"b.npy", labelsNpy({0, 1, 0})}, {"c.npy", labelsNpy({1, 1, 0})}}));
    const auto error = notRecognized({dir / "d.npz"}, ErrorCode::InvalidInput);
    CHECK(contains(error.message, "found no array for the samples"));
    CHECK(contains(error.message, "a (3×2 float64), b (3 int64), c (3 int64)"));
    CHECK(contains(error.message, "Name the samples x, data"));
    CHECK(error.context == "d.npz");
    writeBytes(dir / "two.npz",
               zipBytes({{"x.npy", a}, {"data.npy", a}, {"y.npy", labelsNpy({0, 1, 0})}}));
    CHECK(contains(notRecognized({dir / "two.npz"}, ErrorCode::InvalidInput).message,
                   "data and x could both be the samples"));
    writeBytes(dir / "x.npy", a);
    CHECK(contains(notRecognized({dir / "x.npy"}, ErrorCode::InvalidInput).message,
                   "found no array for the labels"));
}

TEST_CASE("Arrays named in the spec override the choice by name", "[datasets]")
{
    TempDir dir("numpy-chosen");
    const std::string a = npyBytes("<f8", "(3, 2)", valueBytes<double>({1, 2, 3, 4, 5, 6}));
    writeBytes(
        dir / "d.npz",
        zipBytes({{"a.npy", a}, {"b.npy", labelsNpy({0, 1, 0})}, {"c.npy", labelsNpy({1, 1, 0})}}));
    CHECK(readData(specFor(dir / "d.npz", "a", "c")).train.labels
          == std::vector<std::int64_t>{1, 1, 0});
    CHECK(readData(specFor(dir / "d.npz", "A.npy", "b.npy")).train.labels
          == std::vector<std::int64_t>{0, 1, 0});
    const auto missing = readError(specFor(dir / "d.npz", "a", "z"));
    CHECK(contains(missing.message,
                   "name the array 'z', which the source does not hold; it holds a (3×2 float64)"));
    CHECK(contains(readError(specFor(dir / "d.npz", "a", "a")).message, "a was chosen for both"));
    proto::DatasetSpec halfTest = specFor(dir / "d.npz", "a", "b");
    halfTest.mutable_numpy()->set_test_labels("c");
    CHECK(contains(readError(halfTest).message,
                   "The test split is incomplete: c (3 int64) has no test samples"));
    CHECK(contains(readError(proto::DatasetSpec()).message, "names no files"));
}

TEST_CASE("Two arrays without telling names are told apart by their shapes", "[datasets]")
{
    TempDir dir("numpy-unnamed");
    writeBytes(
        dir / "d.npz",
        zipBytes({{"arr_0.npy", npyBytes("<f4", "(4, 2)", valueBytes(std::vector<float>(8, 1.0f)))},
                  {"arr_1.npy", npyBytes("|u1", "(4,)", std::string("\0\1\1\3", 4))}}));
    const proto::DatasetSpec spec = recognized({dir / "d.npz"});
    CHECK(spec.numpy().features() == "arr_0");
    CHECK(spec.numpy().labels() == "arr_1");
    CHECK(readData(spec).classNames.size() == 4);
}

TEST_CASE("Mixed .npy and .npz files, or several archives, are refused", "[datasets]")
{
    TempDir dir("numpy-mixed");
    writeBytes(dir / "a.npz",
               zipBytes({{"x.npy", u8Npy("(2, 2)", 4)}, {"y.npy", labelsNpy({0, 1})}}));
    writeBytes(dir / "b.npz",
               zipBytes({{"x.npy", u8Npy("(2, 2)", 4)}, {"y.npy", labelsNpy({0, 1})}}));
    writeBytes(dir / "x.npy", u8Npy("(2, 2)", 4));
    CHECK(contains(notRecognized({dir / "a.npz", dir / "x.npy"}, ErrorCode::InvalidInput).message,
                   "both .npy files and an .npz"));
    CHECK(contains(notRecognized({dir / "a.npz", dir / "b.npz"}, ErrorCode::InvalidInput).message,
                   "2 .npz archives"));
}

TEST_CASE("A lone test array is left out with a warning", "[datasets]")
{
    TempDir dir("numpy-lone-test");
    writeBytes(dir / "d.npz", zipBytes({{"x_train.npy", u8Npy("(2, 2)", 4)},
                                        {"y_train.npy", labelsNpy({0, 1})},
                                        {"x_test.npy", u8Npy("(1, 2)", 2)}}));
    const SourceData data = readData(recognized({dir / "d.npz"}));
    CHECK_FALSE(data.test.has_value());
    REQUIRE(data.warnings.size() == 1);
    CHECK(contains(data.warnings[0], "x_test (1×2 uint8) has no test labels"));
    writeBytes(dir / "shapes.npz", zipBytes({{"x_train.npy", u8Npy("(2, 2)", 4)},
                                             {"y_train.npy", labelsNpy({0, 1})},
                                             {"x_test.npy", u8Npy("(1, 3)", 3)},
                                             {"y_test.npy", labelsNpy({0})}}));
    CHECK(contains(
        readError(recognized({dir / "shapes.npz"})).message,
        "The test samples of x_test are 3 float32, unlike the 2 float32 samples of x_train"));
}
