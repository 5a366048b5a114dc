#include "runners/checkpoint.h"

#include "runners/graph_module.h"
#include "runners/optimizers.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <system_error>

namespace tl::runners {
namespace {

using base::ErrorCode;

const char *const kSumPrefix = "sum/";

std::int64_t readInt(torch::serialize::InputArchive &archive, const std::string &key)
{
    torch::Tensor value;
    archive.read(key, value);
    return value.item<std::int64_t>();
}

torch::Tensor readOptional(torch::serialize::InputArchive &archive, const std::string &key)
{
    torch::Tensor value;
    if (!archive.try_read(key, value)) {
        return {};
    }
    return value;
}

void writeState(torch::serialize::OutputArchive &archive, const TrainingState &state)
{
    archive.write("epoch", torch::tensor(static_cast<std::int64_t>(state.epoch)));
    archive.write("step", torch::tensor(state.step));
    archive.write("step_in_epoch", torch::tensor(state.stepInEpoch));
    const std::pair<const char *, const torch::Tensor *> generators[] = {
        {"generator/epoch", &state.epochGenerator},
        {"generator/cpu", &state.cpuGenerator},
        {"generator/device", &state.deviceGenerator},
    };
    for (const auto &[key, tensor] : generators) {
        if (tensor->defined()) {
            archive.write(key, tensor->cpu());
        }
    }
    std::string names;
    for (const auto &[name, value] : state.sums) {
        archive.write(kSumPrefix + name, torch::tensor(value, torch::kFloat64));
        names += name + '\n';
    }
    archive.write("sum_names", torch::tensor(std::vector<std::int64_t>(names.begin(), names.end()),
                                             torch::kInt64));
}

TrainingState readState(torch::serialize::InputArchive &archive)
{
    TrainingState state;
    state.epoch = static_cast<std::uint32_t>(readInt(archive, "epoch"));
    state.step = readInt(archive, "step");
    const torch::Tensor inEpoch = readOptional(archive, "step_in_epoch");
    state.stepInEpoch = inEpoch.defined() ? inEpoch.item<std::int64_t>() : 0;
    state.epochGenerator = readOptional(archive, "generator/epoch");
    state.cpuGenerator = readOptional(archive, "generator/cpu");
    state.deviceGenerator = readOptional(archive, "generator/device");
    const torch::Tensor codes = readOptional(archive, "sum_names");
    if (!codes.defined()) {
        return state;
    }
    std::string name;
    for (std::int64_t i = 0; i < codes.numel(); ++i) {
        const char c = static_cast<char>(codes[i].item<std::int64_t>());
        if (c != '\n') {
            name += c;
            continue;
        }
        torch::Tensor value;
        archive.read(kSumPrefix + name, value);
        state.sums[name] = value.item<double>();
        name.clear();
    }
    return state;
}

std::string sizesText(const torch::Tensor &tensor)
{
    std::string text = "[";
    for (std::int64_t i = 0; i < tensor.dim(); ++i) {
        text += (i > 0 ? ", " : "") + std::to_string(tensor.size(i));
    }
    return text + "]";
}

// What keeps the archive from loading into the module: a missing entry or another shape
// (libtorch's load would silently replace a tensor of another shape). Empty when it fits.
std::string mismatch(torch::nn::Module &module,
                     torch::serialize::InputArchive &archive,
                     const std::string &prefix)
{
    const auto check = [&](const std::string &key, const torch::Tensor &mine) -> std::string {
        torch::Tensor stored;
        if (!archive.try_read(key, stored)) {
            return "it holds no " + prefix + key;
        }
        if (stored.sizes() != mine.sizes()) {
            return prefix + key + " is " + sizesText(stored) + " there but " + sizesText(mine)
                   + " in this model";
        }
        return {};
    };
    for (const auto &item : module.named_parameters(/*recurse=*/false)) {
        if (std::string why = check(item.key(), item.value()); !why.empty()) {
            return why;
        }
    }
    for (const auto &item : module.named_buffers(/*recurse=*/false)) {
        if (std::string why = check(item.key(), item.value()); !why.empty()) {
            return why;
        }
    }
    for (const auto &child : module.named_children()) {
        torch::serialize::InputArchive childArchive;
        if (!archive.try_read(child.key(), childArchive)) {
            return "it holds no " + prefix + child.key();
        }
        if (std::string why = mismatch(*child.value(), childArchive, prefix + child.key() + ".");
            !why.empty()) {
            return why;
        }
    }
    return {};
}

} // namespace

base::Status saveAtomically(const std::filesystem::path &file,
                            const std::string &what,
                            const std::function<void(const std::filesystem::path &partial)> &write)
{
    const std::filesystem::path partial = file.string() + ".partial";
    try {
        std::filesystem::create_directories(file.parent_path());
        write(partial);
        std::filesystem::rename(partial, file);
    } catch (const std::exception &error) {
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        return base::makeError(ErrorCode::Io,
                               "The " + what + " cannot be written: " + torchErrorText(error) + ".",
                               file.string());
    }
    return base::okStatus();
}

base::Status saveArchive(torch::serialize::OutputArchive &archive,
                         const std::filesystem::path &file,
                         const std::string &what)
{
    return saveAtomically(file, what, [&archive](const std::filesystem::path &partial) {
        archive.save_to(partial.string());
    });
}

base::Status saveCheckpoint(const std::filesystem::path &file,
                            const torch::nn::Module &module,
                            const Optimizer *optimizer,
                            const TrainingState &state)
{
    torch::serialize::OutputArchive archive;
    try {
        torch::serialize::OutputArchive modelArchive;
        module.save(modelArchive);
        archive.write("model", modelArchive);
        if (optimizer) {
            torch::serialize::OutputArchive optimizerArchive;
            optimizer->save(optimizerArchive);
            archive.write("optimizer", optimizerArchive);
        }
        writeState(archive, state);
    } catch (const std::exception &error) {
        return base::makeError(ErrorCode::Io,
                               "The checkpoint cannot be written: " + torchErrorText(error) + ".",
                               file.string());
    }
    return saveArchive(archive, file, "checkpoint");
}

base::Result<TrainingState>
loadCheckpoint(const std::filesystem::path &file, torch::nn::Module &module, Optimizer *optimizer)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return base::makeError(ErrorCode::NotFound, "The checkpoint file does not exist.",
                               file.string());
    }
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        torch::serialize::InputArchive modelArchive;
        archive.read("model", modelArchive);
        if (const std::string why = mismatch(module, modelArchive, ""); !why.empty()) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "The checkpoint is of another model: " + why + ".",
                                   file.string());
        }
        module.load(modelArchive);
        if (optimizer) {
            torch::serialize::InputArchive optimizerArchive;
            if (!archive.try_read("optimizer", optimizerArchive)) {
                return base::makeError(ErrorCode::InvalidInput,
                                       "The checkpoint holds no optimizer state to resume from.",
                                       file.string());
            }
            if (auto loaded = optimizer->load(optimizerArchive); !loaded) {
                base::Error error = loaded.error();
                error.context = file.string();
                return error;
            }
        }
        return readState(archive);
    } catch (const std::exception &error) {
        return base::makeError(
            ErrorCode::InvalidInput,
            "The checkpoint cannot be loaded into this model: " + torchErrorText(error) + ".",
            file.string());
    }
}

} // namespace tl::runners
