#include "worker_specs.h"

#include "proto/record_io.h"
#include "proto/run_state.h"
#include "proto/spec_io.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace tl::testing {

bool haveFashion()
{
    return fs::exists(kFashion / "train-images-idx3-ubyte.gz");
}

fs::path freshDir(const std::string &name)
{
    return testing::scratchDir(name);
}

void addNode(proto::ModelGraph &graph,
             const std::string &name,
             const std::string &op,
             const std::string &input,
             const char *attr,
             std::int64_t value)
{
    proto::Node *node = graph.add_nodes();
    node->set_name(name);
    node->set_op(op);
    if (!input.empty()) {
        node->add_inputs(input);
    }
    if (attr) {
        (*node->mutable_attrs())[attr].set_i(value);
    }
}

proto::ExperimentSpec mlpSpec(std::uint64_t limit, std::uint32_t epochs, std::int64_t classes)
{
    proto::ExperimentSpec spec;
    spec.set_protocol_version(1);
    spec.set_name("integration");
    proto::DatasetSpec *data = spec.mutable_dataset();
    data->set_name("fashion-mnist");
    data->set_format(proto::DATASET_FORMAT_IDX);
    data->set_train_images((kFashion / "train-images-idx3-ubyte.gz").string());
    data->set_train_labels((kFashion / "train-labels-idx1-ubyte.gz").string());
    data->set_test_images((kFashion / "t10k-images-idx3-ubyte.gz").string());
    data->set_test_labels((kFashion / "t10k-labels-idx1-ubyte.gz").string());
    data->set_train_limit(limit);
    data->set_test_limit(limit);
    proto::ModelGraph *graph = spec.mutable_model();
    graph->set_name("mlp");
    addNode(*graph, "input", "Input", "");
    for (std::int64_t d : {1, 28, 28}) {
        (*graph->mutable_nodes(0)->mutable_attrs())["shape"].mutable_ints()->add_values(d);
    }
    addNode(*graph, "flatten", "Flatten", "input");
    addNode(*graph, "fc1", "Linear", "flatten", "out_features", 128);
    addNode(*graph, "relu1", "ReLU", "fc1");
    addNode(*graph, "fc2", "Linear", "relu1", "out_features", classes);
    graph->set_output("fc2");
    proto::TrainConfig *train = spec.mutable_train();
    train->set_optimizer(proto::OPTIMIZER_SGD);
    train->set_learning_rate(0.05);
    train->set_momentum(0.9);
    train->set_epochs(epochs);
    train->set_batch_size(64);
    train->set_seed(7);
    train->set_threads(1);
    train->set_log_every_steps(10);
    spec.set_device("cpu");
    return spec;
}

fs::path writeSpec(const proto::ExperimentSpec &spec, const fs::path &dir, const std::string &name)
{
    fs::path path = dir / name;
    std::ofstream out(path, std::ios::binary);
    if (path.extension() == ".pbtxt") {
        out << proto::toText(spec);
    } else {
        out << spec.SerializeAsString();
    }
    return path;
}

std::string readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

std::vector<proto::RunEvent> readEvents(const fs::path &runDir)
{
    std::vector<proto::RunEvent> events;
    auto scan = proto::scanRecordFile(
        runDir / "events.tlog", 0, [&](std::string_view payload, std::uint64_t offset) {
            proto::RunEvent event;
            if (!event.ParseFromArray(payload.data(), int(payload.size()))) {
                return base::Status(base::makeError(base::ErrorCode::InvalidInput, "not a RunEvent",
                                                    std::to_string(offset)));
            }
            events.push_back(event);
            return base::okStatus();
        });
    INFO((scan.ok() ? std::string() : scan.error().describe()));
    REQUIRE(scan.ok());
    CHECK(scan.value().tornBytes == 0);
    return events;
}

std::vector<proto::RunState> states(const std::vector<proto::RunEvent> &events)
{
    std::vector<proto::RunState> out;
    for (const proto::RunEvent &e : events) {
        if (e.has_status()) {
            out.push_back(e.status().state());
        }
    }
    return out;
}

std::vector<proto::ScalarEvent> scalars(const std::vector<proto::RunEvent> &events,
                                        const std::string &tag)
{
    std::vector<proto::ScalarEvent> out;
    for (const proto::RunEvent &e : events) {
        if (e.has_scalar() && e.scalar().tag() == tag) {
            out.push_back(e.scalar());
        }
    }
    return out;
}

std::optional<proto::StatusEvent> lastStatus(const std::vector<proto::RunEvent> &events)
{
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
        if (it->has_status()) {
            return it->status();
        }
    }
    return std::nullopt;
}

bool isState(const proto::RunEvent &e, proto::RunState state)
{
    return e.has_status() && e.status().state() == state;
}

std::size_t lineCount(const std::string &text)
{
    return std::size_t(std::count(text.begin(), text.end(), '\n'));
}

int runToExit(WorkerProcess &worker)
{
    const std::optional<int> code = worker.waitForExit(kRunTimeout);
    INFO("stderr: " << worker.stderrText());
    REQUIRE(code.has_value());
    return *code;
}

void appendControl(const fs::path &runDir, const proto::ControlCommand &command)
{
    auto writer = proto::RecordWriter::openFile(runDir / "control.tlog");
    REQUIRE(writer.ok());
    REQUIRE(writer.value().write(command.SerializeAsString()).ok());
}

void appendControl(const fs::path &runDir, proto::ControlCommand::Action action)
{
    appendControl(runDir, proto::controlCommand(action));
}

proto::DebugEvent DebugEvents::next()
{
    std::size_t index = 0;
    std::optional<proto::DebugEvent> found;
    m_worker.waitForEvent(
        [&](const proto::RunEvent &event) {
            const std::size_t at = index++;
            if (at < m_seen || !event.has_debug()) {
                return false;
            }
            m_seen = at + 1;
            found = event.debug();
            return true;
        },
        m_timeout);
    INFO("stderr: " << m_worker.stderrText());
    REQUIRE(found.has_value());
    return *found;
}

} // namespace tl::testing
