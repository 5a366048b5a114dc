#pragma once
// CRC-32C (Castagnoli) and TensorBoard's masked form, used by the record framing.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tl::proto {

std::uint32_t crc32c(const void *data, std::size_t size);

// ((crc >> 15) | (crc << 17)) + 0xa282ead8, so that a CRC of data containing CRCs stays useful.
std::uint32_t maskCrc(std::uint32_t crc);

inline std::uint32_t maskedCrc32c(std::string_view bytes)
{
    return maskCrc(crc32c(bytes.data(), bytes.size()));
}

} // namespace tl::proto
