// Benchmark: datasets::readCsv on one CSV file, timed N times (seconds, one line each); and the
// generator of that file. bench/csv_load.sh runs both beside `wc -l` and `cat`.
// Usage: bench_csv_load generate FILE [ROWS] [FEATURES]   (fixed seed: the same file every time)
//        bench_csv_load FILE [REPEATS]
#include "datasets/csv_reader.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

namespace {

// ROWS rows of FEATURES values in [-10, 10) with 6 decimals and an integer label 0..9.
int generate(const char *path, long rows, int features)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::mt19937 random(20240604);
    std::uniform_real_distribution<double> value(-10.0, 10.0);
    std::string line;
    char number[32];
    for (int f = 0; f < features; ++f) {
        line += 'f';
        line += std::to_string(f);
        line += ',';
    }
    line += "label\n";
    out << line;
    for (long r = 0; r < rows; ++r) {
        line.clear();
        for (int f = 0; f < features; ++f) {
            const auto end = std::to_chars(number, number + sizeof number, value(random),
                                           std::chars_format::fixed, 6);
            line.append(number, end.ptr);
            line += ',';
        }
        line += static_cast<char>('0' + random() % 10);
        line += '\n';
        out << line;
    }
    return out.good() ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 3 && std::string(argv[1]) == "generate") {
        return generate(argv[2], argc > 3 ? std::atol(argv[3]) : 1000000,
                        argc > 4 ? std::atoi(argv[4]) : 20);
    }
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE [REPEATS] | generate FILE [ROWS] [FEATURES]\n",
                     argv[0]);
        return 2;
    }
    tl::proto::DatasetSpec spec;
    spec.set_format(tl::proto::DATASET_FORMAT_CSV);
    spec.add_sources(argv[1]);
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        auto data = tl::datasets::readCsv(spec, {});
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (!data) {
            std::fprintf(stderr, "%s\n", data.error().describe().c_str());
            return 1;
        }
        std::printf("%.4f\n", took.count());
    }
    return 0;
}
