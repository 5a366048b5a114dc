// End-to-end tests of the worker on datasets other than idx: the real executable trains on a
// CSV the test writes, and `inspect-dataset` reports good and bad files (docs/worker.md).
#include "proto/spec_io.h"
#include "tests/runners/scratch_dir.h"
#include "worker_process.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace tl;
using namespace std::chrono_literals;
using testing::WorkerProcess;

namespace {

constexpr auto kTimeout = 60s; // generous: CI shares two cores between jobs

// 300 rows of three well-separated classes in four features, with a header and string labels.
fs::path writeBlobsCsv(const fs::path &dir)
{
    const fs::path path = dir / "blobs.csv";
    std::ofstream out(path);
    out << "f1,f2,f3,f4,kind\n";
    std::mt19937 random(11);
    std::normal_distribution<double> noise(0.0, 0.3);
    const char *kinds[] = {"circle", "square", "triangle"};
    for (int i = 0; i < 300; ++i) {
        const int k = i % 3;
        for (int f = 0; f < 4; ++f) {
            out << (f == k ? 3.0 : 0.0) + noise(random) << ",";
        }
        out << kinds[k] << "\n";
    }
    return path;
}

proto::ExperimentSpec csvSpec(const fs::path &csv)
{
    proto::ExperimentSpec spec;
    spec.set_protocol_version(proto::kProtocolVersion);
    proto::DatasetSpec *data = spec.mutable_dataset();
    data->set_name("blobs");
    data->set_format(proto::DATASET_FORMAT_CSV);
    data->add_sources(csv.string());
    data->mutable_split()->set_val_fraction(0.2);
    data->mutable_split()->set_seed(1);
    proto::ModelGraph *graph = spec.mutable_model();
    auto add = [graph](const char *name, const char *op, const char *input) {
        proto::Node *node = graph->add_nodes();
        node->set_name(name);
        node->set_op(op);
        if (*input) {
            node->add_inputs(input);
        }
        return node;
    };
    (*add("input", "Input", "")->mutable_attrs())["shape"].mutable_ints()->add_values(4);
    (*add("fc1", "Linear", "input")->mutable_attrs())["out_features"].set_i(16);
    add("relu", "ReLU", "fc1");
    (*add("fc2", "Linear", "relu")->mutable_attrs())["out_features"].set_i(3);
    spec.mutable_train()->set_epochs(8);
    spec.mutable_train()->set_batch_size(16);
    spec.mutable_train()->set_learning_rate(0.05);
    spec.mutable_train()->set_momentum(0.9);
    spec.mutable_train()->set_seed(3);
    spec.mutable_train()->set_threads(1);
    return spec;
}

fs::path writeSpec(const proto::ExperimentSpec &spec, const fs::path &dir)
{
    const fs::path path = dir / "experiment.pbtxt";
    std::ofstream(path) << proto::toText(spec);
    return path;
}

int exitCode(WorkerProcess &worker)
{
    const std::optional<int> code = worker.waitForExit(kTimeout);
    INFO("stderr: " << worker.stderrText());
    REQUIRE(code.has_value());
    return *code;
}

std::vector<double> scalarValues(const WorkerProcess &worker, const std::string &tag)
{
    std::vector<double> out;
    for (const proto::RunEvent &e : worker.events()) {
        if (e.has_scalar() && e.scalar().tag() == tag) {
            out.push_back(e.scalar().value());
        }
    }
    return out;
}

} // namespace

TEST_CASE("The worker trains on a CSV with validation held out and evaluates test at the end",
          "[integration]")
{
    const fs::path dir = testing::scratchDir("worker_csv");
    const fs::path spec = writeSpec(csvSpec(writeBlobsCsv(dir)), dir);
    WorkerProcess worker({"train", "--spec", spec.string(), "--run-dir", (dir / "run").string()});
    CHECK(exitCode(worker) == 0);
    CHECK(scalarValues(worker, "val/accuracy").size() == 8);
    const std::vector<double> test = scalarValues(worker, "test/accuracy");
    REQUIRE(test.size() == 1);
    CHECK(test.front() > 0.9);
    bool loggedLoad = false;
    for (const proto::RunEvent &e : worker.events()) {
        loggedLoad =
            loggedLoad
            || (e.has_log()
                && e.log().text().find("Loaded csv data: 192 train, 48 validation, 60 test")
                       != std::string::npos);
    }
    CHECK(loggedLoad);
}

TEST_CASE("A bad cell in a CSV fails the run with the line and column", "[integration]")
{
    const fs::path dir = testing::scratchDir("worker_csv_bad");
    const fs::path csv = writeBlobsCsv(dir);
    std::ofstream(csv, std::ios::app) << "1,2,oops,4,circle\n";
    WorkerProcess worker({"train", "--spec", writeSpec(csvSpec(csv), dir).string(), "--run-dir",
                          (dir / "run").string()});
    CHECK(exitCode(worker) == 3);
    CHECK_THAT(worker.stderrText(), Catch::Contains("blobs.csv, line 302, column 3"));
    REQUIRE_FALSE(worker.events().empty());
    CHECK(worker.events().back().status().state() == proto::RUN_STATE_FAILED);
}

TEST_CASE("inspect-dataset prints the summary as JSON, or the error and exit code 3",
          "[integration]")
{
    const fs::path dir = testing::scratchDir("worker_inspect");
    const fs::path csv = writeBlobsCsv(dir);
    WorkerProcess good({"inspect-dataset", csv.string(), "--val-fraction", "0.1"});
    CHECK(exitCode(good) == 0);
    const std::string &json = good.stdoutBytes();
    CHECK_THAT(json, Catch::StartsWith("{\"name\": \"blobs\", \"format\": \"csv\""));
    CHECK_THAT(json, Catch::Contains("\"classes\": [\"circle\", \"square\", \"triangle\"]"));
    CHECK_THAT(json, Catch::Contains("\"features\": [\"f1\", \"f2\", \"f3\", \"f4\"]"));
    CHECK_THAT(json, Catch::Contains("{\"name\": \"val\", \"count\": 24"));

    const fs::path empty = dir / "empty.csv";
    std::ofstream(empty).flush();
    WorkerProcess bad({"inspect-dataset", empty.string()});
    CHECK(exitCode(bad) == 3);
    CHECK_THAT(bad.stderrText(), Catch::StartsWith("torchlight-worker: "));
    CHECK_THAT(bad.stderrText(), Catch::Contains("empty.csv"));
    CHECK(bad.stdoutBytes().empty());

    WorkerProcess usage({"inspect-dataset"});
    CHECK(exitCode(usage) == 2);
}
