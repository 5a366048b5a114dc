#pragma once
// Internal to datasets/: turning the distinct label cells of a CSV dataset into class indices.
// Integer labels 0..1000 keep their value as the index; any other labels are sorted naturally
// ("class2" before "class10", numbers by value) and numbered in that order. Pure functions; any
// thread. Not a public API.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tl::datasets::detail {

// Labels that are all integers up to this are class indices themselves.
inline constexpr int kMaxIntegerLabel = 1000;

struct CsvClasses
{
    std::vector<std::int64_t> indexOf; // class index of each distinct label text
    std::vector<std::string> names;    // class i's name
};

// The classes of `texts` (distinct, non-empty label cells, in any order).
CsvClasses csvClasses(const std::vector<std::string> &texts);

// Natural order: digit runs compare by value, other bytes by byte; numbers (whole cells) by value,
// before text. A strict total order, so it can sort anything.
bool naturalLess(std::string_view a, std::string_view b);

} // namespace tl::datasets::detail
