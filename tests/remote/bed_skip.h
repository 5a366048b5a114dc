#pragma once
// The test bed binaries' skip rule: without a running test bed (TB_AVAILABLE=1, set by
// scripts/testbed/testbed.sh) a run prints the reason and exits 77, which ctest reports as
// skipped. Listing the cases (catch_discover_tests) always works.

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace tl::testing {

// True when main should return 77: the bed is not there and the cases were not just listed.
inline bool skipWithoutBed(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]).starts_with("--list")) {
            return false;
        }
    }
    const char *available = std::getenv("TB_AVAILABLE");
    if (available != nullptr && std::string_view(available) == "1") {
        return false;
    }
    const char *reason = std::getenv("TB_SKIP_REASON");
    std::cout << "SKIPPED: the remote test bed is not running: "
              << (reason != nullptr && *reason != '\0'
                      ? reason
                      : "TB_AVAILABLE is not set; scripts/dev.sh test starts it as root")
              << "\n";
    return true;
}

} // namespace tl::testing
