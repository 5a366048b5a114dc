#include "store/spec_params.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <string_view>

namespace tl::store {
namespace {

// Shortest text that reads back as the same double: "0.001", not "0.0010000000000000000208".
std::string number(double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

// "OPTIMIZER_ADAM" → "adam"; a value this build does not know keeps its number.
std::string optimizerName(proto::Optimizer optimizer)
{
    constexpr std::string_view kPrefix = "OPTIMIZER_";
    std::string name = proto::Optimizer_Name(optimizer);
    if (name.empty()) {
        return std::to_string(static_cast<int>(optimizer));
    }
    if (std::string_view(name).substr(0, kPrefix.size()) == kPrefix) {
        name.erase(0, kPrefix.size());
    }
    for (char &c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return name;
}

} // namespace

std::map<std::string, std::string> specParams(const proto::ExperimentSpec &spec)
{
    const proto::TrainConfig &train = spec.train();
    return {
        {"optimizer", optimizerName(train.optimizer())},
        {"learning_rate", number(train.learning_rate())},
        {"momentum", number(train.momentum())},
        {"weight_decay", number(train.weight_decay())},
        {"epochs", std::to_string(train.epochs())},
        {"batch_size", std::to_string(train.batch_size())},
        {"seed", std::to_string(train.seed())},
        {"threads", std::to_string(train.threads())},
        {"log_every_steps", std::to_string(train.log_every_steps())},
        // A fine-tuned model file goes by its file name (the path may be long and local).
        {"model", spec.model_file().empty()
                      ? spec.model().name()
                      : std::filesystem::path(spec.model_file()).filename().string()},
        {"dataset", spec.dataset().name()},
        {"train_limit", std::to_string(spec.dataset().train_limit())},
        {"test_limit", std::to_string(spec.dataset().test_limit())},
        {"device", spec.device()},
    };
}

} // namespace tl::store
