#include "datasets/npy_writer.h"

#include <cstdio>
#include <fstream>

namespace tl::datasets {

base::Status writeNpy(const std::filesystem::path &path,
                      const std::string &descr,
                      const std::vector<std::int64_t> &shape,
                      const void *data,
                      std::size_t bytes)
{
    // A Python tuple: "(2, 3)", "(5,)" for one dimension, "()" for a single value.
    std::string dims = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        dims += std::to_string(shape[i]) + (i + 1 < shape.size() ? ", " : "");
    }
    dims += shape.size() == 1 ? ",)" : ")";
    std::string header =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
    // magic (6) + version (2) + length (2) + header + '\n', padded to a multiple of 64.
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    const std::filesystem::path partial = path.string() + ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        const auto length = static_cast<std::uint16_t>(header.size());
        const char prefix[10] = {'\x93',
                                 'N',
                                 'U',
                                 'M',
                                 'P',
                                 'Y',
                                 1,
                                 0,
                                 static_cast<char>(length & 0xff),
                                 static_cast<char>(length >> 8)};
        out.write(prefix, sizeof prefix);
        out.write(header.data(), static_cast<std::streamsize>(header.size()));
        out.write(static_cast<const char *>(data), static_cast<std::streamsize>(bytes));
        if (!out.flush()) {
            std::error_code ignored;
            std::filesystem::remove(partial, ignored);
            return base::makeError(base::ErrorCode::Io, "The .npy file cannot be written.",
                                   path.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec) {
        return base::makeError(base::ErrorCode::Io,
                               "The .npy file cannot be written: " + ec.message() + ".",
                               path.string());
    }
    return base::okStatus();
}

} // namespace tl::datasets
