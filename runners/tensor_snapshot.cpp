#include "runners/tensor_snapshot.h"

namespace tl::runners {

std::string dtypeName(c10::ScalarType type)
{
    switch (type) {
    case c10::ScalarType::Float:
        return "float32";
    case c10::ScalarType::Double:
        return "float64";
    case c10::ScalarType::Half:
        return "float16";
    case c10::ScalarType::BFloat16:
        return "bfloat16";
    case c10::ScalarType::Long:
        return "int64";
    case c10::ScalarType::Int:
        return "int32";
    case c10::ScalarType::Bool:
        return "bool";
    case c10::ScalarType::Byte:
        return "uint8";
    default:
        return c10::toString(type);
    }
}

proto::TensorSnapshot
snapshotOf(const std::string &name, const torch::Tensor &tensor, SnapshotLimits limits)
{
    proto::TensorSnapshot snapshot;
    snapshot.set_name(name);
    if (!tensor.defined()) {
        return snapshot;
    }
    for (std::int64_t size : tensor.sizes()) {
        snapshot.add_shape(size);
    }
    snapshot.set_dtype(dtypeName(tensor.scalar_type()));
    const std::int64_t count = tensor.numel();
    snapshot.set_count(static_cast<std::uint64_t>(count));
    if (count == 0) {
        return snapshot;
    }
    torch::NoGradGuard noGrad;
    const torch::Tensor all = tensor.detach().to(torch::kCPU).to(torch::kFloat64).flatten();
    auto counted = [](const torch::Tensor &mask) {
        return static_cast<std::uint64_t>(mask.sum().item<std::int64_t>());
    };
    snapshot.set_nan_count(counted(all.isnan()));
    snapshot.set_inf_count(counted(all.isinf()));
    snapshot.set_zero_count(counted(all.eq(0)));
    const torch::Tensor finite = all.masked_select(torch::isfinite(all));
    if (finite.numel() > 0) {
        const double low = finite.min().item<double>();
        const double high = finite.max().item<double>();
        snapshot.set_min(low);
        snapshot.set_max(high);
        snapshot.set_mean(finite.mean().item<double>());
        snapshot.set_std(finite.numel() > 1 ? finite.std(/*unbiased=*/false).item<double>() : 0.0);
        // histc widens an empty range by itself; its bins are equal-width over [low, high].
        const torch::Tensor histogram = torch::histc(finite, limits.bins, low, high);
        const auto bins = histogram.accessor<double, 1>();
        for (std::int64_t i = 0; i < bins.size(0); ++i) {
            snapshot.add_histogram(static_cast<std::uint64_t>(bins[i]));
        }
    }
    const std::int64_t kept =
        std::min<std::int64_t>(count, static_cast<std::int64_t>(limits.values));
    const torch::Tensor first = all.narrow(0, 0, kept).to(torch::kFloat32).contiguous();
    const float *data = first.data_ptr<float>();
    snapshot.mutable_values()->Add(data, data + kept);
    return snapshot;
}

bool hasNonFinite(const torch::Tensor &tensor)
{
    if (!tensor.defined() || !tensor.is_floating_point() || tensor.numel() == 0) {
        return false;
    }
    torch::NoGradGuard noGrad;
    return !torch::isfinite(tensor.detach()).all().item<bool>();
}

} // namespace tl::runners
