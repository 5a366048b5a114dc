#pragma once
// What the store tests share: a temp directory per test, a spec, and an events file writer
// that speaks RunEvents through the real record framing.

#include "proto/record_io.h"
#include "proto/torchlight.pb.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace tl::store::test {

namespace fs = std::filesystem;

// A fresh directory, removed again at the end of the test. The pid keeps parallel ctest
// processes apart.
class TempDir
{
public:
    TempDir()
    {
        static std::atomic<int> counter{0};
        m_path = fs::temp_directory_path()
                 / ("tl_test_store_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    const fs::path &path() const { return m_path; }
    operator const fs::path &() const { return m_path; }
    fs::path operator/(const std::string &name) const { return m_path / name; }

private:
    fs::path m_path;
};

inline proto::ExperimentSpec makeSpec(const std::string &name = "mnist-mlp")
{
    proto::ExperimentSpec spec;
    spec.set_protocol_version(1);
    spec.set_name(name);
    spec.set_device("cuda:0");
    spec.mutable_dataset()->set_name("fashion-mnist");
    spec.mutable_dataset()->set_train_limit(1000);
    spec.mutable_model()->set_name("mlp-784-128-10");
    spec.mutable_model()->add_nodes()->set_name("input");
    proto::TrainConfig *train = spec.mutable_train();
    train->set_optimizer(proto::OPTIMIZER_ADAM);
    train->set_learning_rate(0.001);
    train->set_batch_size(64);
    train->set_epochs(2);
    train->set_seed(42);
    return spec;
}

// Appends RunEvents to an events file, each a whole framed record.
class EventsWriter
{
public:
    explicit EventsWriter(fs::path path) : m_path(std::move(path)) {}

    // Appends one record and returns its byte offset.
    std::uint64_t write(const proto::RunEvent &event)
    {
        return writeRaw(event.SerializeAsString());
    }

    std::uint64_t writeRaw(const std::string &payload)
    {
        const std::uint64_t at = size();
        auto writer = proto::RecordWriter::openFile(m_path);
        REQUIRE(writer.ok());
        REQUIRE(writer.value().write(payload).ok());
        return at;
    }

    // Appends bytes as they are: a torn tail or damage.
    void append(const std::string &bytes)
    {
        std::ofstream out(m_path, std::ios::binary | std::ios::app);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        REQUIRE(out.good());
    }

    std::uint64_t
    scalar(const std::string &tag, std::int64_t step, double value, double wallTime = 1000.0)
    {
        proto::RunEvent event;
        event.set_wall_time(wallTime);
        event.mutable_scalar()->set_tag(tag);
        event.mutable_scalar()->set_step(step);
        event.mutable_scalar()->set_value(value);
        return write(event);
    }

    std::uint64_t
    status(proto::RunState state, const std::string &message, double wallTime = 2000.0)
    {
        proto::RunEvent event;
        event.set_wall_time(wallTime);
        event.mutable_status()->set_state(state);
        event.mutable_status()->set_message(message);
        return write(event);
    }

    std::uint64_t log(proto::LogLevel level, const std::string &text)
    {
        proto::RunEvent event;
        event.set_wall_time(1500.0);
        event.mutable_log()->set_level(level);
        event.mutable_log()->set_text(text);
        return write(event);
    }

    std::uint64_t checkpoint(const std::string &path, std::uint32_t epoch, std::int64_t step)
    {
        proto::RunEvent event;
        event.set_wall_time(1600.0);
        event.mutable_checkpoint()->set_path(path);
        event.mutable_checkpoint()->set_epoch(epoch);
        event.mutable_checkpoint()->set_step(step);
        return write(event);
    }

    std::uint64_t checkpoint(const std::string &path,
                             std::int64_t step,
                             proto::CheckpointKind kind,
                             const std::string &metric = {},
                             double value = 0)
    {
        proto::RunEvent event;
        event.set_wall_time(1650.0);
        proto::CheckpointEvent *c = event.mutable_checkpoint();
        c->set_path(path);
        c->set_epoch(1);
        c->set_step(step);
        c->set_kind(kind);
        c->set_metric(metric);
        c->set_value(value);
        return write(event);
    }

    // A 2-class evaluation of split at step: [[right0, wrong0], [wrong1, right1]].
    std::uint64_t evaluation(const std::string &split,
                             std::int64_t step,
                             std::uint64_t right0,
                             std::uint64_t wrong0,
                             std::uint64_t wrong1,
                             std::uint64_t right1)
    {
        proto::RunEvent event;
        event.set_wall_time(1700.0 + static_cast<double>(step));
        proto::EvaluationEvent *e = event.mutable_evaluation();
        e->set_split(split);
        e->set_step(step);
        e->set_epoch(static_cast<std::uint32_t>(step / 10));
        const std::uint64_t samples = right0 + wrong0 + wrong1 + right1;
        e->set_samples(samples);
        e->set_accuracy(static_cast<double>(right0 + right1) / static_cast<double>(samples));
        e->set_loss(0.5);
        e->add_class_names("cat");
        e->add_class_names("dog");
        e->add_class_accuracy(static_cast<double>(right0) / static_cast<double>(right0 + wrong0));
        e->add_class_accuracy(static_cast<double>(right1) / static_cast<double>(right1 + wrong1));
        for (std::uint64_t count : {right0, wrong0, wrong1, right1}) {
            e->add_confusion(count);
        }
        return write(event);
    }

    std::uint64_t progress(std::uint32_t epoch, std::uint64_t step, double samplesPerSecond)
    {
        proto::RunEvent event;
        proto::ProgressEvent *p = event.mutable_progress();
        p->set_epoch(epoch);
        p->set_epochs(2);
        p->set_step(step);
        p->set_total_steps(40);
        p->set_samples_per_second(samplesPerSecond);
        p->set_eta_seconds(3.5);
        p->set_loss(0.25);
        return write(event);
    }

    std::uint64_t size() const { return fs::exists(m_path) ? fs::file_size(m_path) : 0; }
    const fs::path &path() const { return m_path; }

private:
    fs::path m_path;
};

} // namespace tl::store::test
