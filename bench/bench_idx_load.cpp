// Benchmark: datasets::loadIdxPair on an idx(.gz) image/label pair, timed N times.
// bench/idx_load.sh runs it beside `zcat` on the same file and reports the ratio.
// Usage: bench_idx_load IMAGES LABELS [REPEATS]
#include "datasets/idx_dataset.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s IMAGES LABELS [REPEATS]\n", argv[0]);
        return 2;
    }
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        auto images = tl::datasets::loadIdxPair(argv[1], argv[2]);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (!images) {
            std::fprintf(stderr, "%s\n", images.error().describe().c_str());
            return 1;
        }
        std::printf("%.4f\n", took.count());
    }
    return 0;
}
