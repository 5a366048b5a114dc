#pragma once
// TorchScript modules (torch.jit.trace / torch.jit.script files) as the graph view shows them:
// the forward graph inlined, one ViewNode per operator, parameters folded into the nodes that
// read them, scopes from the module path. Private to runners/ (includes libtorch's JIT).

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <memory>

namespace torch::jit {
struct Module;
}

namespace tl::runners {

// torch::jit::load with its exceptions turned into an error naming the file.
base::Result<std::shared_ptr<torch::jit::Module>>
loadTorchScript(const std::filesystem::path &file);

proto::ViewGraph describeTorchScript(torch::jit::Module &module, const std::string &fileName);

} // namespace tl::runners
