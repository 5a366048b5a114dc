#pragma once
// What the step debugger (runners/debug_probe.h) sees of a model's forward pass: its nodes in
// order, and each node's output as it is computed. A module that runs node by node (GraphModule,
// OnnxModule) tells an observer set on it; one run as a whole (TorchScript) has no nodes.
// Private to runners/ (includes libtorch).

#include <torch/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace tl::runners {

struct ForwardNode
{
    std::string name;
    std::string op;
};

class NodeObserver
{
public:
    NodeObserver() = default;
    virtual ~NodeObserver() = default;
    NodeObserver(const NodeObserver &) = delete;
    NodeObserver &operator=(const NodeObserver &) = delete;

    // Node `index` of the module's forward order has computed `output`; called on the thread
    // that runs forward(), which waits until this returns.
    virtual void nodeComputed(std::size_t index, const torch::Tensor &output) = 0;
};

} // namespace tl::runners
