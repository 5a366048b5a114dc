// Command-line parsing of the model-file subcommands (runners/model_commands.h); torch-free.
#include "runners/model_commands.h"

#include <algorithm>
#include <map>

namespace tl::runners {
namespace {

base::Error usageError(const std::string &message)
{
    return base::makeError(base::ErrorCode::InvalidInput, message);
}

// "--flag value" or "--flag=value" for each of `flags`; other arguments are positional.
struct ParsedFlags
{
    std::map<std::string, std::string> values;
    std::vector<std::string> positional;
};

base::Result<ParsedFlags> parseFlags(const std::vector<std::string> &args,
                                     const std::vector<std::string> &flags,
                                     const std::string &command)
{
    ParsedFlags out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (!arg.starts_with("--")) {
            out.positional.push_back(arg);
            continue;
        }
        const std::size_t equals = arg.find('=');
        const std::string flag = arg.substr(0, equals);
        if (std::find(flags.begin(), flags.end(), flag) == flags.end()) {
            return usageError("Unknown argument '" + arg + "' for " + command + ".");
        }
        std::string value;
        if (equals != std::string::npos) {
            value = arg.substr(equals + 1);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        }
        if (value.empty()) {
            return usageError(flag + " needs a non-empty value.");
        }
        out.values[flag] = value;
    }
    return out;
}

base::Status require(const ParsedFlags &parsed, const std::string &flag, const std::string &usage)
{
    if (!parsed.values.count(flag)) {
        return usageError(usage + " needs " + flag + ".");
    }
    return base::okStatus();
}

} // namespace

base::Result<EvalArgs> parseEvalArgs(const std::vector<std::string> &args)
{
    auto parsed = parseFlags(args, {"--model", "--input", "--output", "--device"}, "eval");
    if (!parsed) {
        return parsed.error();
    }
    const ParsedFlags &flags = parsed.value();
    if (!flags.positional.empty()) {
        return usageError("Unexpected argument '" + flags.positional.front() + "' for eval.");
    }
    for (const char *flag : {"--model", "--input", "--output"}) {
        if (auto ok = require(flags, flag, "eval"); !ok) {
            return ok.error();
        }
    }
    EvalArgs out;
    out.model = flags.values.at("--model");
    out.input = flags.values.at("--input");
    out.output = flags.values.at("--output");
    if (auto it = flags.values.find("--device"); it != flags.values.end()) {
        out.device = it->second;
    }
    return out;
}

base::Result<InspectModelArgs> parseInspectModelArgs(const std::vector<std::string> &args)
{
    auto parsed = parseFlags(args, {"--view"}, "inspect-model");
    if (!parsed) {
        return parsed.error();
    }
    const ParsedFlags &flags = parsed.value();
    if (flags.positional.size() != 1) {
        return usageError("inspect-model needs exactly one model FILE.");
    }
    InspectModelArgs out;
    out.model = flags.positional.front();
    if (auto it = flags.values.find("--view"); it != flags.values.end()) {
        out.view = it->second;
    }
    return out;
}

base::Result<ExportOnnxArgs> parseExportOnnxArgs(const std::vector<std::string> &args)
{
    auto parsed = parseFlags(args, {"--spec", "--output", "--checkpoint"}, "export-onnx");
    if (!parsed) {
        return parsed.error();
    }
    const ParsedFlags &flags = parsed.value();
    if (!flags.positional.empty()) {
        return usageError("Unexpected argument '" + flags.positional.front()
                          + "' for export-onnx.");
    }
    for (const char *flag : {"--spec", "--output"}) {
        if (auto ok = require(flags, flag, "export-onnx"); !ok) {
            return ok.error();
        }
    }
    ExportOnnxArgs out;
    out.spec = flags.values.at("--spec");
    out.output = flags.values.at("--output");
    if (auto it = flags.values.find("--checkpoint"); it != flags.values.end()) {
        out.checkpoint = it->second;
    }
    return out;
}

} // namespace tl::runners
