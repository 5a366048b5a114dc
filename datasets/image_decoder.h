#pragma once
// Decoding one PNG, JPEG or BMP image from bytes and fitting it into a sample slot (resized,
// gray or RGB, CHW), over stb_image and stb_image_resize (libstb-dev) when the build has them.
// Pure functions, safe to call from many threads at once: no stb global setting is touched and
// stb's failure reason is read on the thread that failed, right after the call.

#include "base/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tl::datasets {

// Images with more pixels than this are refused before stb allocates for them (a 64-megapixel
// photo still passes; a 20-byte PNG header claiming 100,000 x 100,000 does not).
inline constexpr std::uint64_t kMaxImagePixels = std::uint64_t{1} << 26;

// False in a build without libstb-dev: decodeImage() then always fails, saying so.
bool canDecodeImages();

// One decoded image, interleaved: pixel (y, x) channel c at (y * width + x) * channels + c.
struct DecodedImage
{
    int width = 0;
    int height = 0;
    int channels = 0; // 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA
    std::vector<std::uint8_t> pixels;
};

// Decodes a PNG, JPEG or BMP (recognised by its first bytes, not a name) converted to `channels`
// (1 or 3; 0 keeps the file's own). `context` names the image in errors. Fails with
// InvalidInput on empty bytes, another format, damage (with stb's reason), or more than
// maxPixels pixels.
base::Result<DecodedImage> decodeImage(std::span<const std::uint8_t> bytes,
                                       int channels,
                                       const std::string &context,
                                       std::uint64_t maxPixels = kMaxImagePixels);

// True when some pixel's red, green and blue differ (only images of 3 or 4 channels can).
bool hasColour(const DecodedImage &image);

// Writes the image into `out` as channels x height x width (CHW), resized to width x height when
// its size differs. The image must have 1 or 3 channels and out exactly that many values.
base::Status
writeChw(const DecodedImage &image, int width, int height, std::span<std::uint8_t> out);

} // namespace tl::datasets
