#include "graphviz/visible_graph.h"

#include "graphviz/scope_path.h"

#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace tl::graphviz {
namespace {

// How many nodes pass between two looks at the stop token.
constexpr int kStopCheckEvery = 256;

base::Error cancelled()
{
    return base::makeError(base::ErrorCode::Cancelled, "The graph layout was cancelled.");
}

class VisibleGraphBuilder
{
public:
    VisibleGraphBuilder(const proto::ViewGraph &graph, const std::set<std::string> &expanded)
        : m_graph(graph)
        , m_expanded(expanded)
    {
        for (const proto::ViewNode &node : graph.nodes()) {
            for (const proto::TensorInfo &parameter : node.parameters()) {
                m_parameters.insert(parameter.name());
            }
        }
        for (const auto *list : {&graph.inputs(), &graph.outputs(), &graph.values()}) {
            for (const proto::TensorInfo &tensor : *list) {
                m_shapes.emplace(tensor.name(), &tensor);
            }
        }
    }

    void addInputs()
    {
        for (int i = 0; i < m_graph.inputs_size(); ++i) {
            const std::string &name = m_graph.inputs(i).name();
            if (m_parameters.count(name) == 0) {
                const int box = addBox(Box{BoxKind::Input, i, {}, 0, {}}, -1);
                m_producer.emplace(name, box);
            }
        }
    }

    // The card node `index` shows on: its own, or that of its outermost collapsed group.
    int placeNode(int index)
    {
        const proto::ViewNode &node = m_graph.nodes(index);
        int cluster = -1;
        for (int count = 1; count <= node.scope_size(); ++count) {
            std::string path = scopePath(node, count);
            if (m_expanded.count(path) == 0) {
                return groupBox(std::move(path), cluster);
            }
            cluster = openCluster(std::move(path), cluster, count);
        }
        return addBox(Box{BoxKind::Node, index, {}, 0, {}}, cluster);
    }

    void addNodes(const std::stop_token &stop, bool &stopped)
    {
        m_nodeBox.reserve(static_cast<std::size_t>(m_graph.nodes_size()));
        for (int i = 0; i < m_graph.nodes_size(); ++i) {
            if (i % kStopCheckEvery == 0 && stop.stop_requested()) {
                stopped = true;
                return;
            }
            const int box = placeNode(i);
            m_nodeBox.push_back(box);
            for (const std::string &output : m_graph.nodes(i).outputs()) {
                m_producer.emplace(output, box);
            }
        }
    }

    void addNodeEdges()
    {
        for (int i = 0; i < m_graph.nodes_size(); ++i) {
            for (const std::string &input : m_graph.nodes(i).inputs()) {
                // Parameters are folded into their node; empty names are omitted optional inputs.
                if (!input.empty() && m_parameters.count(input) == 0) {
                    addEdge(input, m_nodeBox[static_cast<std::size_t>(i)]);
                }
            }
        }
    }

    void addOutputs()
    {
        for (int i = 0; i < m_graph.outputs_size(); ++i) {
            const int box = addBox(Box{BoxKind::Output, i, {}, 0, {}}, -1);
            addEdge(m_graph.outputs(i).name(), box);
        }
    }

    VisibleGraph take() { return std::move(m_visible); }

private:
    int addBox(Box box, int cluster)
    {
        m_visible.boxes.push_back(std::move(box));
        m_visible.boxCluster.push_back(cluster);
        return static_cast<int>(m_visible.boxes.size()) - 1;
    }

    int groupBox(std::string path, int cluster)
    {
        auto found = m_groupBoxes.find(path);
        if (found == m_groupBoxes.end()) {
            const int box = addBox(Box{BoxKind::Group, -1, path, 0, {}}, cluster);
            found = m_groupBoxes.emplace(std::move(path), box).first;
        }
        ++m_visible.boxes[static_cast<std::size_t>(found->second)].members;
        return found->second;
    }

    int openCluster(std::string path, int parent, int depth)
    {
        auto found = m_clusters.find(path);
        if (found == m_clusters.end()) {
            m_visible.clusters.push_back(Cluster{path, parent, depth});
            const int cluster = static_cast<int>(m_visible.clusters.size()) - 1;
            found = m_clusters.emplace(std::move(path), cluster).first;
        }
        return found->second;
    }

    // One edge per pair of cards: the first tensor between them names it.
    void addEdge(const std::string &tensor, int to)
    {
        const auto producer = m_producer.find(tensor);
        if (producer == m_producer.end() || producer->second == to) {
            return;
        }
        const int from = producer->second;
        const auto key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(from)) << 32U)
                         | static_cast<std::uint32_t>(to);
        if (!m_edgeKeys.insert(key).second) {
            return;
        }
        const auto shape = m_shapes.find(tensor);
        m_visible.edges.push_back(VisibleEdge{
            from, to, shape == m_shapes.end() ? std::string() : shapeLabel(*shape->second)});
    }

    const proto::ViewGraph &m_graph;
    const std::set<std::string> &m_expanded;
    std::unordered_set<std::string> m_parameters;
    std::unordered_map<std::string, const proto::TensorInfo *> m_shapes;
    std::unordered_map<std::string, int> m_producer; // tensor name -> box
    std::unordered_map<std::string, int> m_groupBoxes;
    std::unordered_map<std::string, int> m_clusters;
    std::unordered_set<std::uint64_t> m_edgeKeys;
    std::vector<int> m_nodeBox;
    VisibleGraph m_visible;
};

} // namespace

base::Result<VisibleGraph> visibleGraph(const proto::ViewGraph &graph,
                                        const std::set<std::string> &expanded,
                                        std::stop_token stop)
{
    VisibleGraphBuilder builder(graph, expanded);
    builder.addInputs();
    bool stopped = false;
    builder.addNodes(stop, stopped);
    if (stopped || stop.stop_requested()) {
        return cancelled();
    }
    builder.addNodeEdges();
    builder.addOutputs();
    return builder.take();
}

std::string shapeLabel(const proto::TensorInfo &tensor)
{
    if (!tensor.shape_known()) {
        return {};
    }
    if (tensor.dims_size() == 0) {
        return "scalar";
    }
    std::string text;
    for (int i = 0; i < tensor.dims_size(); ++i) {
        if (i > 0) {
            text += "\u00d7";
        }
        if (tensor.dims(i) >= 0) {
            text += std::to_string(tensor.dims(i));
        } else if (i < tensor.dim_names_size() && !tensor.dim_names(i).empty()) {
            text += tensor.dim_names(i);
        } else {
            text += '?';
        }
    }
    return text;
}

} // namespace tl::graphviz
