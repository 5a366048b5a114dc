// Fuzz target: decoding any bytes as an image must never crash or allocate for more pixels than
// the limit; what decodes has consistent dimensions, and fits into a sample slot at its own size
// (pixel for pixel) and resized.
#include "datasets/image_decoder.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

using namespace tl::datasets;

namespace {

// Small enough that a header claiming a huge image is refused before stb allocates.
constexpr std::uint64_t kFuzzMaxPixels = std::uint64_t{1} << 20;

void require(bool condition)
{
    if (!condition) {
        std::abort();
    }
}

void checkImage(const DecodedImage &image, int requested)
{
    require(image.width > 0 && image.height > 0);
    require(std::uint64_t(image.width) * std::uint64_t(image.height) <= kFuzzMaxPixels);
    require(image.channels >= 1 && image.channels <= 4);
    require(requested == 0 || image.channels == requested);
    const std::size_t pixels = std::size_t(image.width) * std::size_t(image.height);
    require(image.pixels.size() == pixels * std::size_t(image.channels));
    const bool colour = hasColour(image);
    require(!colour || image.channels >= 3);
    if (image.channels != 1 && image.channels != 3) {
        return;
    }
    std::vector<std::uint8_t> same(image.pixels.size());
    require(writeChw(image, image.width, image.height, same).ok());
    // The last pixel's last channel: the last value of both layouts.
    require(same.back() == image.pixels.back());
    require(same.front() == image.pixels.front());
    std::vector<std::uint8_t> resized(std::size_t(image.channels) * 5 * 7);
    require(writeChw(image, 7, 5, resized).ok());
    std::vector<std::uint8_t> wrongSize(resized.size() + 1);
    require(!writeChw(image, 7, 5, wrongSize).ok());
}

} // namespace

// The name and signature are libFuzzer's.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> bytes(data, size);
    for (const int channels : {0, 1, 3}) {
        auto image = decodeImage(bytes, channels, "fuzz", kFuzzMaxPixels);
        if (!image) {
            require(!image.error().message.empty() && image.error().context == "fuzz");
            continue;
        }
        checkImage(image.value(), channels);
    }
    return 0;
}
