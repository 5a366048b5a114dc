// How fast a remote run shows in the app (issue #6, docs/benchmarks.md): RemoteRunsController,
// as the window uses it, follows real Slurm jobs of the loopback test bed. For each job:
// - RUNNING: from the first moment a tight squeue loop (every 20 ms, the baseline) sees the job
//   RUNNING to the moment the controller's jobs row says "running";
// - events: from each train/loss event's wall time (written by the worker) to the moment the
//   controller hands the point to the chart (scalarsArrived).
// Prints one line per job and the medians, 95th percentiles and maxima. Run by
// bench/remote_latency.sh, which starts the test bed and copies the worker where tbuser can run it.
// Usage: bench_remote_latency WORKER_ON_HOST DATA_DIR REPEATS

#include "app/remote_runs_controller.h"
#include "app/store_lane.h"
#include "datasets/idx_writer.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

double now()
{
    return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

std::string env(const char *name)
{
    const char *value = std::getenv(name);
    return value ? value : "";
}

bool settle(const std::function<bool()> &condition, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired()) {
            return false;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

void writeData(const fs::path &dir)
{
    fs::create_directories(dir);
    for (const char *split : {"train", "test"}) {
        const int count = std::string(split) == "train" ? 256 : 64;
        std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count) * 64);
        std::vector<std::uint8_t> labels(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            labels[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i % 4);
            for (int p = 0; p < 64; ++p) {
                pixels[static_cast<std::size_t>(i * 64 + p)] =
                    static_cast<std::uint8_t>(p / 16 == i % 4 ? 200 : (i * 7 + p) % 40);
            }
        }
        (void)tl::datasets::writeIdxFile(dir / (std::string(split) + "-images"),
                                         tl::datasets::makeUInt8Array({count, 8, 8}, pixels));
        (void)tl::datasets::writeIdxFile(dir / (std::string(split) + "-labels"),
                                         tl::datasets::makeUInt8Array({count}, labels));
    }
}

tl::proto::ExperimentSpec spec(const fs::path &data)
{
    tl::proto::ExperimentSpec s;
    s.set_protocol_version(1);
    s.set_name("latency");
    s.set_device("cpu");
    auto *d = s.mutable_dataset();
    d->set_format(tl::proto::DATASET_FORMAT_IDX);
    d->set_train_images((data / "train-images").string());
    d->set_train_labels((data / "train-labels").string());
    d->set_test_images((data / "test-images").string());
    d->set_test_labels((data / "test-labels").string());
    auto *g = s.mutable_model();
    auto add = [g](const char *name, const char *op, const char *input, int out) {
        auto *n = g->add_nodes();
        n->set_name(name);
        n->set_op(op);
        if (*input != '\0') {
            n->add_inputs(input);
        }
        if (out > 0) {
            (*n->mutable_attrs())["out_features"].set_i(out);
        }
        return n;
    };
    auto *input = add("input", "Input", "", 0);
    for (int dim : {1, 8, 8}) {
        (*input->mutable_attrs())["shape"].mutable_ints()->add_values(dim);
    }
    add("flatten", "Flatten", "input", 0);
    add("fc", "Linear", "flatten", 4);
    g->set_output("fc");
    auto *t = s.mutable_train();
    t->set_optimizer(tl::proto::OPTIMIZER_SGD);
    t->set_learning_rate(0.05);
    t->set_epochs(1000000);
    t->set_batch_size(32);
    t->set_threads(1);
    // One loss every 8 steps: about one event every few ms, spread over each poll interval.
    t->set_log_every_steps(8);
    t->set_checkpoint_every_steps(0);
    return s;
}

double percentile(std::vector<double> values, double q)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

// The baseline: squeue every 20 ms, the first time each job is seen RUNNING.
class QueueWatch
{
public:
    explicit QueueWatch(std::string user)
        : m_thread([this, user](std::stop_token stop) {
            const std::string command = "squeue -h -u " + user + " -o '%i %T' 2>/dev/null";
            while (!stop.stop_requested()) {
                FILE *pipe = ::popen(command.c_str(), "r");
                char line[256];
                while (pipe != nullptr && std::fgets(line, sizeof line, pipe) != nullptr) {
                    std::string text(line);
                    const std::size_t space = text.find(' ');
                    if (space != std::string::npos && text.find("RUNNING") != std::string::npos) {
                        std::lock_guard lock(m_mutex);
                        m_running.try_emplace(text.substr(0, space), now());
                    }
                }
                if (pipe != nullptr) {
                    ::pclose(pipe);
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        })
    {}

    std::optional<double> runningSince(const std::string &job)
    {
        std::lock_guard lock(m_mutex);
        auto found = m_running.find(job);
        return found == m_running.end() ? std::nullopt : std::optional(found->second);
    }

private:
    std::mutex m_mutex;
    std::map<std::string, double> m_running;
    std::jthread m_thread; // last: started after the map exists
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 4) {
        std::cerr << "usage: bench_remote_latency WORKER_ON_HOST DATA_DIR REPEATS\n";
        return 2;
    }
    const fs::path dir = argv[2];
    const int repeats = std::max(1, std::atoi(argv[3]));
    writeData(dir / "data");

    tl::remote::ConnectionProfile profile;
    profile.name = "bench";
    profile.host = env("TB_SSH_HOST");
    profile.port = std::atoi(env("TB_SSH_PORT").c_str());
    profile.user = env("TB_SSH_USER");
    profile.auth = tl::remote::AuthMethod::KeyFile;
    profile.keyFile = env("TB_SSH_KEY");
    profile.knownHostsFile = env("TB_SSH_KNOWN_HOSTS");
    profile.sshConfigFile = "/dev/null";
    profile.workerCommand = argv[1];
    profile.remoteRoot = "~/bench-latency";
    profile.backend = tl::remote::BackendKind::Slurm;

    tl::app::StoreLane lane;
    lane.open(dir / "torchlight.db");
    tl::app::RemoteRunsController controller(
        lane, dir / "runs", [profile](const std::string &) { return std::optional(profile); }, {});
    QueueWatch queue(profile.user);

    std::vector<std::int64_t> submitted;
    QString failure;
    std::map<std::int64_t, double> shownRunning;
    std::map<std::int64_t, std::string> jobIds;
    std::map<std::int64_t, std::map<std::int64_t, double>> received; // run -> step -> time
    std::set<std::int64_t> finished;
    QObject::connect(&controller, &tl::app::RemoteRunsController::submitted,
                     [&](const std::vector<std::int64_t> &ids) { submitted = ids; });
    QObject::connect(&controller, &tl::app::RemoteRunsController::submitFailed,
                     [&](const QString &why) { failure = why; });
    QObject::connect(&controller, &tl::app::RemoteRunsController::jobChanged,
                     [&](const tl::views::JobRow &job) {
                         jobIds[job.runId] = job.jobId;
                         if (job.schedulerState == "running") {
                             shownRunning.try_emplace(job.runId, now());
                         }
                     });
    QObject::connect(&controller, &tl::app::RemoteRunsController::scalarsArrived,
                     [&](std::int64_t id, const std::vector<tl::views::ChartPoint> &points) {
                         const double at = now();
                         for (const tl::views::ChartPoint &point : points) {
                             if (point.tag == "train/loss") {
                                 received[id].try_emplace(point.step, at);
                             }
                         }
                     });
    QObject::connect(
        &controller, &tl::app::RemoteRunsController::runFinished,
        [&](std::int64_t id, tl::proto::RunState, const QString &) { finished.insert(id); });

    std::vector<double> runningLatency;
    std::vector<std::int64_t> runs;
    for (int i = 0; i < repeats; ++i) {
        submitted.clear();
        controller.submit(profile, {spec(dir / "data")});
        if (!settle([&] { return !submitted.empty() || !failure.isEmpty(); }, 60000)
            || submitted.empty()) {
            std::cerr << "submission failed: " << failure.toStdString() << "\n";
            return 1;
        }
        const std::int64_t id = submitted.front();
        runs.push_back(id);
        if (!settle([&] { return shownRunning.contains(id); }, 60000)) {
            std::cerr << "run " << id << " never showed as running\n";
            return 1;
        }
        // Give the baseline's last poll a moment, then let events flow for 4 s.
        settle([] { return false; }, 4000);
        const std::optional<double> since = queue.runningSince(jobIds[id]);
        if (since) {
            runningLatency.push_back(shownRunning[id] - *since);
        }
        controller.cancel(id);
        if (!settle([&] { return finished.contains(id); }, 60000)) {
            std::cerr << "run " << id << " did not end after scancel\n";
            return 1;
        }
        std::printf("job %s: RUNNING shown %.3f s after squeue saw it; %zu losses received\n",
                    jobIds[id].c_str(), since ? shownRunning[id] - *since : -1.0,
                    received[id].size());
    }

    // Event latencies: receive time against the worker's wall time of each loss.
    std::optional<tl::store::RunStore> store;
    {
        auto opened = tl::store::RunStore::open(dir / "torchlight.db");
        if (!opened) {
            std::cerr << opened.error().describe() << "\n";
            return 1;
        }
        store.emplace(std::move(opened).value());
    }
    std::vector<double> eventLatency;
    for (std::int64_t id : runs) {
        auto points = store->scalars(id, "train/loss");
        if (!points) {
            std::cerr << points.error().describe() << "\n";
            return 1;
        }
        for (const tl::store::ScalarPoint &point : points.value()) {
            auto at = received[id].find(point.step);
            if (at != received[id].end()) {
                eventLatency.push_back(at->second - point.wallTime);
            }
        }
    }
    std::printf("| | median | 95th percentile | max | samples |\n|---|---|---|---|---|\n");
    std::printf("| RUNNING in squeue → jobs panel | %.3f s | %.3f s | %.3f s | %zu jobs |\n",
                percentile(runningLatency, 0.5), percentile(runningLatency, 0.95),
                percentile(runningLatency, 1.0), runningLatency.size());
    std::printf("| loss written → chart | %.3f s | %.3f s | %.3f s | %zu events |\n",
                percentile(eventLatency, 0.5), percentile(eventLatency, 0.95),
                percentile(eventLatency, 1.0), eventLatency.size());
    return 0;
}
