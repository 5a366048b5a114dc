#include "datasets/image_folder.h"
#include "idx_test_files.h"

#include <catch2/catch.hpp>

#if TL_HAVE_STB
#include <stb_image_write.h>
#endif

using namespace tl::datasets;
using namespace tl::datasets::testing;
using tl::base::ErrorCode;

namespace {

tl::proto::DatasetSpec folderSpec(const std::vector<fs::path> &sources)
{
    tl::proto::DatasetSpec spec;
    spec.set_name("images");
    spec.set_format(tl::proto::DATASET_FORMAT_IMAGE_FOLDER);
    for (const fs::path &source : sources) {
        spec.add_sources(source.string());
    }
    return spec;
}

} // namespace

TEST_CASE("An image folder is recognised from its class subfolders without decoding",
          "[datasets][images]")
{
    TempDir dir("images-recognise");
    const fs::path root = dir / "animals";
    fs::create_directories(root / "cat");
    fs::create_directories(root / "dog" / "puppies");
    fs::create_directories(root / ".cache");
    writeBytes(root / "cat" / "1.PNG", "not decoded while recognising");
    writeBytes(root / "dog" / "puppies" / "2.jpeg", "x");
    auto spec = recognizeImageFolder({root.string() + "/"});
    INFO((spec ? std::string() : spec.error().describe()));
    REQUIRE(spec.ok());
    CHECK(spec.value().name() == "animals");
    CHECK(spec.value().format() == tl::proto::DATASET_FORMAT_IMAGE_FOLDER);
    REQUIRE(spec.value().sources_size() == 1);
    CHECK(spec.value().sources(0) == root.string());
}

TEST_CASE("An image folder with train and test subfolders keeps its own split",
          "[datasets][images]")
{
    TempDir dir("images-split");
    const fs::path root = dir / "flowers";
    for (const char *split : {"train", "val"}) {
        fs::create_directories(root / split / "rose");
        writeBytes(root / split / "rose" / "a.bmp", "x");
    }
    auto spec = recognizeImageFolder({root});
    REQUIRE(spec.ok());
    REQUIRE(spec.value().sources_size() == 2);
    CHECK(spec.value().sources(0) == (root / "train").string());
    CHECK(spec.value().sources(1) == (root / "val").string());
}

TEST_CASE("Folders without class subfolders of images are not an image folder",
          "[datasets][images]")
{
    TempDir dir("images-not");
    fs::create_directories(dir / "empty-class");
    writeBytes(dir / "notes.txt", "hello");
    writeBytes(dir / "empty-class" / "data.csv", "1,2");
    CHECK(isNotThisFormat(recognizeImageFolder({dir.path()})));
    CHECK(isNotThisFormat(recognizeImageFolder({dir / "notes.txt"})));
    CHECK(isNotThisFormat(recognizeImageFolder({dir.path(), dir / "empty-class"})));
    CHECK(isNotThisFormat(recognizeImageFolder({})));

    writeBytes(dir / "loose.png", "x");
    auto loose = recognizeImageFolder({dir.path()});
    REQUIRE_FALSE(loose.ok());
    CHECK(loose.error().code == ErrorCode::InvalidInput);
    CHECK(contains(loose.error().message, "no class subfolders"));
}

#if TL_HAVE_STB

namespace {

// An RGB image whose pixel (x, y) is (seed + 10x, 3y, seed + x + y).
std::vector<std::uint8_t> rgbPattern(int width, int height, int seed)
{
    std::vector<std::uint8_t> pixels;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            pixels.push_back(static_cast<std::uint8_t>(seed + 10 * x));
            pixels.push_back(static_cast<std::uint8_t>(3 * y));
            pixels.push_back(static_cast<std::uint8_t>(seed + x + y));
        }
    }
    return pixels;
}

std::vector<std::uint8_t> uniform(int width, int height, std::vector<std::uint8_t> colour)
{
    std::vector<std::uint8_t> pixels;
    for (int i = 0; i < width * height; ++i) {
        pixels.insert(pixels.end(), colour.begin(), colour.end());
    }
    return pixels;
}

// Writes an image by the file's extension: .png, .bmp or .jpg (quality 100).
void writeImage(const fs::path &path,
                int width,
                int height,
                const std::vector<std::uint8_t> &pixels,
                int channels = 3)
{
    fs::create_directories(path.parent_path());
    const std::string ext = path.extension().string();
    const std::string name = path.string();
    int ok = 0;
    if (ext == ".png") {
        ok = stbi_write_png(name.c_str(), width, height, channels, pixels.data(), width * channels);
    } else if (ext == ".bmp") {
        ok = stbi_write_bmp(name.c_str(), width, height, channels, pixels.data());
    } else {
        ok = stbi_write_jpg(name.c_str(), width, height, channels, pixels.data(), 100);
    }
    REQUIRE(ok != 0);
}

// The value of channel c at (x, y) of sample i of a [C, H, W] set.
int at(const SampleSet &set, std::int64_t i, int c, int y, int x)
{
    const std::int64_t h = set.shape[1];
    const std::int64_t w = set.shape[2];
    return set.u8[static_cast<std::size_t>(i * set.sampleSize() + (c * h + y) * w + x)];
}

SourceData readOk(const tl::proto::DatasetSpec &spec, unsigned threads = 0)
{
    auto data = readImageFolderOnThreads(spec, {}, threads);
    INFO((data ? std::string() : data.error().describe()));
    REQUIRE(data.ok());
    return std::move(data).value();
}

// animals/{cat,dog}: cat/x.png, dog/1.bmp, dog/2.png, 4 x 3 RGB patterns.
fs::path writeAnimals(const TempDir &dir)
{
    const fs::path root = dir / "animals";
    writeImage(root / "dog" / "2.png", 4, 3, rgbPattern(4, 3, 40));
    writeImage(root / "dog" / "1.bmp", 4, 3, rgbPattern(4, 3, 20));
    writeImage(root / "cat" / "x.png", 4, 3, rgbPattern(4, 3, 0));
    writeBytes(root / "cat" / "readme.txt", "not an image");
    writeBytes(root / "cat" / ".hidden.png", "hidden files are ignored");
    return root;
}

} // namespace

TEST_CASE("Image folder samples are ordered by class then file and keep exact PNG and BMP pixels",
          "[datasets][images]")
{
    TempDir dir("images-exact");
    const SourceData data = readOk(folderSpec({writeAnimals(dir)}));
    CHECK(data.format == "image-folder");
    CHECK(data.classNames == std::vector<std::string>{"cat", "dog"});
    CHECK_FALSE(data.test.has_value());
    CHECK(data.warnings.empty());
    REQUIRE(data.train.count() == 3);
    CHECK(data.train.labels == std::vector<std::int64_t>{0, 1, 1});
    CHECK(data.train.shape == std::vector<std::int64_t>{3, 3, 4});
    const int seeds[] = {0, 20, 40}; // cat/x.png, dog/1.bmp, dog/2.png
    for (int i = 0; i < 3; ++i) {
        for (int y = 0; y < 3; ++y) {
            for (int x = 0; x < 4; ++x) {
                CHECK(at(data.train, i, 0, y, x) == seeds[i] + 10 * x);
                CHECK(at(data.train, i, 1, y, x) == 3 * y);
                CHECK(at(data.train, i, 2, y, x) == seeds[i] + x + y);
            }
        }
    }
}

TEST_CASE("Image folder images are resized to the spec's size", "[datasets][images]")
{
    TempDir dir("images-resize");
    const fs::path root = dir / "shapes";
    writeImage(root / "red" / "a.png", 8, 6, uniform(8, 6, {200, 30, 10}));
    writeImage(root / "blue" / "b.png", 3, 3, uniform(3, 3, {0, 0, 250}));
    auto spec = folderSpec({root});
    spec.mutable_image()->set_width(5);
    spec.mutable_image()->set_height(4);
    const SourceData data = readOk(spec);
    CHECK(data.train.shape == std::vector<std::int64_t>{3, 4, 5});
    REQUIRE(data.train.count() == 2);
    CHECK(data.classNames == std::vector<std::string>{"blue", "red"});
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 5; ++x) {
            CHECK(std::abs(at(data.train, 0, 2, y, x) - 250) <= 1);
            CHECK(std::abs(at(data.train, 1, 0, y, x) - 200) <= 1);
            CHECK(std::abs(at(data.train, 1, 1, y, x) - 30) <= 1);
        }
    }
}

TEST_CASE("Large first images cap the automatic image size at 256 with a warning",
          "[datasets][images]")
{
    TempDir dir("images-cap");
    const fs::path root = dir / "big";
    writeImage(root / "a" / "wide.png", 300, 150, uniform(300, 150, {9, 9, 9}));
    const SourceData data = readOk(folderSpec({root}));
    CHECK(data.train.shape == std::vector<std::int64_t>{1, 128, 256});
    REQUIRE(data.warnings.size() == 1);
    CHECK(contains(data.warnings[0], "a/wide.png, is 300 x 150 pixels"));
    CHECK(contains(data.warnings[0], "resized to 256 x 128"));
}

TEST_CASE("Image folder colour follows the spec, or the first images when automatic",
          "[datasets][images]")
{
    TempDir dir("images-colour");
    const fs::path root = dir / "tones";
    writeImage(root / "a" / "gray.png", 2, 2, uniform(2, 2, {90, 90, 90}));
    writeImage(root / "b" / "one.png", 2, 2, uniform(2, 2, {50}), 1);
    SECTION("gray images load as one channel")
    {
        const SourceData data = readOk(folderSpec({root}));
        CHECK(data.train.shape[0] == 1);
        CHECK(at(data.train, 0, 0, 1, 1) == 90);
        CHECK(at(data.train, 1, 0, 0, 0) == 50);
    }
    SECTION("one coloured image makes all of them RGB")
    {
        writeImage(root / "c" / "colour.png", 2, 2, uniform(2, 2, {255, 0, 0}));
        const SourceData data = readOk(folderSpec({root}));
        CHECK(data.train.shape[0] == 3);
        CHECK(at(data.train, 1, 2, 0, 0) == 50); // gray replicated into R, G and B
        CHECK(at(data.train, 2, 0, 0, 0) == 255);
    }
    SECTION("the gray mode converts colour to luminance")
    {
        writeImage(root / "c" / "colour.png", 2, 2, uniform(2, 2, {200, 100, 50}));
        auto spec = folderSpec({root});
        spec.mutable_image()->set_color(tl::proto::COLOR_MODE_GRAY);
        const SourceData data = readOk(spec);
        CHECK(data.train.shape[0] == 1);
        CHECK(std::abs(at(data.train, 2, 0, 0, 0) - 124) <= 1); // 0.3 R + 0.59 G + 0.11 B
    }
    SECTION("the RGB mode keeps three channels for gray images")
    {
        auto spec = folderSpec({root});
        spec.mutable_image()->set_color(tl::proto::COLOR_MODE_RGB);
        const SourceData data = readOk(spec);
        CHECK(data.train.shape[0] == 3);
        CHECK(at(data.train, 0, 1, 0, 0) == 90);
    }
}

TEST_CASE("JPEG images in an image folder decode close to their pixels", "[datasets][images]")
{
    TempDir dir("images-jpeg");
    const fs::path root = dir / "photos";
    writeImage(root / "sky" / "a.jpg", 16, 16, uniform(16, 16, {40, 120, 220}));
    const SourceData data = readOk(folderSpec({root}));
    REQUIRE(data.train.count() == 1);
    CHECK(data.train.shape == std::vector<std::int64_t>{3, 16, 16});
    CHECK(std::abs(at(data.train, 0, 0, 8, 8) - 40) <= 4);
    CHECK(std::abs(at(data.train, 0, 1, 8, 8) - 120) <= 4);
    CHECK(std::abs(at(data.train, 0, 2, 8, 8) - 220) <= 4);
}

TEST_CASE("An image folder's train and test subfolders become the train and test splits",
          "[datasets][images]")
{
    TempDir dir("images-read-split");
    const fs::path root = dir / "digits";
    writeImage(root / "train" / "one" / "a.png", 2, 2, uniform(2, 2, {1}), 1);
    writeImage(root / "train" / "two" / "b.png", 2, 2, uniform(2, 2, {2}), 1);
    writeImage(root / "test" / "two" / "c.png", 2, 2, uniform(2, 2, {3}), 1);
    writeImage(root / "test" / "zero" / "d.png", 2, 2, uniform(2, 2, {4}), 1);
    auto spec = recognizeImageFolder({root});
    REQUIRE(spec.ok());
    const SourceData data = readOk(spec.value());
    CHECK(data.classNames == std::vector<std::string>{"one", "two", "zero"});
    CHECK(data.train.labels == std::vector<std::int64_t>{0, 1});
    REQUIRE(data.test.has_value());
    CHECK(data.test->labels == std::vector<std::int64_t>{1, 2});
    CHECK(data.test->u8 == std::vector<std::uint8_t>{3, 3, 3, 3, 4, 4, 4, 4});
    REQUIRE(data.warnings.size() == 2);
    CHECK(data.warnings[0] == "train: the class \"zero\" has no images.");
    CHECK(data.warnings[1] == "test: the class \"one\" has no images.");
}

TEST_CASE("An empty class folder is a warning naming it", "[datasets][images]")
{
    TempDir dir("images-empty-class");
    const fs::path root = writeAnimals(dir);
    fs::create_directories(root / "bird");
    const SourceData data = readOk(folderSpec({root}));
    CHECK(data.classNames == std::vector<std::string>{"bird", "cat", "dog"});
    CHECK(data.train.labels == std::vector<std::int64_t>{1, 2, 2});
    REQUIRE(data.warnings.size() == 1);
    CHECK(data.warnings[0] == "animals: the class \"bird\" has no images.");
}

TEST_CASE("A corrupt image stops the load naming the image and stb's reason", "[datasets][images]")
{
    TempDir dir("images-corrupt-stop");
    const fs::path root = writeAnimals(dir);
    const std::string png = readBytes(root / "dog" / "2.png");
    writeBytes(root / "cat" / "y.png", png.substr(0, png.size() / 2));
    writeBytes(root / "dog" / "3.png", "not an image at all");
    for (const unsigned threads : {1u, 4u}) {
        auto data = readImageFolderOnThreads(folderSpec({root}), {}, threads);
        REQUIRE_FALSE(data.ok());
        CHECK(data.error().code == ErrorCode::InvalidInput);
        CHECK(data.error().context == "animals/cat/y.png");
        CHECK(contains(data.error().message, "stb_image: "));
    }
}

TEST_CASE("Under the skip policy bad images are left out with one warning", "[datasets][images]")
{
    TempDir dir("images-corrupt-skip");
    const fs::path root = writeAnimals(dir);
    writeBytes(root / "cat" / "y.png", "\x89PNG\r\n\x1a\n garbage after the signature");
    writeBytes(root / "dog" / "0.jpg", "");
    auto spec = folderSpec({root});
    spec.set_bad_samples(tl::proto::BAD_SAMPLE_SKIP);
    const SourceData one = readOk(spec, 1);
    const SourceData many = readOk(spec, 3);
    CHECK(one.train.labels == std::vector<std::int64_t>{0, 1, 1});
    CHECK(one.train.u8 == many.train.u8);
    TempDir cleanDir("images-clean");
    CHECK(one.train.u8 == readOk(folderSpec({writeAnimals(cleanDir)})).train.u8);
    REQUIRE(one.warnings.size() == 1);
    CHECK(contains(one.warnings[0], "Skipped 2 images that could not be read"));
    CHECK(contains(one.warnings[0], "animals/cat/y.png"));
    CHECK(one.warnings == many.warnings);
}

TEST_CASE("An image folder where no image decodes is an error even when skipping",
          "[datasets][images]")
{
    TempDir dir("images-all-bad");
    const fs::path root = dir / "broken";
    fs::create_directories(root / "a");
    fs::create_directories(root / "b");
    writeBytes(root / "a" / "1.png", "\x89PNG\r\n\x1a\n cut");
    writeBytes(root / "b" / "2.png", "");
    auto spec = folderSpec({root});
    spec.set_bad_samples(tl::proto::BAD_SAMPLE_SKIP);
    spec.mutable_image()->set_width(8);
    spec.mutable_image()->set_height(8);
    spec.mutable_image()->set_color(tl::proto::COLOR_MODE_RGB);
    auto data = readImageFolder(spec, {});
    REQUIRE_FALSE(data.ok());
    CHECK(contains(data.error().message, "None of the images could be decoded"));
    CHECK(contains(data.error().message, "Skipped 2 images"));

    spec.clear_image(); // the size must come from an image that decodes
    auto unknown = readImageFolder(spec, {});
    REQUIRE_FALSE(unknown.ok());
    CHECK(contains(unknown.error().message, "size and colour are unknown"));
    CHECK(unknown.error().context == "broken/a/1.png");
}

TEST_CASE("A zero-byte image is a bad sample that says it is empty", "[datasets][images]")
{
    TempDir dir("images-zero");
    const fs::path root = writeAnimals(dir);
    writeBytes(root / "dog" / "0.png", "");
    auto data = readImageFolder(folderSpec({root}), {});
    REQUIRE_FALSE(data.ok());
    CHECK(data.error().context == "animals/dog/0.png");
    CHECK(contains(data.error().message, "empty (0 bytes)"));
}

TEST_CASE("Reading an image folder counts images as progress and stops when cancelled",
          "[datasets][images]")
{
    TempDir dir("images-progress");
    const fs::path root = writeAnimals(dir);
    std::uint64_t lastDone = 0;
    std::uint64_t lastTotal = 0;
    ReadContext context;
    context.progress = [&](std::uint64_t done, std::uint64_t total, std::string_view) {
        lastDone = done;
        lastTotal = total;
    };
    REQUIRE(readImageFolder(folderSpec({root}), context).ok());
    CHECK(lastTotal == 3);
    CHECK(lastDone == 3);

    std::stop_source stop;
    stop.request_stop();
    auto cancelled = readImageFolder(folderSpec({root}), {stop.get_token(), {}});
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == ErrorCode::Cancelled);
}

TEST_CASE("An image folder spec with a missing folder or another format is an error",
          "[datasets][images]")
{
    TempDir dir("images-bad-spec");
    auto missing = readImageFolder(folderSpec({dir / "gone"}), {});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
    auto spec = folderSpec({dir.path()});
    spec.set_format(tl::proto::DATASET_FORMAT_CIFAR);
    CHECK_FALSE(readImageFolder(spec, {}).ok());
    auto none = readImageFolder(folderSpec({dir.path()}), {});
    REQUIRE_FALSE(none.ok());
    CHECK(contains(none.error().message, "no PNG, JPEG or BMP images"));
}

#else

TEST_CASE("Without stb reading an image folder says it was built without libstb-dev",
          "[datasets][images]")
{
    auto data = readImageFolder(folderSpec({"/nonexistent"}), {});
    REQUIRE_FALSE(data.ok());
    CHECK(contains(data.error().message, "built without stb (libstb-dev)"));
}

#endif
