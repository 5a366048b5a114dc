// ONNX's convolution, pooling, normalisation, Gemm, softmax and Pad kernels in libtorch ops,
// with ONNX's padding rules (asymmetric pads, auto_pad) and opset-dependent attributes.
#include "runners/onnx_kernel.h"

#include <torch/nn/functional/padding.h>

#include <functional>
#include <limits>
#include <numeric>

namespace tl::runners::onnx_kernels {
namespace {

// ONNX pads [b1, b2, ..., e1, e2, ...] over the spatial dims, as torch's reversed pad list.
std::vector<std::int64_t> torchPads(const std::vector<std::int64_t> &pads)
{
    const std::size_t n = pads.size() / 2;
    std::vector<std::int64_t> out;
    for (std::size_t k = n; k-- > 0;) {
        out.push_back(pads[k]);
        out.push_back(pads[k + n]);
    }
    return out;
}

// Spatial padding of a conv or pool: symmetric pads go to the op itself; asymmetric ones (and
// auto_pad SAME_*) pad the input first with `fill`.
struct Spatial
{
    torch::Tensor input;
    std::vector<std::int64_t> pads; // per spatial dim, symmetric
    bool prePadded = false;         // asymmetric pads were applied to `input` already
};

Spatial spatialPads(const Call &c,
                    torch::Tensor x,
                    const std::vector<std::int64_t> &kernel,
                    const std::vector<std::int64_t> &strides,
                    const std::vector<std::int64_t> &dilations,
                    double fill)
{
    const std::size_t n = kernel.size();
    std::vector<std::int64_t> pads = c.ints("pads");
    const std::string autoPad = c.s("auto_pad", "NOTSET");
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        pads.assign(2 * n, 0);
        for (std::size_t k = 0; k < n; ++k) {
            const std::int64_t size = x.size(static_cast<std::int64_t>(k) + 2);
            const std::int64_t out = (size + strides[k] - 1) / strides[k];
            const std::int64_t total = std::max<std::int64_t>(
                0, (out - 1) * strides[k] + (kernel[k] - 1) * dilations[k] + 1 - size);
            const std::int64_t small = total / 2;
            pads[k] = autoPad == "SAME_UPPER" ? small : total - small;
            pads[k + n] = total - pads[k];
        }
    }
    if (pads.empty()) {
        pads.assign(2 * n, 0);
    }
    bool symmetric = true;
    for (std::size_t k = 0; k < n; ++k) {
        symmetric = symmetric && pads[k] == pads[k + n];
    }
    if (symmetric) {
        return {std::move(x), std::vector<std::int64_t>(pads.begin(), pads.begin() + long(n))};
    }
    return {torch::constant_pad_nd(x, torchPads(pads), fill), std::vector<std::int64_t>(n, 0),
            true};
}

std::vector<std::int64_t> orOnes(std::vector<std::int64_t> values, std::size_t n)
{
    return values.empty() ? std::vector<std::int64_t>(n, 1) : values;
}

} // namespace

Tensors conv(const Call &c)
{
    const torch::Tensor &w = c.at(1);
    const std::size_t n = static_cast<std::size_t>(w.dim() - 2);
    std::vector<std::int64_t> kernel = c.ints("kernel_shape");
    if (kernel.empty()) {
        kernel.assign(w.sizes().begin() + 2, w.sizes().end());
    }
    const auto strides = orOnes(c.ints("strides"), n);
    const auto dilations = orOnes(c.ints("dilations"), n);
    Spatial s = spatialPads(c, c.at(0), kernel, strides, dilations, 0.0);
    return one(torch::convolution(s.input, w, c.has(2) ? c.in[2] : torch::Tensor(), strides, s.pads,
                                  dilations, false, std::vector<std::int64_t>(n, 0),
                                  c.i("group", 1)));
}

Tensors maxPool(const Call &c)
{
    const auto kernel = c.ints("kernel_shape");
    const std::size_t n = kernel.size();
    const auto strides = orOnes(c.ints("strides"), n);
    const auto dilations = orOnes(c.ints("dilations"), n);
    const bool ceil = c.i("ceil_mode", 0) != 0;
    Spatial s = spatialPads(c, c.at(0), kernel, strides, dilations,
                            -std::numeric_limits<double>::infinity());
    if (n == 1) {
        return one(torch::max_pool1d(s.input, kernel, strides, s.pads, dilations, ceil));
    }
    if (n == 2) {
        return one(torch::max_pool2d(s.input, kernel, strides, s.pads, dilations, ceil));
    }
    return one(torch::max_pool3d(s.input, kernel, strides, s.pads, dilations, ceil));
}

Tensors averagePool(const Call &c)
{
    const auto kernel = c.ints("kernel_shape");
    const std::size_t n = kernel.size();
    const auto strides = orOnes(c.ints("strides"), n);
    const bool ceil = c.i("ceil_mode", 0) != 0;
    const bool countPad = c.i("count_include_pad", 0) != 0;
    const std::vector<std::int64_t> dilations(n, 1);
    Spatial s = spatialPads(c, c.at(0), kernel, strides, dilations, 0.0);
    auto pool = [&](const torch::Tensor &t, bool countPadding) {
        if (n == 1) {
            return torch::avg_pool1d(t, kernel, strides, s.pads, ceil, countPadding);
        }
        if (n == 2) {
            return torch::avg_pool2d(t, kernel, strides, s.pads, ceil, countPadding);
        }
        return torch::avg_pool3d(t, kernel, strides, s.pads, ceil, countPadding);
    };
    if (!s.prePadded || countPad) {
        return one(pool(s.input, countPad));
    }
    // Asymmetric pads that must not count: the zeros added are data to libtorch now, so divide
    // the window sums by how many real elements each window holds.
    std::vector<std::int64_t> maskShape(c.at(0).sizes().begin(), c.at(0).sizes().end());
    maskShape[0] = 1;
    maskShape[1] = 1;
    const torch::Tensor mask =
        spatialPads(c, torch::ones(maskShape, c.at(0).options()), kernel, strides, dilations, 0.0)
            .input;
    return one(pool(s.input, true) / pool(mask, true));
}

Tensors gemm(const Call &c)
{
    torch::Tensor a = c.i("transA", 0) ? c.at(0).t() : c.at(0);
    torch::Tensor b = c.i("transB", 0) ? c.at(1).t() : c.at(1);
    torch::Tensor y = torch::matmul(a, b);
    const double alpha = c.f("alpha", 1.0);
    if (alpha != 1.0) {
        y = y * alpha;
    }
    if (c.has(2)) {
        const double beta = c.f("beta", 1.0);
        y = beta == 1.0 ? y + c.in[2] : y + c.in[2] * beta;
    }
    return one(y);
}

Tensors batchNorm(const Call &c)
{
    // ONNX's momentum weighs the running value; PyTorch's weighs the batch. Fine-tuning (the
    // module in training mode) uses batch statistics whatever the exported training_mode says.
    return one(torch::batch_norm(c.at(0), c.at(1), c.at(2), c.at(3), c.at(4), c.training,
                                 1.0 - c.f("momentum", 0.9), c.f("epsilon", 1e-5), true));
}

Tensors layerNorm(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    const std::int64_t axis = normAxis(c.i("axis", -1), x.dim());
    std::vector<std::int64_t> normalized(x.sizes().begin() + axis, x.sizes().end());
    return one(torch::layer_norm(x, normalized, c.at(1), c.has(2) ? c.in[2] : torch::Tensor(),
                                 c.f("epsilon", 1e-5)));
}

// Softmax and LogSoftmax: over one axis from opset 13, over the flattened tail before it.
Tensors softmaxLike(const Call &c, bool logarithm)
{
    const torch::Tensor &x = c.at(0);
    auto apply = [&](const torch::Tensor &t, std::int64_t dim) {
        return logarithm ? torch::log_softmax(t, dim) : torch::softmax(t, dim);
    };
    if (c.opset >= 13) {
        return one(apply(x, normAxis(c.i("axis", -1), x.dim())));
    }
    const std::int64_t axis = normAxis(c.i("axis", 1), x.dim());
    const std::int64_t outer = std::accumulate(x.sizes().begin(), x.sizes().begin() + axis,
                                               std::int64_t{1}, std::multiplies<>());
    return one(apply(x.reshape({outer, -1}), 1).reshape(x.sizes()));
}

Tensors pad(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    const std::vector<std::int64_t> pads = intsFromInputOrAttr(c, 1, 11, "pads");
    const std::string mode = c.s("mode", "constant");
    double value = c.opset >= 11 ? 0.0 : c.f("value", 0.0);
    if (c.opset >= 11 && c.has(2)) {
        value = c.in[2].to(torch::kCPU, torch::kFloat64).item<double>();
    }
    std::vector<std::int64_t> torchOrder;
    const std::size_t n = pads.size() / 2;
    for (std::size_t k = n; k-- > 0;) {
        torchOrder.push_back(pads[k]);
        torchOrder.push_back(pads[k + n]);
    }
    if (mode == "constant") {
        return one(torch::constant_pad_nd(x, torchOrder, value));
    }
    // reflect/edge pad only trailing dims in libtorch: trim the leading zero pairs.
    while (torchOrder.size() > 2 && torchOrder[torchOrder.size() - 1] == 0
           && torchOrder[torchOrder.size() - 2] == 0) {
        torchOrder.resize(torchOrder.size() - 2);
    }
    namespace F = torch::nn::functional;
    auto options = F::PadFuncOptions(torchOrder);
    if (mode == "reflect") {
        return one(F::pad(x, options.mode(torch::kReflect)));
    }
    return one(F::pad(x, options.mode(torch::kReplicate)));
}

} // namespace tl::runners::onnx_kernels
