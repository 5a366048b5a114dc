#include "datasets/image_decoder.h"

#include "base/number_text.h"
#include "datasets/file_kind.h"

#include <algorithm>
#include <climits>
#include <memory>

#ifndef TL_HAVE_STB
#define TL_HAVE_STB 0
#endif
#if TL_HAVE_STB
// Declarations only: the implementations are compiled into Debian's libstb.so.
#include <stb_image.h>
#include <stb_image_resize.h>
#endif

namespace tl::datasets {
namespace {

using base::ErrorCode;

constexpr const char *kNoStb =
    "This build of Torchlight cannot decode images: it was built without stb (libstb-dev).";

base::Error invalid(std::string message, const std::string &context)
{
    return base::makeError(ErrorCode::InvalidInput, std::move(message), context);
}

// Copies interleaved HWC pixels into planar CHW.
void toPlanar(const std::uint8_t *hwc, int channels, std::size_t pixels, std::uint8_t *chw)
{
    const auto c = static_cast<std::size_t>(channels);
    if (c == 1) {
        std::copy(hwc, hwc + pixels, chw);
        return;
    }
    for (std::size_t p = 0; p < pixels; ++p) {
        for (std::size_t k = 0; k < c; ++k) {
            chw[k * pixels + p] = hwc[p * c + k];
        }
    }
}

#if TL_HAVE_STB

struct StbFree
{
    void operator()(stbi_uc *pixels) const { stbi_image_free(pixels); }
};

// stb's reason for the last failure on this thread (thread-local in libstb-dev's build; read
// right after the failing call on the same thread in any case).
std::string stbReason()
{
    const char *reason = stbi_failure_reason();
    return reason != nullptr ? reason : "unknown reason";
}

base::Status checkDimensions(std::span<const std::uint8_t> bytes,
                             const std::string &context,
                             std::uint64_t maxPixels)
{
    int width = 0;
    int height = 0;
    int channels = 0;
    if (stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height,
                              &channels)
        == 0) {
        return invalid("The image's header cannot be read (stb_image: " + stbReason()
                           + "); the file is damaged or not an image.",
                       context);
    }
    const std::uint64_t pixels = std::uint64_t(width) * std::uint64_t(height);
    if (width <= 0 || height <= 0 || pixels > maxPixels) {
        return invalid("The image is " + std::to_string(width) + " x " + std::to_string(height)
                           + " pixels, more than the "
                           + base::groupedDigits(static_cast<std::int64_t>(maxPixels))
                           + " pixels an image may have here.",
                       context);
    }
    return base::okStatus();
}

base::Result<DecodedImage>
decodeChecked(std::span<const std::uint8_t> bytes, int channels, const std::string &context)
{
    DecodedImage out;
    std::unique_ptr<stbi_uc, StbFree> pixels(
        stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &out.width, &out.height,
                              &out.channels, channels));
    if (!pixels) {
        return invalid("The image cannot be decoded (stb_image: " + stbReason()
                           + "); the file is damaged or not an image.",
                       context);
    }
    if (channels != 0) {
        out.channels = channels; // stb reports the file's own count, but converted to ours
    }
    const std::size_t count =
        std::size_t(out.width) * std::size_t(out.height) * std::size_t(out.channels);
    out.pixels.assign(pixels.get(), pixels.get() + count);
    return out;
}

bool resize(const DecodedImage &image, int width, int height, std::vector<std::uint8_t> &hwc)
{
    hwc.resize(std::size_t(width) * std::size_t(height) * std::size_t(image.channels));
    return stbir_resize_uint8(image.pixels.data(), image.width, image.height, 0, hwc.data(), width,
                              height, 0, image.channels)
           != 0;
}

#else

bool resize(const DecodedImage &, int, int, std::vector<std::uint8_t> &)
{
    return false;
}

#endif

} // namespace

bool canDecodeImages()
{
    return TL_HAVE_STB != 0;
}

base::Result<DecodedImage> decodeImage(std::span<const std::uint8_t> bytes,
                                       int channels,
                                       const std::string &context,
                                       std::uint64_t maxPixels)
{
    if (bytes.empty()) {
        return invalid("The image file is empty (0 bytes).", context);
    }
    const std::string_view head(reinterpret_cast<const char *>(bytes.data()),
                                std::min(bytes.size(), kSniffBytes));
    const FileKind kind = sniffBytes(head);
    if (kind != FileKind::Png && kind != FileKind::Jpeg && kind != FileKind::Bmp) {
        return invalid(std::string("The file is not a PNG, JPEG or BMP image; its bytes look like ")
                           + fileKindName(kind) + " data.",
                       context);
    }
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        return invalid("The image file is larger than 2 GB.", context);
    }
    if (channels != 0 && channels != 1 && channels != 3) {
        return invalid("Images can be decoded to 1 or 3 channels, not " + std::to_string(channels)
                           + ".",
                       context);
    }
#if TL_HAVE_STB
    if (auto fits = checkDimensions(bytes, context, maxPixels); !fits) {
        return fits.error();
    }
    return decodeChecked(bytes, channels, context);
#else
    (void)maxPixels;
    return base::makeError(ErrorCode::Backend, kNoStb, context);
#endif
}

bool hasColour(const DecodedImage &image)
{
    if (image.channels < 3) {
        return false;
    }
    const auto c = static_cast<std::size_t>(image.channels);
    for (std::size_t at = 0; at + 2 < image.pixels.size(); at += c) {
        if (image.pixels[at] != image.pixels[at + 1] || image.pixels[at] != image.pixels[at + 2]) {
            return true;
        }
    }
    return false;
}

base::Status writeChw(const DecodedImage &image, int width, int height, std::span<std::uint8_t> out)
{
    const std::size_t pixels = std::size_t(width) * std::size_t(height);
    if ((image.channels != 1 && image.channels != 3) || width <= 0 || height <= 0
        || out.size() != pixels * std::size_t(image.channels)
        || image.pixels.size()
               != std::size_t(image.width) * std::size_t(image.height)
                      * std::size_t(image.channels)) {
        return invalid("The image does not fit the sample slot: " + std::to_string(image.channels)
                           + " channels of " + std::to_string(image.width) + " x "
                           + std::to_string(image.height) + " pixels.",
                       {});
    }
    if (image.width == width && image.height == height) {
        toPlanar(image.pixels.data(), image.channels, pixels, out.data());
        return base::okStatus();
    }
    thread_local std::vector<std::uint8_t> resized; // reused: one resize per image per thread
    if (!resize(image, width, height, resized)) {
        return base::makeError(ErrorCode::Backend,
                               canDecodeImages() ? "The image could not be resized." : kNoStb);
    }
    toPlanar(resized.data(), image.channels, pixels, out.data());
    return base::okStatus();
}

} // namespace tl::datasets
