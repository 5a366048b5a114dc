#pragma once
// Internal to datasets/: the Python dict literal of a .npy header
// ({'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }), parsed, never evaluated: any
// key order, any spacing, either quote, trailing commas, "()" for a single value. Pure; any
// thread.

#include "base/result.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tl::datasets::detail {

// One value of the header dict, as far as the header needs to tell values apart.
struct NpyDictValue
{
    enum class Type { String, Bool, Tuple, Other };
    Type type = Type::Other;
    std::string text; // String: its contents; Other: the literal as written
    bool flag = false;
    std::vector<std::uint64_t> numbers; // Tuple: the integers of a tuple or list
    std::uint64_t offset = 0;           // of the value, in bytes from the start of the file
};

// Parses the dict in `text`, which starts at byte `base` of the file; errors name `source` and
// the byte offset.
base::Result<std::map<std::string, NpyDictValue>>
parseNpyDict(std::string_view text, std::uint64_t base, const std::string &source);

} // namespace tl::datasets::detail
