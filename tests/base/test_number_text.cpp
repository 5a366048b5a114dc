#include "base/number_text.h"

#include <catch2/catch.hpp>

using tl::base::byteSizeText;

TEST_CASE("Byte sizes read in decimal units with one decimal, and single bytes exactly", "[base]")
{
    CHECK(byteSizeText(0) == "0 bytes");
    CHECK(byteSizeText(1) == "1 byte");
    CHECK(byteSizeText(999) == "999 bytes");
    CHECK(byteSizeText(1500) == "1.5 KB");
    CHECK(byteSizeText(47040000) == "47.0 MB");
    CHECK(byteSizeText(999999) == "1.0 MB"); // rounds up into the next unit, not "1000.0 KB"
    CHECK(byteSizeText(std::uint64_t{2} << 50) == "2.3 PB");
}
