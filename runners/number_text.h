#pragma once
// How the worker writes numbers for people (status messages, worker.log, the progress bar):
// "61,706", "84.21%". Pure functions.

#include <cstdint>
#include <string>

namespace tl::runners {

// Digits grouped by thousands: 1234567 -> "1,234,567".
std::string groupedDigits(std::int64_t value);

// A fraction as a percentage with two decimals: 0.8421 -> "84.21%".
std::string percentText(double fraction);

} // namespace tl::runners
