#include "runners/inspect_dataset_command.h"

#include "datasets/dataset_loader.h"
#include "datasets/dataset_summary.h"
#include "runners/exit_codes.h"

#include <charconv>
#include <cstdio>

namespace tl::runners {
namespace {

base::Error usageError(const std::string &message)
{
    return base::makeError(base::ErrorCode::InvalidInput, message);
}

base::Result<double> parseFraction(const std::string &flag, const std::string &text)
{
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return usageError(flag + " needs a number such as 0.1, found '" + text + "'.");
    }
    return value;
}

// Applies one flag that takes a value; false when `flag` is not one of them.
base::Result<bool>
applyValueFlag(const std::string &flag, const std::string &value, proto::DatasetSpec &spec)
{
    if (flag == "--label-column") {
        spec.mutable_csv()->set_label_column(value);
    } else if (flag == "--delimiter") {
        spec.mutable_csv()->set_delimiter(value);
    } else if (flag == "--val-fraction" || flag == "--test-fraction") {
        auto fraction = parseFraction(flag, value);
        if (!fraction) {
            return fraction.error();
        }
        if (flag == "--val-fraction") {
            spec.mutable_split()->set_val_fraction(fraction.value());
        } else {
            spec.mutable_split()->set_test_fraction(fraction.value());
        }
    } else if (flag == "--seed") {
        std::uint64_t seed = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seed);
        if (ec != std::errc() || end != value.data() + value.size()) {
            return usageError("--seed needs a non-negative integer, found '" + value + "'.");
        }
        spec.mutable_split()->set_seed(seed);
    } else {
        return false;
    }
    return true;
}

// Copies the options the user set on the command line over the recognised spec.
void applyOverrides(const proto::DatasetSpec &overrides, proto::DatasetSpec &spec)
{
    if (overrides.has_csv()) {
        if (!overrides.csv().label_column().empty()) {
            spec.mutable_csv()->set_label_column(overrides.csv().label_column());
        }
        if (!overrides.csv().delimiter().empty()) {
            spec.mutable_csv()->set_delimiter(overrides.csv().delimiter());
        }
    }
    if (overrides.has_split()) {
        *spec.mutable_split() = overrides.split();
    }
    if (overrides.bad_samples() != proto::BAD_SAMPLE_STOP) {
        spec.set_bad_samples(overrides.bad_samples());
    }
    if (overrides.cifar100_coarse_labels()) {
        spec.set_cifar100_coarse_labels(true);
    }
}

} // namespace

base::Result<InspectArgs> parseInspectArgs(const std::vector<std::string> &args)
{
    InspectArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg == "--skip-bad") {
            out.overrides.set_bad_samples(proto::BAD_SAMPLE_SKIP);
            continue;
        }
        if (arg == "--coarse-labels") {
            out.overrides.set_cifar100_coarse_labels(true);
            continue;
        }
        if (arg.starts_with("--")) {
            if (i + 1 >= args.size()) {
                return usageError(arg + " needs a value.");
            }
            auto applied = applyValueFlag(arg, args[i + 1], out.overrides);
            if (!applied) {
                return applied.error();
            }
            if (!applied.value()) {
                return usageError("Unknown argument '" + arg + "' for inspect-dataset.");
            }
            ++i;
            continue;
        }
        out.paths.emplace_back(arg);
    }
    if (out.paths.empty()) {
        return usageError("inspect-dataset needs at least one PATH (files or a folder).");
    }
    return out;
}

int runInspectDataset(const InspectArgs &args)
{
    std::vector<std::string> notes;
    auto recognized = datasets::recognizeDataset(args.paths, &notes);
    if (!recognized) {
        std::fprintf(stderr, "torchlight-worker: %s\n", recognized.error().describe().c_str());
        return toInt(ExitCode::InvalidInput);
    }
    proto::DatasetSpec spec = std::move(recognized).value();
    applyOverrides(args.overrides, spec);
    auto dataset = datasets::loadDataset(spec);
    if (!dataset) {
        std::fprintf(stderr, "torchlight-worker: %s\n", dataset.error().describe().c_str());
        return toInt(ExitCode::InvalidInput);
    }
    datasets::DatasetSummary summary = datasets::summarize(dataset.value(), spec);
    summary.warnings.insert(summary.warnings.begin(), notes.begin(), notes.end());
    std::printf("%s\n", datasets::toJson(summary).c_str());
    return toInt(ExitCode::Success);
}

std::string inspectUsage()
{
    return "inspect-dataset  Recognises the dataset in PATH... (files or one folder) by content,\n"
           "           loads it as training would, and prints one JSON object on stdout: format,\n"
           "           sources, splits with sample and class counts, sample shape and dtype,\n"
           "           class names, per-channel mean/std/min/max of train, memory, warnings.\n"
           "           Exits 3 with the error (file and position) on stderr if it cannot.\n"
           "  --label-column C   CSV: the label column, by header name or 0-based index\n"
           "  --delimiter D      CSV: the delimiter (default: sniffed)\n"
           "  --val-fraction F   hold out F of train for validation (0 to 0.9)\n"
           "  --test-fraction F  test share when the source has no test split (default 0.2)\n"
           "  --seed N           seed of the split draws\n"
           "  --skip-bad         skip unreadable CSV rows and images instead of failing\n"
           "  --coarse-labels    CIFAR-100: the 20 superclasses\n";
}

} // namespace tl::runners
