#include "proto/spec_io.h"

#include <catch2/catch.hpp>

#include <filesystem>

namespace fs = std::filesystem;
using namespace tl::proto;

TEST_CASE("An experiment spec round-trips through experiment.pb and experiment.pbtxt", "[proto]")
{
    ExperimentSpec spec;
    spec.set_protocol_version(kProtocolVersion);
    spec.set_name("round trip");
    spec.mutable_train()->set_epochs(3);
    auto *node = spec.mutable_model()->add_nodes();
    node->set_name("fc1");
    node->set_op("Linear");
    (*node->mutable_attrs())["out_features"].set_i(128);

    const fs::path dir = fs::temp_directory_path() / "tl_test_spec_io";
    fs::remove_all(dir);
    fs::create_directories(dir);
    REQUIRE(writeExperimentSpec(spec, dir).ok());
    for (const char *name : {"experiment.pb", "experiment.pbtxt"}) {
        auto back = readExperimentSpec(dir / name);
        REQUIRE(back.ok());
        CHECK(back.value().name() == "round trip");
        CHECK(back.value().model().nodes(0).attrs().at("out_features").i() == 128);
    }
}

TEST_CASE("A malformed text spec names its line and column", "[proto]")
{
    auto r = parseExperimentSpecText("name: \"x\"\ntrain { epochs: -zz }\n", "bad.pbtxt");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().context, Catch::StartsWith("bad.pbtxt, line 2"));
}

TEST_CASE("A binary spec that is not protobuf is rejected with a hint", "[proto]")
{
    const fs::path p = fs::temp_directory_path() / "tl_test_garbage.pb";
    {
        std::FILE *f = std::fopen(p.c_str(), "wb");
        std::fputs("\xff\xff\xff\xff garbage", f);
        std::fclose(f);
    }
    auto r = readExperimentSpec(p);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains(".pbtxt"));
}
