// The chosen arrays become sample sets: labels first (small, and a bad label is found before
// the big read), then the features in the layout their shape and dtype call for.
#include "datasets/numpy_reader.h"

#include "datasets/idx_codec.h"
#include "datasets/numpy_sources.h"

#include <algorithm>

namespace tl::datasets {
namespace {

using base::ErrorCode;
using detail::ArrayRoles;
using detail::groupedNumber;
using detail::NumpyArrayInfo;
using detail::NumpySource;

// Labels above this are not class indices but some other number (an id, a measurement).
constexpr std::int64_t kMaxClasses = 100000;
// Bytes of samples reordered between two looks at the stop token.
constexpr std::size_t kReorderBytes = std::size_t{4} << 20;

// How the samples of a features array are laid out (see numpy_reader.h).
struct Layout
{
    std::vector<std::int64_t> shape; // one sample
    ValueType type = ValueType::Float32;
    bool channelsLast = false; // stored H×W×C: reorder each sample to C×H×W
};

bool isChannelCount(std::uint64_t n)
{
    return n == 1 || n == 3 || n == 4;
}

Layout layoutOf(const NpyHeader &header)
{
    const auto &s = header.shape;
    const bool u8 = header.dtype.kind == NpyKind::UInt && header.dtype.itemSize == 1;
    Layout layout;
    layout.type = u8 ? ValueType::UInt8 : ValueType::Float32;
    auto dim = [&](std::size_t i) {
        return static_cast<std::int64_t>(s[i]);
    };
    if (s.size() == 3 && u8) {
        layout.shape = {1, dim(1), dim(2)};
    } else if (s.size() == 4 && isChannelCount(s[1]) && s[2] > 4 && s[3] > 4) {
        layout.shape = {dim(1), dim(2), dim(3)};
    } else if (s.size() == 4 && isChannelCount(s[3])) {
        layout.shape = {dim(3), dim(1), dim(2)};
        layout.channelsLast = true;
    } else {
        layout.type = ValueType::Float32;
        layout.shape = {static_cast<std::int64_t>(
            s.empty() ? 1 : header.count() / std::max<std::uint64_t>(s[0], 1))};
    }
    return layout;
}

// Reorders each sample of `values` from H×W×C to C×H×W, in place through one sample of scratch.
template<typename T>
bool toChannelsFirst(std::vector<T> &values,
                     const std::vector<std::int64_t> &shape,
                     std::stop_token stop)
{
    const auto channels = static_cast<std::size_t>(shape[0]);
    const auto pixels = static_cast<std::size_t>(shape[1] * shape[2]);
    const std::size_t sampleSize = channels * pixels;
    std::vector<T> scratch(sampleSize);
    const std::size_t samplesPerCheck =
        std::max<std::size_t>(1, kReorderBytes / (sampleSize * sizeof(T)));
    for (std::size_t sample = 0; sample * sampleSize < values.size(); ++sample) {
        if (sample % samplesPerCheck == 0 && stop.stop_requested()) {
            return false;
        }
        T *first = values.data() + sample * sampleSize;
        std::copy(first, first + sampleSize, scratch.begin());
        for (std::size_t p = 0; p < pixels; ++p) {
            for (std::size_t c = 0; c < channels; ++c) {
                first[c * pixels + p] = scratch[p * channels + c];
            }
        }
    }
    return true;
}

base::Error invalid(const std::string &message, const std::string &context)
{
    return base::makeError(ErrorCode::InvalidInput, message, context);
}

// Checks the pair from its headers alone, before any data is read.
base::Status checkPair(const NumpySource &source, const NumpyArrayInfo &x, const NumpyArrayInfo &y)
{
    const auto &xs = x.header.shape;
    const auto &ys = y.header.shape;
    if (xs.empty()) {
        return invalid("The samples array " + x.describe()
                           + " holds a single value; it needs one row per sample.",
                       x.source);
    }
    if (xs[0] == 0) {
        return invalid("The samples array " + x.describe() + " holds no samples.", x.source);
    }
    if (x.header.count() == 0) {
        return invalid("The samples array " + x.describe() + " has no values per sample.",
                       x.source);
    }
    if (ys.empty() || ys.size() > 2 || (ys.size() == 2 && ys[1] != 1)) {
        return invalid("The labels array " + y.describe()
                           + " must hold one class index per sample, shaped N or N×1 (store "
                             "one-hot labels as their argmax).",
                       y.source);
    }
    if (xs[0] != ys[0]) {
        return invalid(x.name + " has " + groupedNumber(xs[0]) + " samples but " + y.name + " has "
                           + groupedNumber(ys[0])
                           + " labels; the arrays must have one label per sample.",
                       source.label());
    }
    return base::okStatus();
}

// Reads the arrays one after another; progress counts bytes of all of them.
class ArrayLoader
{
public:
    ArrayLoader(const NumpySource &source, const ReadContext &context, std::uint64_t total)
        : m_source(source)
        , m_context(context)
        , m_total(total)
    {}

    base::Result<NpyArray> load(const NumpyArrayInfo &info)
    {
        const std::uint64_t base = m_done;
        base::ProgressFn progress;
        if (m_context.progress) {
            progress = [this, base](std::uint64_t done, std::uint64_t, std::string_view what) {
                m_context.progress(base + done, m_total, what);
            };
        }
        m_done += info.header.dataOffset + info.header.dataBytes();
        auto array = info.file.empty() ? readMember(info, progress)
                                       : readNpyFile(info.file, m_context.stop, progress);
        if (array && array.value().header.shape != info.header.shape) {
            return invalid("The array changed while it was being read: it was "
                               + info.header.describe() + ", now it is "
                               + array.value().header.describe() + ".",
                           info.source);
        }
        return array;
    }

    std::stop_token stop() const { return m_context.stop; }

private:
    base::Result<NpyArray> readMember(const NumpyArrayInfo &info, const base::ProgressFn &progress)
    {
        const ZipArchive &archive = *m_source.archive;
        auto bytes = archive.read(archive.entries()[info.entry], m_context.stop, progress);
        if (!bytes) {
            return bytes.error();
        }
        return parseNpy(std::move(bytes.value()), info.source, m_context.stop);
    }

    const NumpySource &m_source;
    const ReadContext &m_context;
    std::uint64_t m_total = 0;
    std::uint64_t m_done = 0;
};

base::Error cancelled(const std::string &context)
{
    return base::makeError(ErrorCode::Cancelled, "Reading the NumPy arrays was cancelled.",
                           context);
}

// The samples of one features array as the layout says.
base::Status
fillSamples(SampleSet &set, NpyArray array, const NumpyArrayInfo &info, std::stop_token stop)
{
    const Layout layout = layoutOf(array.header);
    set.shape = layout.shape;
    set.type = layout.type;
    bool done = true;
    if (layout.type == ValueType::UInt8) {
        set.u8 = std::move(array.data);
        done = !layout.channelsLast || toChannelsFirst(set.u8, set.shape, stop);
    } else {
        auto values = npyToFloat32(array, info.source, stop);
        if (!values) {
            return values.error();
        }
        array.data = {};
        set.f32 = std::move(values.value());
        done = !layout.channelsLast || toChannelsFirst(set.f32, set.shape, stop);
    }
    return done ? base::okStatus() : base::Status(cancelled(info.source));
}

base::Result<SampleSet> readSplit(ArrayLoader &loader,
                                  const NumpyArrayInfo &x,
                                  const NumpyArrayInfo &y,
                                  std::vector<std::string> &warnings)
{
    SampleSet set;
    // The labels first: they are small, and a bad label is found before the big read.
    auto labelArray = loader.load(y);
    if (!labelArray) {
        return labelArray.error();
    }
    auto labels = npyToLabels(labelArray.value(), y.source, loader.stop());
    if (!labels) {
        return labels.error();
    }
    set.labels = std::move(labels.value());
    auto features = loader.load(x);
    if (!features) {
        return features.error();
    }
    const Layout layout = layoutOf(features.value().header);
    if (auto filled = fillSamples(set, std::move(features.value()), x, loader.stop()); !filled) {
        return filled.error();
    }
    if (layout.channelsLast) {
        warnings.push_back(x.source + ": the images are stored as " + x.header.describe()
                           + " (N×H×W×C, channels last); converted to channels first ("
                           + std::to_string(set.shape[0]) + "×" + std::to_string(set.shape[1]) + "×"
                           + std::to_string(set.shape[2]) + ").");
    }
    return set;
}

std::string sampleText(const SampleSet &set)
{
    std::string out;
    for (std::size_t i = 0; i < set.shape.size(); ++i) {
        out += (i ? "×" : "") + std::to_string(set.shape[i]);
    }
    return out + " " + valueTypeName(set.type);
}

base::Status setClassNames(SourceData &data, const std::string &context)
{
    std::int64_t largest = -1;
    for (const SampleSet *set : {&data.train, data.test ? &*data.test : nullptr}) {
        if (set && !set->labels.empty()) {
            largest = std::max(largest, *std::max_element(set->labels.begin(), set->labels.end()));
        }
    }
    if (largest >= kMaxClasses) {
        return invalid("The labels go up to " + groupedNumber(static_cast<std::uint64_t>(largest))
                           + "; class indices must stay below " + groupedNumber(kMaxClasses)
                           + " (are these really class labels?).",
                       context);
    }
    for (std::int64_t i = 0; i <= largest; ++i) {
        data.classNames.push_back(std::to_string(i));
    }
    return base::okStatus();
}

base::Result<NumpySource> openSource(const std::vector<std::filesystem::path> &paths)
{
    auto source = detail::collectNumpyFiles(paths);
    if (!source) {
        return source.error();
    }
    if (auto listed = detail::listNumpyArrays(source.value()); !listed) {
        return listed.error();
    }
    return source;
}

base::Status checkRoles(const NumpySource &source, const ArrayRoles &roles)
{
    if (auto train = checkPair(source, *roles.features, *roles.labels); !train) {
        return train;
    }
    return roles.testFeatures ? checkPair(source, *roles.testFeatures, *roles.testLabels)
                              : base::okStatus();
}

std::uint64_t totalBytes(const ArrayRoles &roles)
{
    std::uint64_t total = 0;
    for (const NumpyArrayInfo *info :
         {roles.features, roles.labels, roles.testFeatures, roles.testLabels}) {
        total += info ? info->header.dataOffset + info->header.dataBytes() : 0;
    }
    return total;
}

} // namespace

Recognition recognizeNumpy(const std::vector<std::filesystem::path> &dropped)
{
    auto source = openSource(dropped);
    if (!source) {
        return source.error();
    }
    const NumpySource &s = source.value();
    auto roles = detail::chooseNumpyArrays(s, {});
    if (!roles) {
        return roles.error();
    }
    if (auto checked = checkRoles(s, roles.value()); !checked) {
        return checked.error();
    }
    proto::DatasetSpec spec;
    spec.set_name(s.name);
    spec.set_format(proto::DATASET_FORMAT_NUMPY);
    for (const auto &file : s.files) {
        spec.add_sources(file.string());
    }
    auto ref = [&](const NumpyArrayInfo *info) {
        return !info ? std::string() : s.archive ? info->name : info->file.string();
    };
    proto::NumpyArrays &numpy = *spec.mutable_numpy();
    numpy.set_features(ref(roles.value().features));
    numpy.set_labels(ref(roles.value().labels));
    numpy.set_test_features(ref(roles.value().testFeatures));
    numpy.set_test_labels(ref(roles.value().testLabels));
    return spec;
}

base::Result<SourceData> readNumpy(const proto::DatasetSpec &spec, const ReadContext &context)
{
    if (spec.sources().empty()) {
        return invalid("The NumPy dataset names no files; choose an .npz archive or .npy files.",
                       spec.name().empty() ? "the NumPy dataset" : spec.name());
    }
    const std::vector<std::filesystem::path> paths(spec.sources().begin(), spec.sources().end());
    auto source = openSource(paths);
    if (!source) {
        return source.error();
    }
    const NumpySource &s = source.value();
    auto chosen = detail::chooseNumpyArrays(s, spec.numpy());
    if (!chosen) {
        return chosen.error();
    }
    const ArrayRoles &roles = chosen.value();
    if (auto checked = checkRoles(s, roles); !checked) {
        return checked.error();
    }
    SourceData data;
    data.format = s.archive ? "npz" : "npy";
    data.warnings = roles.warnings;
    ArrayLoader loader(s, context, totalBytes(roles));
    auto train = readSplit(loader, *roles.features, *roles.labels, data.warnings);
    if (!train) {
        return train.error();
    }
    data.train = std::move(train.value());
    if (roles.testFeatures) {
        auto test = readSplit(loader, *roles.testFeatures, *roles.testLabels, data.warnings);
        if (!test) {
            return test.error();
        }
        if (test.value().shape != data.train.shape || test.value().type != data.train.type) {
            return invalid("The test samples of " + roles.testFeatures->name + " are "
                               + sampleText(test.value()) + ", unlike the " + sampleText(data.train)
                               + " samples of " + roles.features->name + ".",
                           s.label());
        }
        data.test = std::move(test.value());
    }
    if (auto named = setClassNames(data, s.label()); !named) {
        return named.error();
    }
    return data;
}

} // namespace tl::datasets
