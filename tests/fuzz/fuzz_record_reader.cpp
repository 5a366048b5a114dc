// Fuzz target: the record framing reader must never crash or over-read, whatever the bytes,
// and must accept again every record it returned when fed in one piece or byte by byte.
#include "proto/record_io.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    std::vector<std::string> whole;
    tl::proto::RecordReader reader("fuzz");
    reader.feed(bytes);
    for (;;) {
        auto r = reader.next();
        if (!r || !r.value())
            break;
        whole.emplace_back(*r.value());
    }
    // Fed in small pieces, the reader returns the same records.
    tl::proto::RecordReader pieces("fuzz");
    std::size_t seen = 0;
    for (std::size_t i = 0; i < size; i += 7) {
        pieces.feed(bytes.substr(i, 7));
        for (;;) {
            auto r = pieces.next();
            if (!r || !r.value())
                break;
            if (seen >= whole.size() || whole[seen] != *r.value())
                std::abort();
            ++seen;
        }
    }
    if (seen != whole.size())
        std::abort();
    return 0;
}
