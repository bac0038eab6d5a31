#pragma once
// Assembles a provenance graph from records the store reads: dataset, activity, agent and file
// nodes, and the PROV edges among them. The same on every engine.
#include "store/store.hpp"

#include <datatrail/lineage.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace datatrail::detail {

class GraphBuilder {
public:
    explicit GraphBuilder(StoreReader& store) : store_(store) {}

    // Dataset nodes for (id -> depth), in depth then id order.
    void datasets(const std::map<std::int64_t, int>& depth);
    // Activity nodes for (id -> depth), in id order.
    void activities(const std::map<std::int64_t, int>& depth);
    // Adds a node unless one with its id is there; false if it was.
    bool add(ProvNode node);
    static ProvNode agent_node(Agent agent, int depth);

    // Links among the chosen datasets and activities, plus the agents of those activities.
    // Derivations come from `graph` (the lineage index or the store); the other links are read
    // for the chosen records and kept when both ends are in the graph.
    template <class Neighbours>
    void links(const Neighbours& graph, const std::map<std::int64_t, int>& datasets,
               const std::map<std::int64_t, int>& activities) {
        struct Source {
            std::int64_t id, activity;
            std::string role;
        };
        std::vector<Source> sources;
        for (const auto& [id, depth] : datasets) {
            sources.clear();
            graph.for_each_source(id, [&](std::int64_t source, std::int64_t activity, std::string_view role) {
                if (dataset_node_.contains(source)) sources.push_back({source, activity, std::string(role)});
            });
            // In id order, however they were read.
            std::sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) { return a.id < b.id; });
            for (auto& s : sources)
                edge(dataset_pid(id), dataset_pid(s.id), EdgeKind::was_derived_from, std::move(s.role),
                     activity_of(s.activity));
        }
        other_links(datasets, activities);
    }

    ProvGraph take() { return std::move(graph_); }
    ProvGraph& graph() noexcept { return graph_; }

private:
    void other_links(const std::map<std::int64_t, int>& datasets, const std::map<std::int64_t, int>& activities);
    // The PID of a dataset added; a copy, as adding nodes moves the others.
    std::string dataset_pid(std::int64_t id) const { return graph_.nodes[dataset_node_.at(id)].id; }
    // A derivation may name an activity outside the graph (a walk's boundary): look its PID up.
    std::string activity_of(std::int64_t id);
    void edge(std::string from, std::string to, EdgeKind kind, std::string role = {}, std::string activity = {}) {
        graph_.edges.push_back({std::move(from), std::move(to), kind, std::move(role), std::move(activity)});
    }

    StoreReader& store_;
    ProvGraph graph_;
    // The ids of the nodes that may be added twice (agents, files); datasets and activities
    // are added once each.
    std::unordered_set<std::string> seen_;
    // Where each dataset's node is in graph_.nodes, and each activity's PID, so links need not
    // be joined to find them.
    std::unordered_map<std::int64_t, std::size_t> dataset_node_;
    std::unordered_map<std::int64_t, std::string> activity_pid_;
};

}  // namespace datatrail::detail
