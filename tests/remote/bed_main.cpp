// The test bed binary's main: without a running test bed every case exits 77 (bed_skip.h).
#define CATCH_CONFIG_RUNNER
#include "tests/remote/bed_skip.h"

#include <catch2/catch.hpp>

int main(int argc, char **argv)
{
    if (tl::testing::skipWithoutBed(argc, argv)) {
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
