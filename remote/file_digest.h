#pragma once
// SHA-256 of local files and buffers (OpenSSL), the addresses of staged datasets.
// Pure functions; no thread affinity.

#include "base/progress.h"
#include "base/result.h"

#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>

namespace tl::remote {

// Lower-case hex, as sha256sum prints it.
base::Result<std::string> sha256OfFile(const std::filesystem::path &file,
                                       std::stop_token stop = {},
                                       const base::ProgressFn &progress = {});
std::string sha256Of(std::string_view bytes);

} // namespace tl::remote
