#pragma once
// Numbers written for people, the same in every module: "47,040,000", "1.5 GB". Pure functions.

#include <cstdint>
#include <string>

namespace tl::base {

// Digits grouped by thousands: 1234567 -> "1,234,567", -1234 -> "-1,234".
std::string groupedDigits(std::int64_t value);

// "1.5 GB", "740 KB", "12 bytes" (decimal units, one decimal).
std::string byteSizeText(std::uint64_t bytes);

} // namespace tl::base
