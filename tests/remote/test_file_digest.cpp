#include "remote/file_digest.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

#include <fstream>

TEST_CASE("SHA-256 matches the standard's test vectors", "[remote]")
{
    CHECK(tl::remote::sha256Of("")
          == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(tl::remote::sha256Of("abc")
          == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("A file's SHA-256 equals its bytes' and reports progress, and a missing file is named",
          "[remote]")
{
    auto dir = tl::testing::scratchDir("digest");
    std::string bytes(3'000'000, 'q');
    std::ofstream(dir / "f.bin", std::ios::binary).write(bytes.data(), 3'000'000);
    std::uint64_t last = 0;
    auto hashed = tl::remote::sha256OfFile(
        dir / "f.bin", {},
        [&](std::uint64_t done, std::uint64_t, std::string_view) { last = done; });
    REQUIRE(hashed.ok());
    CHECK(hashed.value() == tl::remote::sha256Of(bytes));
    CHECK(last == bytes.size());

    auto missing = tl::remote::sha256OfFile(dir / "nope");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error().message, Catch::Contains("nope"));
}
