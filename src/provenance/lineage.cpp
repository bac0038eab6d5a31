#include <datatrail/lineage.hpp>

#include <algorithm>

namespace datatrail {

std::string_view to_string(NodeKind k) noexcept {
    switch (k) {
        case NodeKind::dataset: return "dataset";
        case NodeKind::datafile: return "datafile";
        case NodeKind::activity: return "activity";
        case NodeKind::agent: return "agent";
    }
    return "unknown";
}

std::string_view to_string(EdgeKind k) noexcept {
    switch (k) {
        case EdgeKind::used: return "used";
        case EdgeKind::was_generated_by: return "wasGeneratedBy";
        case EdgeKind::was_derived_from: return "wasDerivedFrom";
        case EdgeKind::was_informed_by: return "wasInformedBy";
        case EdgeKind::was_associated_with: return "wasAssociatedWith";
        case EdgeKind::had_member: return "hadMember";
    }
    return "unknown";
}

const ProvNode* ProvGraph::find(std::string_view id) const noexcept {
    const auto it = std::find_if(nodes.begin(), nodes.end(), [&](const ProvNode& n) { return n.id == id; });
    return it == nodes.end() ? nullptr : &*it;
}

std::vector<const ProvNode*> ProvGraph::nodes_of(NodeKind kind) const {
    std::vector<const ProvNode*> out;
    for (const auto& n : nodes)
        if (n.kind == kind) out.push_back(&n);
    return out;
}

std::vector<const ProvEdge*> ProvGraph::edges_of(EdgeKind kind) const {
    std::vector<const ProvEdge*> out;
    for (const auto& e : edges)
        if (e.kind == kind) out.push_back(&e);
    return out;
}

}  // namespace datatrail
