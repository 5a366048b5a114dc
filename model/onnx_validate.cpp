// The checks parseOnnxModel() runs before and around libonnx's checker: they word what is wrong
// in terms of the file, the node and the tensor, where libonnx would speak of protobuf fields.
#include "model/onnx_detail.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace tl::model::onnxdetail {
namespace {

using NameSet = std::unordered_set<std::string>;

base::Status checkOpset(const onnx::OperatorSetIdProto &opset, const std::string &fileName)
{
    const std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    const auto &ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
    auto range = ranges.find(domain);
    if (range == ranges.end()) {
        return base::okStatus(); // a custom domain: its versions are its own business
    }
    const std::string label =
        domain.empty() ? "the default ONNX domain" : "the ONNX domain '" + domain + "'";
    const auto [lowest, highest] = range->second;
    if (opset.version() > highest) {
        return fileError(fileName, fileName + " uses opset " + std::to_string(opset.version())
                                       + " of " + label + ", but Torchlight supports opsets up to "
                                       + std::to_string(highest)
                                       + "; export the model again with opset "
                                       + std::to_string(highest) + " or lower.");
    }
    if (opset.version() < lowest) {
        return fileError(fileName, fileName + " imports opset " + std::to_string(opset.version())
                                       + " of " + label + ", which does not exist; opsets start at "
                                       + std::to_string(lowest) + ".");
    }
    return base::okStatus();
}

// Tensor names a graph uses without defining them: outer-scope references of a subgraph.
void collectOuterNames(const onnx::GraphProto &graph, NameSet &outer);

void collectAttributeOuterNames(const onnx::NodeProto &node, NameSet &outer)
{
    for (const onnx::AttributeProto &attr : node.attribute()) {
        if (attr.has_g()) {
            collectOuterNames(attr.g(), outer);
        }
        for (const onnx::GraphProto &sub : attr.graphs()) {
            collectOuterNames(sub, outer);
        }
    }
}

void collectOuterNames(const onnx::GraphProto &graph, NameSet &outer)
{
    NameSet defined;
    for (const auto &input : graph.input()) {
        defined.insert(input.name());
    }
    for (const auto &init : graph.initializer()) {
        defined.insert(init.name());
    }
    for (const auto &node : graph.node()) {
        defined.insert(node.output().begin(), node.output().end());
    }
    NameSet inner;
    for (const auto &node : graph.node()) {
        inner.insert(node.input().begin(), node.input().end());
        collectAttributeOuterNames(node, inner);
    }
    for (const std::string &name : inner) {
        if (!name.empty() && !defined.contains(name)) {
            outer.insert(name);
        }
    }
}

// Which node (index) produces each tensor; graph inputs and initializers are no node's.
struct Producers
{
    std::unordered_map<std::string, int> byTensor;
    NameSet external;

    explicit Producers(const onnx::GraphProto &graph)
    {
        for (const auto &input : graph.input()) {
            external.insert(input.name());
        }
        for (const auto &init : graph.initializer()) {
            external.insert(init.name());
        }
        for (const auto &sparse : graph.sparse_initializer()) {
            external.insert(sparse.values().name());
        }
        for (int i = 0; i < graph.node_size(); ++i) {
            for (const std::string &output : graph.node(i).output()) {
                if (!output.empty()) {
                    byTensor.emplace(output, i);
                }
            }
        }
    }
};

base::Error danglingError(const std::string &fileName,
                          const onnx::NodeProto &node,
                          int index,
                          const std::string &tensor)
{
    const std::string label = nodeDisplayName(node, index);
    return nodeFault(fileName, label,
                     "Node '" + label + "' (" + node.op_type() + ") reads tensor '" + tensor
                         + "', which no node, graph input or initializer produces.");
}

// For each node, the nodes it reads from (with repeats), or the first dangling input.
base::Result<std::vector<std::vector<int>>> dependencies(const onnx::GraphProto &graph,
                                                         const std::string &fileName,
                                                         const std::stop_token &stop)
{
    const Producers producers(graph);
    std::vector<std::vector<int>> deps(static_cast<std::size_t>(graph.node_size()));
    for (int i = 0; i < graph.node_size(); ++i) {
        if (stop.stop_requested()) {
            return cancelledError(fileName);
        }
        const onnx::NodeProto &node = graph.node(i);
        NameSet outer;
        collectAttributeOuterNames(node, outer);
        auto depend = [&](const std::string &name, bool mustExist) -> base::Status {
            if (name.empty() || producers.external.contains(name)) {
                return base::okStatus();
            }
            auto it = producers.byTensor.find(name);
            if (it != producers.byTensor.end()) {
                deps[static_cast<std::size_t>(i)].push_back(it->second);
            } else if (mustExist) {
                return danglingError(fileName, node, i, name);
            }
            return base::okStatus();
        };
        for (const std::string &input : node.input()) {
            if (auto status = depend(input, true); !status) {
                return status.error();
            }
        }
        for (const std::string &name : outer) { // the checker judges names found nowhere
            (void)depend(name, false);
        }
    }
    return deps;
}

// A cycle among the nodes Kahn's algorithm could not place, as an error naming its nodes.
base::Error cycleError(const onnx::GraphProto &graph,
                       const std::vector<std::vector<int>> &deps,
                       const std::vector<int> &missing,
                       const std::string &fileName)
{
    // Every unplaced node reads from another unplaced one, so walking such reads must loop.
    std::vector<bool> unplaced(deps.size(), false);
    for (int index : missing) {
        unplaced[static_cast<std::size_t>(index)] = true;
    }
    std::vector<int> seenAt(deps.size(), -1);
    std::vector<int> path;
    int current = missing.front();
    while (seenAt[static_cast<std::size_t>(current)] < 0) {
        seenAt[static_cast<std::size_t>(current)] = static_cast<int>(path.size());
        path.push_back(current);
        const auto &reads = deps[static_cast<std::size_t>(current)];
        current = *std::find_if(reads.begin(), reads.end(),
                                [&](int dep) { return unplaced[static_cast<std::size_t>(dep)]; });
    }
    std::vector<int> cycle(path.begin() + seenAt[static_cast<std::size_t>(current)], path.end());
    std::reverse(cycle.begin(), cycle.end()); // producers first: the direction data flows
    std::string loop;
    for (int index : cycle) {
        loop += '\'';
        loop += nodeDisplayName(graph.node(index), index);
        loop += "' -> ";
    }
    const std::string first = nodeDisplayName(graph.node(cycle.front()), cycle.front());
    loop += "'" + first + "'";
    return nodeFault(fileName, first,
                     "The nodes " + loop + " form a cycle; an ONNX graph must be acyclic.");
}

// Node indices in a topological order, the smallest ready index first so a sorted graph keeps
// its order.
base::Result<std::vector<int>> topologicalOrder(const onnx::GraphProto &graph,
                                                const std::vector<std::vector<int>> &deps,
                                                const std::string &fileName)
{
    const std::size_t count = deps.size();
    std::vector<int> pending(count, 0);
    std::vector<std::vector<int>> readers(count);
    for (std::size_t i = 0; i < count; ++i) {
        pending[i] = static_cast<int>(deps[i].size());
        for (int dep : deps[i]) {
            readers[static_cast<std::size_t>(dep)].push_back(static_cast<int>(i));
        }
    }
    std::priority_queue<int, std::vector<int>, std::greater<>> ready;
    for (std::size_t i = 0; i < count; ++i) {
        if (pending[i] == 0) {
            ready.push(static_cast<int>(i));
        }
    }
    std::vector<int> order;
    order.reserve(count);
    while (!ready.empty()) {
        const int node = ready.top();
        ready.pop();
        order.push_back(node);
        for (int reader : readers[static_cast<std::size_t>(node)]) {
            if (--pending[static_cast<std::size_t>(reader)] == 0) {
                ready.push(reader);
            }
        }
    }
    if (order.size() < count) {
        std::vector<int> missing;
        for (std::size_t i = 0; i < count; ++i) {
            if (pending[i] > 0) {
                missing.push_back(static_cast<int>(i));
            }
        }
        return cycleError(graph, deps, missing, fileName);
    }
    return order;
}

// libonnx appends "Bad node spec for node. Name: <name> OpType: <op>" when a node fails.
std::optional<std::string> failedNodeName(std::string_view text)
{
    constexpr std::string_view kMarker = "Bad node spec for node. Name: ";
    const std::size_t start = text.rfind(kMarker);
    if (start == std::string_view::npos) {
        return std::nullopt;
    }
    const std::size_t nameStart = start + kMarker.size();
    const std::size_t end = text.find(" OpType: ", nameStart);
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    return std::string(text.substr(nameStart, end - nameStart));
}

base::Error
checkerError(const onnx::ModelProto &model, const std::string &fileName, std::string_view text)
{
    const std::string said = oneLine(text);
    const auto name = failedNodeName(text);
    if (!name) {
        return fileError(fileName, "The ONNX checker rejected " + fileName + ": " + said);
    }
    const auto &nodes = model.graph().node();
    auto found = std::find_if(nodes.begin(), nodes.end(),
                              [&](const onnx::NodeProto &node) { return node.name() == *name; });
    if (found == nodes.end()) {
        return nodeFault(fileName, *name,
                         "The ONNX checker rejected node '" + *name + "': " + said);
    }
    const std::string label =
        nodeDisplayName(*found, static_cast<int>(std::distance(nodes.begin(), found)));
    return nodeFault(fileName, label,
                     "The ONNX checker rejected node '" + label + "' (" + found->op_type()
                         + "): " + said);
}

} // namespace

base::Status checkHeader(const onnx::ModelProto &model, const std::string &fileName)
{
    if (model.ir_version() == 0 && !model.has_graph() && model.opset_import_size() == 0) {
        return fileError(fileName, fileName
                                       + " is not an ONNX model: it holds none of an ONNX "
                                         "model's fields.");
    }
    if (model.ir_version() <= 0) {
        return fileError(fileName, fileName
                                       + " is not a complete ONNX model: it has no IR "
                                         "version (ir_version).");
    }
    if (model.ir_version() > onnx::IR_VERSION) {
        return fileError(fileName, fileName + " uses ONNX IR version "
                                       + std::to_string(model.ir_version())
                                       + ", but Torchlight reads IR versions up to "
                                       + std::to_string(onnx::IR_VERSION)
                                       + "; export it again with an older ONNX version.");
    }
    if (!model.has_graph()) {
        return fileError(fileName, fileName + " is not a complete ONNX model: it has no graph.");
    }
    bool hasDefault = false;
    for (const auto &opset : model.opset_import()) {
        hasDefault = hasDefault || isDefaultDomain(opset.domain());
        if (auto status = checkOpset(opset, fileName); !status) {
            return status;
        }
    }
    if (!hasDefault) {
        return fileError(fileName, fileName
                                       + " does not say which opset of the default ONNX "
                                         "domain it uses (opset_import), so its operators "
                                         "cannot be read.");
    }
    return base::okStatus();
}

base::Status
sortGraph(onnx::GraphProto &graph, const std::string &fileName, const std::stop_token &stop)
{
    auto deps = dependencies(graph, fileName, stop);
    if (!deps) {
        return deps.error();
    }
    auto order = topologicalOrder(graph, deps.value(), fileName);
    if (!order) {
        return order.error();
    }
    const std::vector<int> &sorted = order.value();
    if (std::is_sorted(sorted.begin(), sorted.end())) {
        return base::okStatus();
    }
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    nodes.Reserve(graph.node_size());
    for (int index : sorted) {
        nodes.Add()->Swap(graph.mutable_node(index));
    }
    graph.mutable_node()->Swap(&nodes);
    return base::okStatus();
}

base::Status runChecker(const onnx::ModelProto &model, const std::string &fileName)
{
    try {
        onnx::checker::check_model(model);
    } catch (const onnx::checker::ValidationError &error) {
        return checkerError(model, fileName, error.what());
    } catch (const std::exception &error) {
        return checkerError(model, fileName, error.what());
    }
    return base::okStatus();
}

} // namespace tl::model::onnxdetail
