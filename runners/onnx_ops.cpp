// The ONNX ops the worker runs (model::runnableOnnxOps()), each with ONNX's semantics written
// in libtorch ops; convolutions, pooling and normalisation live in onnx_ops_nn.cpp.
#include "runners/onnx_kernel.h"
#include "runners/onnx_module.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace tl::runners {
namespace onnx_kernels {

std::vector<std::int64_t> hostInts(const torch::Tensor &tensor)
{
    torch::Tensor flat = tensor.to(torch::kCPU, torch::kInt64).contiguous().flatten();
    const std::int64_t *data = flat.data_ptr<std::int64_t>();
    return {data, data + flat.numel()};
}

std::int64_t normAxis(std::int64_t axis, std::int64_t rank)
{
    const std::int64_t normalized = axis < 0 ? axis + rank : axis;
    if (normalized < 0 || normalized >= std::max<std::int64_t>(rank, 1)) {
        throw std::invalid_argument("axis " + std::to_string(axis) + " is outside a tensor of rank "
                                    + std::to_string(rank));
    }
    return normalized;
}

// Inputs from opset `since` on, attributes before it (Squeeze's axes, Slice's starts, ...).
std::vector<std::int64_t>
intsFromInputOrAttr(const Call &c, std::size_t index, std::int64_t since, const std::string &name)
{
    if (c.opset >= since) {
        return c.has(index) ? hostInts(c.in[index]) : std::vector<std::int64_t>{};
    }
    return c.ints(name);
}

Tensors one(torch::Tensor tensor)
{
    return {std::move(tensor)};
}

} // namespace onnx_kernels

namespace {

using namespace onnx_kernels;

Tensors flatten(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    const std::int64_t axis = c.i("axis", 1) < 0 ? c.i("axis", 1) + x.dim() : c.i("axis", 1);
    const std::int64_t outer = std::accumulate(x.sizes().begin(), x.sizes().begin() + axis,
                                               std::int64_t{1}, std::multiplies<>());
    return one(x.reshape({outer, -1}));
}

Tensors reshape(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    std::vector<std::int64_t> shape = hostInts(c.at(1));
    if (c.i("allowzero", 0) == 0) {
        for (std::size_t k = 0; k < shape.size(); ++k) {
            if (shape[k] == 0) {
                shape[k] = x.size(static_cast<std::int64_t>(k));
            }
        }
    }
    return one(x.reshape(shape));
}

Tensors transpose(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    std::vector<std::int64_t> perm = c.ints("perm");
    if (perm.empty()) {
        for (std::int64_t k = x.dim(); k-- > 0;) {
            perm.push_back(k);
        }
    }
    return one(x.permute(perm));
}

Tensors concat(const Call &c)
{
    Tensors parts;
    for (const torch::Tensor &t : c.in) {
        if (t.defined() && !(t.dim() == 1 && t.numel() == 0)) {
            parts.push_back(t);
        }
    }
    if (parts.empty()) {
        return one(c.at(0));
    }
    return one(torch::cat(parts, normAxis(c.i("axis", 0), parts.front().dim())));
}

torch::Tensor attrTensor(const onnx::AttributeProto &a)
{
    return tensorFromOnnx(a.t());
}

Tensors constant(const Call &c)
{
    if (const auto *a = c.attr("value")) {
        return one(attrTensor(*a));
    }
    if (const auto *a = c.attr("value_float")) {
        return one(torch::tensor(a->f(), torch::kFloat32).reshape({}));
    }
    if (const auto *a = c.attr("value_floats")) {
        return one(torch::tensor(std::vector<float>(a->floats().begin(), a->floats().end())));
    }
    if (const auto *a = c.attr("value_int")) {
        return one(torch::tensor(a->i(), torch::kInt64).reshape({}));
    }
    if (const auto *a = c.attr("value_ints")) {
        return one(torch::tensor(std::vector<std::int64_t>(a->ints().begin(), a->ints().end())));
    }
    throw std::invalid_argument("Constant has no value attribute Torchlight reads");
}

Tensors constantOfShape(const Call &c)
{
    torch::Tensor value =
        c.attr("value") ? attrTensor(*c.attr("value")) : torch::zeros({1}, torch::kFloat32);
    return one(torch::full(hostInts(c.at(0)), value.flatten()[0].item(),
                           torch::TensorOptions().dtype(value.scalar_type())));
}

Tensors shapeOf(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    const std::int64_t rank = x.dim();
    auto clampAxis = [&](std::int64_t axis) {
        return std::clamp<std::int64_t>(axis < 0 ? axis + rank : axis, 0, rank);
    };
    const std::int64_t start = clampAxis(c.i("start", 0));
    const std::int64_t end = clampAxis(c.i("end", rank));
    std::vector<std::int64_t> dims;
    for (std::int64_t k = start; k < end; ++k) {
        dims.push_back(x.size(k));
    }
    return one(torch::tensor(dims, torch::kInt64));
}

Tensors gather(const Call &c)
{
    const torch::Tensor &data = c.at(0);
    const std::int64_t axis = normAxis(c.i("axis", 0), data.dim());
    torch::Tensor indices = c.at(1).to(data.device(), torch::kInt64);
    indices = torch::where(indices < 0, indices + data.size(axis), indices);
    std::vector<std::int64_t> shape(data.sizes().begin(), data.sizes().begin() + axis);
    shape.insert(shape.end(), indices.sizes().begin(), indices.sizes().end());
    shape.insert(shape.end(), data.sizes().begin() + axis + 1, data.sizes().end());
    return one(data.index_select(axis, indices.flatten()).reshape(shape));
}

Tensors slice(const Call &c)
{
    torch::Tensor x = c.at(0);
    const auto starts = intsFromInputOrAttr(c, 1, 10, "starts");
    const auto ends = intsFromInputOrAttr(c, 2, 10, "ends");
    auto axes = intsFromInputOrAttr(c, 3, 10, "axes");
    const auto steps = c.opset >= 10 && c.has(4) ? hostInts(c.in[4]) : std::vector<std::int64_t>{};
    for (std::size_t k = 0; k < starts.size(); ++k) {
        const std::int64_t axis = normAxis(axes.empty() ? std::int64_t(k) : axes[k], x.dim());
        const std::int64_t size = x.size(axis);
        const std::int64_t step = steps.empty() ? 1 : steps[k];
        auto clampIndex = [&](std::int64_t v, std::int64_t low, std::int64_t high) {
            return std::clamp<std::int64_t>(v < 0 ? v + size : v, low, high);
        };
        if (step > 0) {
            x = x.slice(axis, clampIndex(starts[k], 0, size), clampIndex(ends[k], 0, size), step);
        } else {
            const std::int64_t from = clampIndex(starts[k], 0, size - 1);
            const std::int64_t to = ends[k] < -size ? -1 : clampIndex(ends[k], -1, size - 1);
            x = x.index_select(axis, torch::arange(from, to, step, torch::kInt64).to(x.device()));
        }
    }
    return one(x);
}

Tensors split(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    const std::int64_t axis = normAxis(c.i("axis", 0), x.dim());
    std::vector<std::int64_t> sizes = intsFromInputOrAttr(c, 1, 13, "split");
    if (sizes.empty()) {
        const std::int64_t parts = c.i("num_outputs", c.node.output_size());
        const std::int64_t each = (x.size(axis) + parts - 1) / parts;
        return x.split(each, axis);
    }
    return x.split_with_sizes(sizes, axis);
}

Tensors squeeze(const Call &c)
{
    torch::Tensor x = c.at(0);
    std::vector<std::int64_t> axes = intsFromInputOrAttr(c, 1, 13, "axes");
    if (axes.empty()) {
        return one(x.squeeze());
    }
    for (auto &axis : axes) {
        axis = normAxis(axis, x.dim());
    }
    std::sort(axes.rbegin(), axes.rend());
    for (std::int64_t axis : axes) {
        x = x.squeeze(axis);
    }
    return one(x);
}

Tensors unsqueeze(const Call &c)
{
    torch::Tensor x = c.at(0);
    std::vector<std::int64_t> axes = intsFromInputOrAttr(c, 1, 13, "axes");
    const std::int64_t rank = x.dim() + static_cast<std::int64_t>(axes.size());
    for (auto &axis : axes) {
        axis = normAxis(axis, rank);
    }
    std::sort(axes.begin(), axes.end());
    for (std::int64_t axis : axes) {
        x = x.unsqueeze(axis);
    }
    return one(x);
}

// ReduceMean/Max/Sum: axes from an input (ReduceSum from opset 13) or the attribute.
Tensors reduce(const Call &c, const std::string &kind)
{
    const torch::Tensor &x = c.at(0);
    std::vector<std::int64_t> axes = intsFromInputOrAttr(c, 1, kind == "sum" ? 13 : 18, "axes");
    const bool keep = c.i("keepdims", 1) != 0;
    if (axes.empty()) {
        if (c.i("noop_with_empty_axes", 0) != 0) {
            return one(x);
        }
        for (std::int64_t k = 0; k < x.dim(); ++k) {
            axes.push_back(k);
        }
    }
    if (kind == "mean") {
        return one(x.mean(axes, keep));
    }
    if (kind == "sum") {
        return one(x.sum(axes, keep));
    }
    torch::Tensor y = x;
    std::sort(axes.rbegin(), axes.rend());
    for (std::int64_t axis : axes) {
        y = std::get<0>(y.max(normAxis(axis, x.dim()), keep));
    }
    return one(y);
}

Tensors clip(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    if (c.opset < 11) {
        return one(torch::clamp(x, c.f("min", -std::numeric_limits<float>::infinity()),
                                c.f("max", std::numeric_limits<float>::infinity())));
    }
    c10::optional<torch::Tensor> low;
    c10::optional<torch::Tensor> high;
    if (c.has(1)) {
        low = c.in[1].to(x.device(), x.scalar_type());
    }
    if (c.has(2)) {
        high = c.in[2].to(x.device(), x.scalar_type());
    }
    return one(torch::clamp(x, low, high));
}

Tensors expand(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    std::vector<std::int64_t> shape = hostInts(c.at(1));
    // Bidirectional broadcasting: a 1 in `shape` keeps the input's size.
    const std::int64_t rank = std::max<std::int64_t>(x.dim(), std::int64_t(shape.size()));
    std::vector<std::int64_t> out(static_cast<std::size_t>(rank), 1);
    for (std::int64_t k = 0; k < rank; ++k) {
        const std::int64_t xi = k - (rank - x.dim());
        const std::int64_t si = k - (rank - std::int64_t(shape.size()));
        const std::int64_t a = xi >= 0 ? x.size(xi) : 1;
        const std::int64_t b = si >= 0 ? shape[std::size_t(si)] : 1;
        out[std::size_t(k)] = a == 1 ? b : a;
    }
    return one(x.expand(out));
}

Tensors range(const Call &c)
{
    const torch::Tensor start = c.at(0).to(torch::kCPU);
    if (start.is_floating_point()) {
        return one(torch::arange(start.item<double>(), c.at(1).item<double>(),
                                 c.at(2).item<double>(),
                                 torch::TensorOptions().dtype(start.scalar_type())));
    }
    return one(torch::arange(start.item<std::int64_t>(), c.at(1).item<std::int64_t>(),
                             c.at(2).item<std::int64_t>(),
                             torch::TensorOptions().dtype(start.scalar_type())));
}

Tensors dropout(const Call &c)
{
    double ratio = c.f("ratio", 0.5);
    if (c.opset >= 12 && c.has(1)) {
        ratio = c.in[1].to(torch::kCPU, torch::kFloat64).item<double>();
    }
    bool training = c.training;
    if (c.opset >= 12 && c.has(2)) {
        training = training && c.in[2].to(torch::kCPU).item<bool>();
    }
    return one(torch::dropout(c.at(0), ratio, training));
}

// Max, Min, Sum over any number of inputs.
Tensors variadic(const Call &c,
                 torch::Tensor (*combine)(const torch::Tensor &, const torch::Tensor &))
{
    torch::Tensor y = c.at(0);
    for (std::size_t k = 1; k < c.in.size(); ++k) {
        y = combine(y, c.at(k));
    }
    return one(y);
}

Tensors divide(const Call &c)
{
    const torch::Tensor &a = c.at(0);
    if (a.is_floating_point()) {
        return one(torch::div(a, c.at(1)));
    }
    return one(torch::div(a, c.at(1), "trunc"));
}

Tensors argMax(const Call &c)
{
    const torch::Tensor &x = c.at(0);
    return one(torch::argmax(x, normAxis(c.i("axis", 0), x.dim()), c.i("keepdims", 1) != 0));
}

Tensors cast(const Call &c)
{
    const auto to = static_cast<std::int32_t>(c.i("to", onnx::TensorProto::FLOAT));
    return one(c.at(0).to(dtypeFromOnnx(to, "Cast's 'to'")));
}

using Kernel = std::function<Tensors(const Call &)>;

template<torch::Tensor (*F)(const torch::Tensor &)>
Kernel unary()
{
    return [](const Call &c) {
        return one(F(c.at(0)));
    };
}

template<torch::Tensor (*F)(const torch::Tensor &, const torch::Tensor &)>
Kernel binary()
{
    return [](const Call &c) {
        return one(F(c.at(0), c.at(1)));
    };
}

torch::Tensor maxOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return torch::maximum(a, b);
}
torch::Tensor minOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return torch::minimum(a, b);
}
torch::Tensor sumOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return a + b;
}
torch::Tensor addOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return a + b;
}
torch::Tensor subOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return a - b;
}
torch::Tensor mulOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return a * b;
}
torch::Tensor powOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return torch::pow(a, b).to(a.scalar_type());
}
torch::Tensor eqOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return torch::eq(a, b);
}
torch::Tensor gtOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return torch::gt(a, b);
}
torch::Tensor ltOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return torch::lt(a, b);
}
torch::Tensor andOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return torch::logical_and(a, b);
}
torch::Tensor orOf(const torch::Tensor &a, const torch::Tensor &b)
{
    return torch::logical_or(a, b);
}
torch::Tensor absOf(const torch::Tensor &x)
{
    return torch::abs(x);
}
torch::Tensor negOf(const torch::Tensor &x)
{
    return torch::neg(x);
}
torch::Tensor expOf(const torch::Tensor &x)
{
    return torch::exp(x);
}
torch::Tensor logOf(const torch::Tensor &x)
{
    return torch::log(x);
}
torch::Tensor sqrtOf(const torch::Tensor &x)
{
    return torch::sqrt(x);
}
torch::Tensor recipOf(const torch::Tensor &x)
{
    return torch::reciprocal(x);
}
torch::Tensor sinOf(const torch::Tensor &x)
{
    return torch::sin(x);
}
torch::Tensor cosOf(const torch::Tensor &x)
{
    return torch::cos(x);
}
torch::Tensor floorOf(const torch::Tensor &x)
{
    return torch::floor(x);
}
torch::Tensor ceilOf(const torch::Tensor &x)
{
    return torch::ceil(x);
}
torch::Tensor erfOf(const torch::Tensor &x)
{
    return torch::erf(x);
}
torch::Tensor sigmoidOf(const torch::Tensor &x)
{
    return torch::sigmoid(x);
}
torch::Tensor tanhOf(const torch::Tensor &x)
{
    return torch::tanh(x);
}
torch::Tensor reluOf(const torch::Tensor &x)
{
    return torch::relu(x);
}
torch::Tensor notOf(const torch::Tensor &x)
{
    return torch::logical_not(x);
}
torch::Tensor softplusOf(const torch::Tensor &x)
{
    return torch::softplus(x);
}
torch::Tensor hardSwishOf(const torch::Tensor &x)
{
    return x * torch::clamp(x / 6.0 + 0.5, 0.0, 1.0);
}
torch::Tensor identityOf(const torch::Tensor &x)
{
    return x;
}

const std::unordered_map<std::string, Kernel> &kernels()
{
    static const std::unordered_map<std::string, Kernel> table = {
        {"Abs", unary<absOf>()},
        {"Add", binary<addOf>()},
        {"And", binary<andOf>()},
        {"ArgMax", argMax},
        {"AveragePool", averagePool},
        {"BatchNormalization", batchNorm},
        {"Cast", cast},
        {"Ceil", unary<ceilOf>()},
        {"Clip", clip},
        {"Concat", concat},
        {"Constant", constant},
        {"ConstantOfShape", constantOfShape},
        {"Conv", conv},
        {"Cos", unary<cosOf>()},
        {"Div", divide},
        {"Dropout", dropout},
        {"Elu",
         [](const Call &c) {
             return one(torch::elu(c.at(0), c.f("alpha", 1.0)));
         }},
        {"Equal", binary<eqOf>()},
        {"Erf", unary<erfOf>()},
        {"Exp", unary<expOf>()},
        {"Expand", expand},
        {"Flatten", flatten},
        {"Floor", unary<floorOf>()},
        {"Gather", gather},
        {"Gelu",
         [](const Call &c) {
             return one(torch::gelu(c.at(0), c.s("approximate", "none")));
         }},
        {"Gemm", gemm},
        {"GlobalAveragePool",
         [](const Call &c) {
             std::vector<std::int64_t> dims;
             for (std::int64_t k = 2; k < c.at(0).dim(); ++k) {
                 dims.push_back(k);
             }
             return one(c.at(0).mean(dims, true));
         }},
        {"Greater", binary<gtOf>()},
        {"HardSigmoid",
         [](const Call &c) {
             return one(torch::clamp(c.at(0) * c.f("alpha", 0.2) + c.f("beta", 0.5), 0.0, 1.0));
         }},
        {"HardSwish", unary<hardSwishOf>()},
        {"Identity", unary<identityOf>()},
        {"LayerNormalization", layerNorm},
        {"LeakyRelu",
         [](const Call &c) {
             return one(torch::leaky_relu(c.at(0), c.f("alpha", 0.01)));
         }},
        {"Less", binary<ltOf>()},
        {"Log", unary<logOf>()},
        {"LogSoftmax",
         [](const Call &c) {
             return softmaxLike(c, true);
         }},
        {"MatMul",
         [](const Call &c) {
             return one(torch::matmul(c.at(0), c.at(1)));
         }},
        {"Max",
         [](const Call &c) {
             return variadic(c, maxOf);
         }},
        {"MaxPool", maxPool},
        {"Min",
         [](const Call &c) {
             return variadic(c, minOf);
         }},
        {"Mul", binary<mulOf>()},
        {"Neg", unary<negOf>()},
        {"Not", unary<notOf>()},
        {"Or", binary<orOf>()},
        {"Pad", pad},
        {"Pow", binary<powOf>()},
        {"Range", range},
        {"Reciprocal", unary<recipOf>()},
        {"ReduceMax",
         [](const Call &c) {
             return reduce(c, "max");
         }},
        {"ReduceMean",
         [](const Call &c) {
             return reduce(c, "mean");
         }},
        {"ReduceSum",
         [](const Call &c) {
             return reduce(c, "sum");
         }},
        {"Relu", unary<reluOf>()},
        {"Reshape", reshape},
        {"Shape", shapeOf},
        {"Sigmoid", unary<sigmoidOf>()},
        {"Sin", unary<sinOf>()},
        {"Slice", slice},
        {"Softmax",
         [](const Call &c) {
             return softmaxLike(c, false);
         }},
        {"Softplus", unary<softplusOf>()},
        {"Split", split},
        {"Sqrt", unary<sqrtOf>()},
        {"Squeeze", squeeze},
        {"Sub", binary<subOf>()},
        {"Sum",
         [](const Call &c) {
             return variadic(c, sumOf);
         }},
        {"Tanh", unary<tanhOf>()},
        {"Tile",
         [](const Call &c) {
             return one(c.at(0).repeat(hostInts(c.at(1))));
         }},
        {"Transpose", transpose},
        {"Unsqueeze", unsqueeze},
        {"Where",
         [](const Call &c) {
             return one(torch::where(c.at(0).to(torch::kBool), c.at(1), c.at(2)));
         }},
    };
    return table;
}

} // namespace

bool hasOnnxKernel(const std::string &op)
{
    return kernels().count(op) != 0;
}

std::vector<torch::Tensor> runOnnxNode(const onnx::NodeProto &node,
                                       const std::vector<torch::Tensor> &inputs,
                                       std::int64_t opset,
                                       bool training)
{
    auto it = kernels().find(node.op_type());
    if (it == kernels().end()) {
        throw std::invalid_argument("no kernel for ONNX op " + node.op_type());
    }
    return it->second(Call{node, inputs, opset, training});
}

} // namespace tl::runners
