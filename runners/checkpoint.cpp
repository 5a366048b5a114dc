#include "runners/checkpoint.h"

#include "runners/graph_module.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <system_error>

namespace tl::runners {
namespace {

using base::ErrorCode;

std::int64_t readInt(torch::serialize::InputArchive &archive, const std::string &key)
{
    torch::Tensor value;
    archive.read(key, value);
    return value.item<std::int64_t>();
}

} // namespace

base::Status saveCheckpoint(const std::filesystem::path &file,
                            const torch::nn::Module &module,
                            const torch::optim::Optimizer *optimizer,
                            CheckpointInfo info)
{
    const std::filesystem::path partial = file.string() + ".partial";
    try {
        torch::serialize::OutputArchive archive;
        torch::serialize::OutputArchive modelArchive;
        module.save(modelArchive);
        archive.write("model", modelArchive);
        if (optimizer) {
            torch::serialize::OutputArchive optimizerArchive;
            optimizer->save(optimizerArchive);
            archive.write("optimizer", optimizerArchive);
        }
        archive.write("epoch", torch::tensor(static_cast<std::int64_t>(info.epoch)));
        archive.write("step", torch::tensor(info.step));
        std::filesystem::create_directories(file.parent_path());
        archive.save_to(partial.string());
        std::filesystem::rename(partial, file);
    } catch (const std::exception &error) {
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        return base::makeError(ErrorCode::Io,
                               "The checkpoint cannot be written: " + torchErrorText(error) + ".",
                               file.string());
    }
    return base::okStatus();
}

base::Result<CheckpointInfo> loadCheckpoint(const std::filesystem::path &file,
                                            torch::nn::Module &module,
                                            torch::optim::Optimizer *optimizer)
{
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        torch::serialize::InputArchive modelArchive;
        archive.read("model", modelArchive);
        module.load(modelArchive);
        if (optimizer) {
            torch::serialize::InputArchive optimizerArchive;
            archive.read("optimizer", optimizerArchive);
            optimizer->load(optimizerArchive);
        }
        CheckpointInfo info;
        info.epoch = static_cast<std::uint32_t>(readInt(archive, "epoch"));
        info.step = readInt(archive, "step");
        return info;
    } catch (const std::exception &error) {
        return base::makeError(
            ErrorCode::InvalidInput,
            "The checkpoint cannot be loaded into this model: " + torchErrorText(error) + ".",
            file.string());
    }
}

} // namespace tl::runners
