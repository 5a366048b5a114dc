// The shared Catch2 main, compiled once for every Qt-free test binary.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
