#include "remote/remote_platform.h"
#include "remote/slurm_state.h"

#include <catch2/catch.hpp>

using tl::remote::slurmState;

TEST_CASE("Slurm's job states read as run states with the reason shown", "[remote][slurm]")
{
    auto pending = slurmState("PENDING", "Resources");
    CHECK(pending.state == tl::proto::RUN_STATE_STARTING);
    CHECK_FALSE(pending.ended);
    CHECK(pending.reason == "pending: Resources");

    CHECK(slurmState("RUNNING", "None").state == tl::proto::RUN_STATE_RUNNING);
    CHECK(slurmState("RUNNING", "None").reason.empty());
    CHECK(slurmState("COMPLETING", "None").state == tl::proto::RUN_STATE_RUNNING);
    CHECK(slurmState("SUSPENDED", "None").state == tl::proto::RUN_STATE_PAUSED);

    auto timeout = slurmState("TIMEOUT", "TimeLimit");
    CHECK(timeout.state == tl::proto::RUN_STATE_FAILED);
    CHECK(timeout.ended);
    CHECK(timeout.reason == "time limit reached: TimeLimit");
    CHECK(slurmState("OUT_OF_MEMORY", "None").reason == "out of memory");
    CHECK(slurmState("CANCELLED by 1000", "None").state == tl::proto::RUN_STATE_STOPPED);
    CHECK(slurmState("PREEMPTED", "None").state == tl::proto::RUN_STATE_FAILED);
    auto requeued = slurmState("REQUEUED", "None");
    CHECK(requeued.state == tl::proto::RUN_STATE_STARTING);
    CHECK_FALSE(requeued.ended);
    CHECK(slurmState("NODE_FAIL", "None").ended);

    auto unknown = slurmState("SOMETHING_NEW", "None");
    CHECK(unknown.state == tl::proto::RUN_STATE_UNSPECIFIED);
    CHECK(unknown.reason == "unknown Slurm state SOMETHING_NEW");
}

TEST_CASE("The worker script quotes the profile's worker and the device, and records the exit "
          "code",
          "[remote][security]")
{
    tl::remote::ConnectionProfile profile;
    profile.workerCommand = "/opt/my tools/torchlight-worker";
    profile.workerPrefix = "module load cuda/12 &&";
    std::string script = tl::remote::RemotePlatform::workerScript(profile, "\"$RUN\"", "cuda:0");
    CHECK_THAT(script, Catch::Contains("cd \"$RUN\" || exit 1\n"));
    CHECK_THAT(script,
               Catch::Contains("module load cuda/12 && '/opt/my tools/torchlight-worker' train "
                               "--spec experiment.pb --run-dir \"$RUN\" --device cuda:0"));
    CHECK_THAT(script, Catch::Contains("echo $? >exit_code.part && mv exit_code.part exit_code"));
    // A hostile device name stays one word.
    std::string hostile = tl::remote::RemotePlatform::workerScript(profile, "x", "cpu; rm -rf ~");
    CHECK_THAT(hostile, Catch::Contains("--device 'cpu; rm -rf ~'"));
}
