#pragma once
// A run's local folder and its row in the store, made on the store lane before a worker starts
// (locally) or a run is pushed to a remote platform (where the folder holds the spec and the
// mirrored events.tlog). Shared by TrainingSession and RemoteRunsController.

#include "base/result.h"
#include "proto/torchlight.pb.h"
#include "store/run_store.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tl::app {

struct PreparedRun
{
    std::int64_t runId = 0;
    std::filesystem::path runDir;
};

// "Fashion-MNIST MLP" -> "fashion-mnist-mlp": safe in any file system and shell; "run" when
// nothing is left.
std::string runSlug(const std::string &name);

// "<yyyyMMdd-HHmmss>" of now, local time: the prefix of run folder names.
std::string runStamp();

// The folder name of a submission on a remote host: "<stamp>-<slug of the first spec's
// name>-<4 random hex digits>", "-sweep" appended for several specs. The random part keeps two
// desktops submitting the same name in the same second to one host apart.
std::string remoteRunName(const std::vector<proto::ExperimentSpec> &specs);

// On the lane: a fresh folder runsRoot/<stamp>-<slug of the spec's name> ("-2", "-3", ... when
// taken) with the spec in it, and the run's row in the store.
base::Result<PreparedRun> prepareRun(store::RunStore &store,
                                     const proto::ExperimentSpec &spec,
                                     const std::filesystem::path &runsRoot,
                                     const std::string &stamp);

} // namespace tl::app
