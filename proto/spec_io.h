#pragma once
// Reading and writing ExperimentSpec files: binary `.pb` or protobuf text `.pbtxt`.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <string>

namespace tl::proto {

inline constexpr std::uint32_t kProtocolVersion = 1;

// Reads a spec; the format follows the extension (".pbtxt" is text, anything else binary).
// Text parse errors name the line and column.
base::Result<ExperimentSpec> readExperimentSpec(const std::filesystem::path &path);

// Parses text format; `source` names the text in errors.
base::Result<ExperimentSpec> parseExperimentSpecText(const std::string &text,
                                                     const std::string &source);

// Writes runDir/experiment.pb and runDir/experiment.pbtxt (DESIGN.md, Files a run leaves).
base::Status writeExperimentSpec(const ExperimentSpec &spec, const std::filesystem::path &runDir);

std::string toText(const google::protobuf::Message &message);

} // namespace tl::proto
