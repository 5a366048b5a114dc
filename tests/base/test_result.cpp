#include "base/number_text.h"
#include "base/result.h"

#include <catch2/catch.hpp>

#include <memory>

using namespace tl::base;

TEST_CASE("A Result holds either a value or an error", "[base]")
{
    Result<int> good(42);
    REQUIRE(good.ok());
    CHECK(good.value() == 42);

    Result<int> bad(makeError(ErrorCode::NotFound, "The file is missing.", "a.idx"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::NotFound);
    CHECK(bad.error().describe() == "a.idx: The file is missing.");
}

TEST_CASE("A Result can carry move-only values out", "[base]")
{
    Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
    std::unique_ptr<int> p = std::move(r).value();
    CHECK(*p == 7);
}

TEST_CASE("An error without context describes itself by its message alone", "[base]")
{
    CHECK(makeError(ErrorCode::Io, "Disk full.").describe() == "Disk full.");
    CHECK(std::string(errorCodeName(ErrorCode::Cancelled)) == "cancelled");
}

TEST_CASE("Numbers are grouped by thousands for people", "[base]")
{
    CHECK(groupedDigits(0) == "0");
    CHECK(groupedDigits(999) == "999");
    CHECK(groupedDigits(1000) == "1,000");
    CHECK(groupedDigits(47040000) == "47,040,000");
    CHECK(groupedDigits(-1234567) == "-1,234,567");
}
