// The test bed binary's main: without a running test bed (TB_AVAILABLE=1, set by
// scripts/testbed/testbed.sh) every case exits 77, which ctest reports as skipped, with the
// reason on stdout. Listing the cases (catch_discover_tests) always works.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string_view>

int main(int argc, char **argv)
{
    bool listing = false;
    for (int i = 1; i < argc; ++i) {
        listing = listing || std::string_view(argv[i]).starts_with("--list");
    }
    const char *available = std::getenv("TB_AVAILABLE");
    if (!listing && (available == nullptr || std::string_view(available) != "1")) {
        const char *reason = std::getenv("TB_SKIP_REASON");
        std::cout << "SKIPPED: the remote test bed is not running: "
                  << (reason != nullptr && *reason != '\0'
                          ? reason
                          : "TB_AVAILABLE is not set; scripts/dev.sh test starts it as root")
                  << "\n";
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
