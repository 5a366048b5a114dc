#include "app/run_directory.h"

#include "proto/spec_io.h"

#include <QDateTime>

#include <random>
#include <system_error>

namespace tl::app {

namespace fs = std::filesystem;

std::string runSlug(const std::string &name)
{
    std::string out;
    for (char c : name) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (keep || (c >= 'A' && c <= 'Z')) {
            out += keep ? c : static_cast<char>(c - 'A' + 'a');
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
    }
    while (!out.empty() && out.back() == '-') {
        out.pop_back();
    }
    return out.empty() ? std::string("run") : out.substr(0, 60);
}

std::string runStamp()
{
    return QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")).toStdString();
}

std::string remoteRunName(const std::vector<proto::ExperimentSpec> &specs)
{
    std::random_device device;
    const unsigned value = std::uniform_int_distribution<unsigned>(0, 0xffff)(device);
    const char *digits = "0123456789abcdef";
    std::string name =
        runStamp() + "-" + runSlug(specs.empty() ? std::string() : specs.front().name());
    name += '-';
    for (int shift = 12; shift >= 0; shift -= 4) {
        name += digits[(value >> shift) & 0xf];
    }
    if (specs.size() > 1) {
        name += "-sweep";
    }
    return name;
}

base::Result<PreparedRun> prepareRun(store::RunStore &store,
                                     const proto::ExperimentSpec &spec,
                                     const fs::path &runsRoot,
                                     const std::string &stamp)
{
    const std::string base = stamp + "-" + runSlug(spec.name());
    fs::path dir = runsRoot / base;
    std::error_code ec;
    // Two runs started within one second get "-2", "-3", ...
    for (int n = 2; fs::exists(dir, ec); ++n) {
        dir = runsRoot / (base + "-" + std::to_string(n));
    }
    if (!fs::create_directories(dir, ec) || ec) {
        return base::makeError(base::ErrorCode::Io,
                               "The run directory cannot be created: " + ec.message() + ".",
                               dir.string());
    }
    if (base::Status written = proto::writeExperimentSpec(spec, dir); !written) {
        return written.error();
    }
    base::Result<std::int64_t> runId = store.createRun(spec, dir);
    if (!runId) {
        return runId.error();
    }
    return PreparedRun{runId.value(), dir};
}

} // namespace tl::app
