// Benchmark: datasets::readImageFolder on a generated folder of small PNGs, on one decoding
// thread and on all cores, interleaved so machine noise hits both. bench/image_folder.sh runs it.
// Prints the median rates and the parallel efficiency rate_all / (rate_1 x cores).
// Usage: bench_image_folder [IMAGES=10000] [REPEATS=5] [SIDE=32]
#include "datasets/image_folder.h"

#include <stb_image_write.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int kClasses = 10;

// A smooth gradient per image plus a little LCG noise (fixed seed): compresses like a photo
// thumbnail rather than like pure noise or a flat colour.
bool writeImages(const fs::path &root, int count, int side)
{
    std::uint32_t seed = 12345;
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(side * side * 3));
    for (int i = 0; i < count; ++i) {
        for (int p = 0; p < side * side; ++p) {
            for (int c = 0; c < 3; ++c) {
                seed = seed * 1664525u + 1013904223u;
                const int base = (p % side) * 4 + (p / side) * (c + 1) + i * 7 * (c + 2);
                pixels[static_cast<std::size_t>(p * 3 + c)] =
                    static_cast<std::uint8_t>(base + static_cast<int>(seed >> 28));
            }
        }
        const fs::path folder = root / ("class_" + std::to_string(i % kClasses));
        fs::create_directories(folder);
        const std::string path = (folder / ("img_" + std::to_string(i) + ".png")).string();
        if (stbi_write_png(path.c_str(), side, side, 3, pixels.data(), side * 3) == 0) {
            return false;
        }
    }
    return true;
}

// Wall and CPU seconds of one read on `threads` threads (negative on failure). The CPU time
// tells parallel overhead apart from a machine whose cores are busy with other work.
struct Timing
{
    double wall = -1;
    double cpu = -1;
};

double processCpuSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
}

Timing timeRead(const tl::proto::DatasetSpec &spec, unsigned threads, int expected)
{
    const double cpuStart = processCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    auto data = tl::datasets::readImageFolderOnThreads(spec, {}, threads);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (!data || data.value().train.count() != expected) {
        std::fprintf(stderr, "%s\n", data ? "wrong count" : data.error().describe().c_str());
        return {};
    }
    return {took.count(), processCpuSeconds() - cpuStart};
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    const int count = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    const int side = argc > 3 ? std::atoi(argv[3]) : 32;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const fs::path root =
        fs::temp_directory_path() / ("tl_bench_images_" + std::to_string(::getpid()));
    fs::remove_all(root);
    if (count < 1 || repeats < 1 || side < 1 || !writeImages(root, count, side)) {
        std::fprintf(stderr, "could not write the images into %s\n", root.c_str());
        fs::remove_all(root);
        return 1;
    }
    tl::proto::DatasetSpec spec;
    spec.set_name("bench");
    spec.set_format(tl::proto::DATASET_FORMAT_IMAGE_FOLDER);
    spec.add_sources(root.string());
    std::vector<double> one, all, cpuOne, cpuAll;
    timeRead(spec, cores, count); // warms the page cache
    for (int r = 0; r < repeats; ++r) {
        const Timing single = timeRead(spec, 1, count);
        const Timing parallel = timeRead(spec, cores, count);
        if (single.wall < 0 || parallel.wall < 0) {
            fs::remove_all(root);
            return 1;
        }
        one.push_back(single.wall);
        all.push_back(parallel.wall);
        cpuOne.push_back(single.cpu);
        cpuAll.push_back(parallel.cpu);
    }
    fs::remove_all(root);
    const double rateOne = count / median(one);
    const double rateAll = count / median(all);
    std::printf("| images | cores | 1 thread | %u threads | parallel efficiency | CPU us/image "
                "(1 / %u threads) |\n",
                cores, cores);
    std::printf("|---|---|---|---|---|---|\n");
    std::printf(
        "| %d PNG %dx%d RGB | %u | %.0f images/s | %.0f images/s | %.0f%% | %.1f / %.1f |\n", count,
        side, side, cores, rateOne, rateAll, 100.0 * rateAll / (rateOne * cores),
        1e6 * median(cpuOne) / count, 1e6 * median(cpuAll) / count);
    return 0;
}
