#include "runners/torchscript_view.h"

#include "runners/graph_module.h"
#include "runners/tensor_snapshot.h"

#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>
#include <torch/version.h>

#include <map>
#include <sstream>
#include <unordered_map>

namespace tl::runners {
namespace {

using torch::jit::Node;
using torch::jit::Value;

proto::TensorInfo tensorInfo(const std::string &name, const torch::Tensor &tensor)
{
    proto::TensorInfo info;
    info.set_name(name);
    info.set_shape_known(true);
    for (std::int64_t size : tensor.sizes()) {
        info.add_dims(size);
    }
    info.set_dtype(dtypeName(tensor.scalar_type()));
    return info;
}

// What the graph's type annotations say of a value: traced graphs carry complete shapes.
proto::TensorInfo valueInfo(const Value *value)
{
    proto::TensorInfo info;
    info.set_name(value->debugName());
    auto type = value->type()->cast<c10::TensorType>();
    if (!type) {
        info.set_dtype(value->type()->str());
        return info;
    }
    if (auto sizes = type->sizes().concrete_sizes()) {
        info.set_shape_known(true);
        for (std::int64_t size : *sizes) {
            info.add_dims(size);
        }
    }
    if (auto scalar = type->scalarType()) {
        info.set_dtype(dtypeName(*scalar));
    }
    return info;
}

std::string constantText(const Value *value)
{
    auto constant = torch::jit::toIValue(value);
    if (!constant) {
        return {};
    }
    std::ostringstream text;
    text << *constant;
    return text.str();
}

// The module path a node was inlined from: ["layer1", "0", "conv1"].
std::vector<std::string> scopeOf(const Node *node)
{
    std::vector<std::string> scope;
    auto callstack = node->callstack();
    if (!callstack) {
        return scope;
    }
    for (const auto &entry : (*callstack)->vec()) {
        const auto &instance = std::get<2>(entry);
        if (instance && !instance->instance_name().empty()) {
            scope.push_back(instance->instance_name());
        }
    }
    return scope;
}

std::string argumentName(const Node *node, std::size_t index)
{
    if (const c10::FunctionSchema *schema = node->maybeSchema()) {
        if (index < schema->arguments().size()) {
            return schema->arguments()[index].name();
        }
    }
    return "arg" + std::to_string(index);
}

// Walks the inlined graph once, turning operators into ViewNodes.
class Describer
{
public:
    Describer(torch::jit::Module &module, proto::ViewGraph &view) : m_view(view)
    {
        for (const auto &item : module.named_parameters(true)) {
            m_tensors[item.name] = item.value;
        }
        for (const auto &item : module.named_buffers(true)) {
            m_tensors[item.name] = item.value;
        }
    }

    void visit(Node *node)
    {
        const auto kind = node->kind();
        if (kind == c10::prim::Constant) {
            return;
        }
        if (kind == c10::prim::GetAttr) {
            const Value *owner = node->input(0);
            const auto it = m_paths.find(owner);
            const std::string prefix = it == m_paths.end() ? "" : it->second + ".";
            m_paths[node->output()] = prefix + node->s(c10::attr::name);
            return;
        }
        if (kind == c10::prim::ListConstruct) {
            // Lists are shown through their users: a list of constants ([2, 2]) as an
            // attribute, a list of tensors (torch.cat's) as that many inputs.
            m_lists[node->output()] = node->inputs().vec();
            return;
        }
        addNode(node);
    }

private:
    void addNode(Node *node)
    {
        proto::ViewNode *out = m_view.add_nodes();
        out->set_op(node->kind().toQualString());
        out->set_name(node->outputs().empty()
                          ? out->op() + "_" + std::to_string(m_view.nodes_size())
                          : node->output(0)->debugName());
        std::vector<std::string> scope = scopeOf(node);
        for (std::size_t i = 0; i < node->inputs().size(); ++i) {
            const Value *input = node->input(i);
            addInput(*out, node, i, input, scope);
        }
        for (const std::string &part : scope) {
            out->add_scope(part);
        }
        for (const Value *output : node->outputs()) {
            out->add_outputs(output->debugName());
            *m_view.add_values() = valueInfo(output);
        }
    }

    void addInput(proto::ViewNode &out,
                  const Node *node,
                  std::size_t index,
                  const Value *input,
                  std::vector<std::string> &scope)
    {
        if (auto path = m_paths.find(input); path != m_paths.end()) {
            if (auto tensor = m_tensors.find(path->second); tensor != m_tensors.end()) {
                *out.add_parameters() = tensorInfo(path->second, tensor->second);
                if (scope.empty()) {
                    // Scripted modules keep no call stack: the parameter's owner is the scope.
                    std::istringstream parts(path->second);
                    for (std::string part; std::getline(parts, part, '.');) {
                        scope.push_back(part);
                    }
                    scope.pop_back();
                }
            }
            return;
        }
        if (auto list = m_lists.find(input); list != m_lists.end()) {
            addList(out, node, index, list->second);
            return;
        }
        if (const std::string text = constantText(input); !text.empty()) {
            proto::ViewAttr *attr = out.add_attrs();
            attr->set_name(argumentName(node, index));
            attr->set_text(text);
            return;
        }
        out.add_inputs(input->debugName());
    }

    void addList(proto::ViewNode &out,
                 const Node *node,
                 std::size_t index,
                 const std::vector<Value *> &items)
    {
        std::string text;
        for (const Value *item : items) {
            const std::string itemText = constantText(item);
            if (itemText.empty()) {
                for (const Value *tensor : items) {
                    out.add_inputs(tensor->debugName());
                }
                return;
            }
            text += (text.empty() ? "" : ", ") + itemText;
        }
        proto::ViewAttr *attr = out.add_attrs();
        attr->set_name(argumentName(node, index));
        attr->set_text("[" + text + "]");
    }

    proto::ViewGraph &m_view;
    std::unordered_map<const Value *, std::vector<Value *>> m_lists; // ListConstruct items
    std::map<std::string, torch::Tensor> m_tensors;         // parameters and buffers by path
    std::unordered_map<const Value *, std::string> m_paths; // GetAttr results: their path
};

} // namespace

base::Result<std::shared_ptr<torch::jit::Module>> loadTorchScript(const std::filesystem::path &file)
{
    try {
        auto module = std::make_shared<torch::jit::Module>(torch::jit::load(file.string()));
        module->eval();
        return module;
    } catch (const std::exception &error) {
        return base::makeError(base::ErrorCode::InvalidInput,
                               "The file is not a TorchScript module this libtorch ("
                                   + std::string(TORCH_VERSION)
                                   + ") can read: " + torchErrorText(error) + ".",
                               file.filename().string());
    }
}

proto::ViewGraph describeTorchScript(torch::jit::Module &module, const std::string &fileName)
{
    proto::ViewGraph view;
    view.set_format("torchscript");
    view.set_name(fileName);
    if (auto type = module.type(); type && type->name()) {
        view.set_producer(type->name()->name());
    }
    std::int64_t parameters = 0;
    for (const auto &item : module.named_parameters(true)) {
        parameters += item.value.numel();
    }
    view.set_parameter_count(parameters);
    std::shared_ptr<torch::jit::Graph> graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    for (std::size_t i = 1; i < graph->inputs().size(); ++i) { // input 0 is `self`
        *view.add_inputs() = valueInfo(graph->inputs()[i]);
    }
    for (const Value *output : graph->outputs()) {
        *view.add_outputs() = valueInfo(output);
    }
    Describer describer(module, view);
    for (Node *node : graph->nodes()) {
        describer.visit(node);
    }
    return view;
}

} // namespace tl::runners
