#pragma once
// Writing .npy files (version 1.0, C order, little-endian): what `torchlight-worker eval` leaves
// for NumPy to read. Written to a temporary name and renamed. Pure function; any thread.

#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tl::datasets {

// `descr` is NumPy's type string ("<f4", "<i8"); `data` holds product(shape) values of it.
base::Status writeNpy(const std::filesystem::path &path,
                      const std::string &descr,
                      const std::vector<std::int64_t> &shape,
                      const void *data,
                      std::size_t bytes);

} // namespace tl::datasets
