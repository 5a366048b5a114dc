#pragma once
// Plain rows that RunStore returns: value types, no thread affinity, no SQLite in sight.
// Times are seconds since the Unix epoch (the unit of RunEvent.wall_time).

#include "proto/torchlight.pb.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace tl::store {

// COMPLETED, FAILED, STOPPED and INTERRUPTED: the run will not change by itself any more.
// One run as the runs table shows it: identity, state and the latest progress.
struct RunRecord
{
    std::int64_t id = 0;
    std::string name;
    std::filesystem::path runDir;
    proto::RunState state = proto::RUN_STATE_UNSPECIFIED;
    std::string statusMessage;
    double createdAt = 0;
    double finishedAt = 0; // 0 while the run has no terminal state
    std::uint32_t epoch = 0;
    std::uint32_t epochs = 0;
    std::uint64_t step = 0;
    std::uint64_t totalSteps = 0;
    double samplesPerSecond = 0;
    double etaSeconds = 0;
    double loss = 0;                  // latest training loss of the latest progress event
    std::uint64_t ingestedOffset = 0; // events file byte where the next ingest resumes
    std::string device;               // as the spec says: "cpu", "cuda:0", or empty
};

struct ScalarPoint
{
    std::int64_t step = 0;
    double value = 0; // NaN survives the store (a diverged loss is data too)
    double wallTime = 0;
};

// Points of one tag folded into one pixel column. minValue/maxValue keep spikes visible;
// NaN points are counted but do not take part in min, max or mean.
struct ScalarBucket
{
    std::int64_t firstStep = 0; // the bucket's step range: its first and last point
    std::int64_t lastStep = 0;
    double minValue = 0;
    double maxValue = 0;
    double meanValue = 0;
    std::int64_t count = 0; // points folded into this bucket
};

struct LogLine
{
    std::uint64_t offset = 0; // byte offset of the record in the events file
    double wallTime = 0;
    proto::LogLevel level = proto::LOG_LEVEL_INFO;
    std::string text;
};

struct CheckpointRecord
{
    std::uint64_t offset = 0; // byte offset of the record in the events file
    double wallTime = 0;
    std::string path; // relative to the run directory
    std::uint32_t epoch = 0;
    std::int64_t step = 0;
    proto::CheckpointKind kind = proto::CHECKPOINT_LAST;
    std::string metric; // BEST: the metric it was best on, and its value
    double value = 0;
};

// The latest evaluation of one split of a run, as the worker reported it.
struct EvaluationRecord
{
    std::string split; // "val", "test"
    std::int64_t step = 0;
    std::uint32_t epoch = 0;
    double wallTime = 0;
    proto::EvaluationEvent evaluation;
};

// A run pushed to a remote platform: enough to find it again after the app restarts.
struct RemoteJobRecord
{
    std::int64_t runId = 0;
    std::string profile;         // the connection profile's name
    std::string backend;         // "ssh", "slurm", "kubernetes"
    std::string host;            // user@host:port as connected
    std::string remoteDir;       // the run's folder on the host (absolute)
    std::string jobId;           // ssh: the process group's PID; slurm: "123" or "123_4"; k8s: Job
    std::string schedulerState;  // as the backend last said ("PENDING", "RUNNING", ...)
    std::string reason;          // why, when the backend said ("Resources", "time limit reached")
    bool outputsFetched = false; // the final model and checkpoints are in the local run folder
};

// What one RunStore::ingest() call did.
struct IngestReport
{
    std::uint64_t records = 0; // complete records read and committed by this call
    std::uint64_t scalars = 0; // of which scalar events
    std::uint64_t startOffset = 0;
    std::uint64_t endOffset = 0; // the new stored offset: just past the last committed record
    std::uint64_t tornBytes =
        0; // bytes after endOffset not yet a whole record (still being written)
};

// Sees each event an ingest() stores, in file order, on the store's thread (so a caller can
// update live views without reading the file a second time).
using EventObserver = std::function<void(const proto::RunEvent &event)>;

} // namespace tl::store
