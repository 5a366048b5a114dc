#include "proto/spec_io.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>

namespace tl::proto {
namespace {

using base::ErrorCode;

class FirstError : public google::protobuf::io::ErrorCollector
{
public:
    void AddError(int line, int column, const std::string &message) override
    {
        if (m_message.empty()) {
            m_message = "line " + std::to_string(line + 1) + ", column "
                        + std::to_string(column + 1) + ": " + message;
        }
    }
    const std::string &message() const { return m_message; }

private:
    std::string m_message;
};

base::Result<std::string> readWholeFile(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return base::makeError(ErrorCode::NotFound, "The experiment spec cannot be opened.",
                               path.string());
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

base::Status writeWholeFile(const std::filesystem::path &path, const std::string &bytes)
{
    // Write then rename, so a reader never sees half a spec.
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) {
            return base::makeError(ErrorCode::Io, "The file cannot be written.", tmp.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        return base::makeError(ErrorCode::Io, "The file cannot be renamed: " + ec.message() + ".",
                               path.string());
    }
    return base::okStatus();
}

} // namespace

base::Result<ExperimentSpec> parseExperimentSpecText(const std::string &text,
                                                     const std::string &source)
{
    ExperimentSpec spec;
    FirstError errors;
    google::protobuf::TextFormat::Parser parser;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(text, &spec)) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The experiment spec is not valid protobuf text.",
                               source + ", " + errors.message());
    }
    return spec;
}

base::Result<ExperimentSpec> readExperimentSpec(const std::filesystem::path &path)
{
    auto bytes = readWholeFile(path);
    if (!bytes) {
        return bytes.error();
    }
    if (path.extension() == ".pbtxt") {
        return parseExperimentSpecText(bytes.value(), path.string());
    }
    ExperimentSpec spec;
    if (!spec.ParseFromString(bytes.value())) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The experiment spec is not a valid binary ExperimentSpec "
                               "(use the .pbtxt extension for text format).",
                               path.string());
    }
    return spec;
}

base::Status writeExperimentSpec(const ExperimentSpec &spec, const std::filesystem::path &runDir)
{
    std::string binary;
    if (!spec.SerializeToString(&binary)) {
        return base::makeError(ErrorCode::InvalidInput, "The experiment spec cannot be encoded.",
                               runDir.string());
    }
    if (auto s = writeWholeFile(runDir / "experiment.pb", binary); !s) {
        return s;
    }
    return writeWholeFile(runDir / "experiment.pbtxt", toText(spec));
}

std::string toText(const google::protobuf::Message &message)
{
    std::string text;
    google::protobuf::TextFormat::PrintToString(message, &text);
    return text;
}

} // namespace tl::proto
