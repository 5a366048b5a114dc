#include "datasets/regular_file.h"

#include <string>

namespace tl::datasets::detail {

base::Result<std::uint64_t> regularFileSize(const std::filesystem::path &path,
                                            std::string_view expected)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) {
        return base::makeError(base::ErrorCode::NotFound, "The file does not exist.",
                               path.string());
    }
    if (!std::filesystem::is_regular_file(status)) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "Expected " + std::string(expected)
                                   + ", found a folder or special file.",
                               path.string());
    }
    const std::uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) {
        return base::makeError(base::ErrorCode::Io,
                               "The file's size cannot be read: " + ec.message() + ".",
                               path.string());
    }
    return size;
}

} // namespace tl::datasets::detail
