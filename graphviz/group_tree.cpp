#include "graphviz/graph_layout.h"
#include "graphviz/scope_path.h"

#include <map>

namespace tl::graphviz {

std::string scopePath(const proto::ViewNode &node, int count)
{
    std::string path;
    for (int i = 0; i < count; ++i) {
        if (i > 0) {
            path += '/';
        }
        path += node.scope(i);
    }
    return path;
}

GroupTree groupTree(const proto::ViewGraph &graph)
{
    // Parents are recorded as they are met, not parsed back out of the path: a scope component
    // may itself contain '/' (a TorchScript attribute name never does, an ONNX name might).
    std::map<std::string, std::string> parentOf;
    for (const proto::ViewNode &node : graph.nodes()) {
        std::string parent;
        for (int count = 1; count <= node.scope_size(); ++count) {
            std::string path = scopePath(node, count);
            parentOf.emplace(path, parent);
            parent = std::move(path);
        }
    }
    GroupTree tree;
    std::map<std::string, std::size_t> indexOf;
    // std::map orders a path before every path it prefixes, so parents come before children.
    for (const auto &entry : parentOf) {
        indexOf.emplace(entry.first, tree.groups.size());
        tree.groups.push_back(entry.first);
    }
    tree.children.resize(tree.groups.size());
    for (const auto &[path, parent] : parentOf) {
        if (!parent.empty()) {
            tree.children[indexOf.at(parent)].push_back(path);
        }
    }
    return tree;
}

std::set<std::string> initialExpansion(const proto::ViewGraph &graph)
{
    if (graph.nodes_size() > GroupTree::kCollapseAbove) {
        return {};
    }
    const GroupTree tree = groupTree(graph);
    return {tree.groups.begin(), tree.groups.end()};
}

} // namespace tl::graphviz
