#include "runners/devices.h"
#include "runners/exit_codes.h"
#include "runners/worker_cli.h"

#include <catch2/catch.hpp>

using namespace tl;
using runners::DeviceRequest;

TEST_CASE("train takes --spec, --run-dir, --device and --progress in either flag form", "[runners]")
{
    auto args = runners::parseTrainArgs(
        {"--spec", "exp.pbtxt", "--run-dir=runs/1", "--device=cuda:1", "--progress"});
    REQUIRE(args.ok());
    CHECK(args.value().spec == "exp.pbtxt");
    CHECK(args.value().runDir == "runs/1");
    REQUIRE(args.value().device.has_value());
    CHECK(args.value().device->id() == "cuda:1");
    CHECK(args.value().progressBar);

    auto minimal = runners::parseTrainArgs({"--run-dir", "r", "--spec=s.pb"});
    REQUIRE(minimal.ok());
    CHECK_FALSE(minimal.value().device.has_value());
    CHECK_FALSE(minimal.value().progressBar);
}

TEST_CASE("train's usage errors say what is wrong", "[runners]")
{
    CHECK_THAT(runners::parseTrainArgs({"--run-dir", "r"}).error().message,
               Catch::Contains("--spec"));
    CHECK_THAT(runners::parseTrainArgs({"--spec", "s"}).error().message,
               Catch::Contains("--run-dir"));
    CHECK_THAT(runners::parseTrainArgs({"--spec"}).error().message,
               Catch::Contains("needs a value"));
    CHECK_THAT(runners::parseTrainArgs({"--spec", "s", "--run-dir", "r", "--fast"}).error().message,
               Catch::Contains("'--fast'"));
    CHECK_THAT(runners::parseTrainArgs({"--spec", "s", "--run-dir", "r", "--device", "gpu"})
                   .error()
                   .message,
               Catch::Contains("'gpu'"));
    CHECK_FALSE(runners::parseTrainArgs({"--spec=", "--run-dir", "r"}).ok());
}

TEST_CASE("devices takes only --records", "[runners]")
{
    CHECK_FALSE(runners::parseDevicesArgs({}).value().records);
    CHECK(runners::parseDevicesArgs({"--records"}).value().records);
    CHECK_FALSE(runners::parseDevicesArgs({"--json"}).ok());
}

TEST_CASE("Device strings are cpu, cuda or cuda:N", "[runners]")
{
    CHECK(runners::parseDevice("").value().id() == "cpu");
    CHECK(runners::parseDevice("cpu").value().id() == "cpu");
    CHECK(runners::parseDevice("cuda").value().id() == "cuda:0");
    CHECK(runners::parseDevice("cuda:3").value().index == 3);
    for (const char *bad : {"CPU", "cuda:", "cuda:-1", "cuda:1x", "cuda:99999", "gpu", " cpu"}) {
        CHECK_FALSE(runners::parseDevice(bad).ok());
    }
}

TEST_CASE("The CPU is always available and listed first", "[runners]")
{
    CHECK(runners::checkDeviceAvailable(DeviceRequest{}).ok());
    const proto::DeviceList devices = runners::availableDevices();
    REQUIRE(devices.devices_size() >= 1);
    CHECK(devices.devices(0).id() == "cpu");
    CHECK_THAT(devices.devices(0).name(), Catch::Contains("cores)"));
    CHECK(devices.devices(0).memory_bytes() > 0);
    CHECK_THAT(runners::describeDevices(devices), Catch::StartsWith("cpu "));
}

TEST_CASE("The help text documents every subcommand, flag and exit code", "[runners]")
{
    const std::string help = runners::usageText();
    for (const char *word :
         {"train", "devices", "--spec", "--run-dir", "--device", "--progress", "--records",
          "events.tlog", "control.tlog", "worker.log", "checkpoints/"}) {
        CHECK_THAT(help, Catch::Contains(word));
    }
    using runners::ExitCode;
    for (ExitCode code :
         {ExitCode::Success, ExitCode::TrainingFailed, ExitCode::UsageError, ExitCode::InvalidInput,
          ExitCode::DeviceUnavailable, ExitCode::RunDirNotWritable}) {
        CHECK_THAT(help, Catch::Contains("  " + std::to_string(runners::toInt(code)) + "  "
                                         + runners::exitCodeMeaning(code)));
    }
}
