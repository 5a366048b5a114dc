#pragma once
// Helpers for the real training runs on the test bed: a small dataset and spec the tests
// write, the worker copied where the test bed's user can run it, a local mirror of a remote
// run ingested into a real store, and polling with a deadline.

#include "datasets/idx_writer.h"
#include "proto/record_io.h"
#include "remote/remote_platform.h"
#include "remote/shell_quote.h"
#include "remote/ssh_session.h"
#include "store/run_store.h"
#include "tests/remote/test_bed.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <functional>
#include <thread>

namespace tl::testing {

namespace fs = std::filesystem;
using tl::remote::BackendKind;
using tl::remote::JobStatus;
using tl::remote::RemotePlatform;
using tl::remote::RemoteRun;
using namespace std::chrono_literals;

// The worker, copied where the test bed's user can run it (the build tree may be private).
inline std::string remoteWorker()
{
    fs::path bin = tl::testing::bedDir() / "bin";
    fs::path copy = bin / "torchlight-worker";
    std::error_code ec;
    fs::create_directories(bin, ec);
    fs::permissions(bin, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec
                             | fs::perms::others_read | fs::perms::others_exec);
    // Each test process writes its own copy and renames it: ctest runs them side by side.
    fs::path part = bin / ("worker." + std::to_string(::getpid()));
    fs::copy_file(TL_WORKER_PATH, part, fs::copy_options::overwrite_existing);
    fs::rename(part, copy);
    return copy.string();
}

inline tl::remote::ConnectionProfile runProfile(BackendKind backend)
{
    tl::remote::ConnectionProfile profile = tl::testing::bedProfile();
    profile.backend = backend;
    profile.workerCommand = remoteWorker();
    profile.remoteRoot = "~/tl-runs-" + std::to_string(::getpid());
    return profile;
}

inline RemotePlatform connectPlatform(const tl::remote::ConnectionProfile &profile)
{
    auto platform = RemotePlatform::connect(profile, {});
    INFO((platform ? std::string() : platform.error().describe()));
    REQUIRE(platform.ok());
    return std::move(platform).value();
}

// 8×8 images of four classes: class k lights row pair k, plus seeded noise.
inline void
writeBands(const fs::path &images, const fs::path &labels, int count, std::uint32_t seed)
{
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count) * 64);
    std::vector<std::uint8_t> classes(static_cast<std::size_t>(count));
    std::uint32_t state = seed;
    for (int i = 0; i < count; ++i) {
        int label = i % 4;
        classes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(label);
        for (int p = 0; p < 64; ++p) {
            state = state * 1664525u + 1013904223u;
            bool band = p / 8 == 2 * label || p / 8 == 2 * label + 1;
            pixels[static_cast<std::size_t>(i) * 64 + static_cast<std::size_t>(p)] =
                static_cast<std::uint8_t>((band ? 160 : 0) + (state >> 27));
        }
    }
    REQUIRE(tl::datasets::writeIdxFile(images, tl::datasets::makeUInt8Array({count, 8, 8}, pixels))
                .ok());
    REQUIRE(
        tl::datasets::writeIdxFile(labels, tl::datasets::makeUInt8Array({count}, classes)).ok());
}

inline void addNode(tl::proto::ModelGraph &graph,
                    const std::string &name,
                    const std::string &op,
                    const std::string &input,
                    std::int64_t outFeatures = 0)
{
    tl::proto::Node *node = graph.add_nodes();
    node->set_name(name);
    node->set_op(op);
    if (!input.empty()) {
        node->add_inputs(input);
    }
    if (outFeatures > 0) {
        (*node->mutable_attrs())["out_features"].set_i(outFeatures);
    }
}

// An MLP on the band images; `epochs` sets how long it runs (about 2 ms an epoch).
inline tl::proto::ExperimentSpec
bandSpec(const fs::path &dir, std::uint32_t epochs, double lr = 0.05)
{
    if (!fs::exists(dir / "train-images")) {
        fs::create_directories(dir);
        writeBands(dir / "train-images", dir / "train-labels", 256, 7);
        writeBands(dir / "test-images", dir / "test-labels", 64, 11);
    }
    tl::proto::ExperimentSpec spec;
    spec.set_protocol_version(1);
    spec.set_name("bands");
    tl::proto::DatasetSpec *data = spec.mutable_dataset();
    data->set_name("bands");
    data->set_format(tl::proto::DATASET_FORMAT_IDX);
    data->set_train_images((dir / "train-images").string());
    data->set_train_labels((dir / "train-labels").string());
    data->set_test_images((dir / "test-images").string());
    data->set_test_labels((dir / "test-labels").string());
    tl::proto::ModelGraph *graph = spec.mutable_model();
    graph->set_name("mlp");
    addNode(*graph, "input", "Input", "");
    for (std::int64_t d : {1, 8, 8}) {
        (*graph->mutable_nodes(0)->mutable_attrs())["shape"].mutable_ints()->add_values(d);
    }
    addNode(*graph, "flatten", "Flatten", "input");
    addNode(*graph, "fc1", "Linear", "flatten", 32);
    addNode(*graph, "relu", "ReLU", "fc1");
    addNode(*graph, "fc2", "Linear", "relu", 4);
    graph->set_output("fc2");
    tl::proto::TrainConfig *train = spec.mutable_train();
    train->set_optimizer(tl::proto::OPTIMIZER_SGD);
    train->set_learning_rate(lr);
    train->set_epochs(epochs);
    train->set_batch_size(32);
    train->set_seed(3);
    train->set_threads(1);
    train->set_log_every_steps(1);
    spec.set_device("cpu");
    return spec;
}

// A local mirror of one remote run, ingested into a real store as the app does.
struct Mirror
{
    tl::store::RunStore &store;
    std::int64_t runId = 0;
    fs::path events;

    Mirror(tl::store::RunStore &s, const tl::proto::ExperimentSpec &spec, const fs::path &dir)
        : store(s)
        , events(dir / "events.tlog")
    {
        fs::create_directories(dir);
        auto id = store.createRun(spec, dir);
        REQUIRE(id.ok());
        runId = id.value();
    }

    // Pulls what is new and ingests it; the scalar events stored so far.
    std::uint64_t sync(RemotePlatform &platform, const RemoteRun &run)
    {
        auto pulled = platform.pullEvents(run, events);
        INFO((pulled ? std::string() : pulled.error().describe()));
        REQUIRE(pulled.ok());
        if (fs::exists(events)) {
            auto report = store.ingest(runId, events);
            REQUIRE(report.ok());
        }
        auto losses = store.scalars(runId, "train/loss");
        REQUIRE(losses.ok());
        return losses.value().size();
    }

    tl::store::RunRecord record()
    {
        auto r = store.run(runId);
        REQUIRE(r.ok());
        return r.value();
    }
};

inline tl::store::RunStore openStore(const fs::path &dir)
{
    auto store = tl::store::RunStore::open(dir / "torchlight.db");
    REQUIRE(store.ok());
    return std::move(store).value();
}

// Polls (every 20 ms: each poll is a round trip to a real host) until `done` holds.
inline bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return done();
}

inline JobStatus pollOne(RemotePlatform &platform, const RemoteRun &run)
{
    auto statuses = platform.poll({run});
    INFO((statuses ? std::string() : statuses.error().describe()));
    REQUIRE(statuses.ok());
    REQUIRE(statuses.value().size() == 1);
    return statuses.value().front();
}

inline std::string remoteFile(RemotePlatform &platform, const std::string &path)
{
    auto out = platform.ssh().run("cat " + tl::remote::shellQuote(path));
    REQUIRE(out.ok());
    return out.value().out;
}

inline std::string localFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct RemoteCleanup
{
    RemotePlatform &platform;
    ~RemoteCleanup()
    {
        (void)platform.ssh().run("rm -rf " + tl::remote::shellPath(platform.profile().remoteRoot));
    }
};

} // namespace tl::testing
