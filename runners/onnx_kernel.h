#pragma once
// Private to runners/onnx_ops*.cpp: one ONNX node's call (its attributes, inputs and the
// model's opset) and the helpers every kernel uses. Includes libtorch and libonnx.

#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl::runners::onnx_kernels {

using Tensors = std::vector<torch::Tensor>;

// One node's call: its attributes, its inputs and the model's opset.
struct Call
{
    const onnx::NodeProto &node;
    const Tensors &in;
    std::int64_t opset = 0;
    bool training = false;

    const onnx::AttributeProto *attr(const std::string &name) const
    {
        for (const auto &attribute : node.attribute()) {
            if (attribute.name() == name) {
                return &attribute;
            }
        }
        return nullptr;
    }
    std::int64_t i(const std::string &name, std::int64_t fallback) const
    {
        const auto *a = attr(name);
        return a ? a->i() : fallback;
    }
    double f(const std::string &name, double fallback) const
    {
        const auto *a = attr(name);
        return a ? a->f() : fallback;
    }
    std::string s(const std::string &name, const std::string &fallback) const
    {
        const auto *a = attr(name);
        return a ? a->s() : fallback;
    }
    std::vector<std::int64_t> ints(const std::string &name) const
    {
        const auto *a = attr(name);
        return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end())
                 : std::vector<std::int64_t>{};
    }
    bool has(std::size_t index) const { return index < in.size() && in[index].defined(); }
    const torch::Tensor &at(std::size_t index) const
    {
        if (!has(index)) {
            throw std::invalid_argument("input " + std::to_string(index) + " is missing");
        }
        return in[index];
    }
};

// Shape-valued inputs (Reshape's shape, Slice's starts) are read on the host.
std::vector<std::int64_t> hostInts(const torch::Tensor &tensor);
// A negative axis counted from the end; throws when outside the rank.
std::int64_t normAxis(std::int64_t axis, std::int64_t rank);
// Inputs from opset `since` on, attributes before it (Squeeze's axes, Slice's starts, ...).
std::vector<std::int64_t>
intsFromInputOrAttr(const Call &c, std::size_t index, std::int64_t since, const std::string &name);
Tensors one(torch::Tensor tensor);

// Convolution, pooling, normalisation, Gemm, softmax and Pad (onnx_ops_nn.cpp).
Tensors conv(const Call &c);
Tensors maxPool(const Call &c);
Tensors averagePool(const Call &c);
Tensors gemm(const Call &c);
Tensors batchNorm(const Call &c);
Tensors layerNorm(const Call &c);
Tensors softmaxLike(const Call &c, bool logarithm);
Tensors pad(const Call &c);

} // namespace tl::runners::onnx_kernels
