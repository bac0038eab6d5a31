#include "catalog/graph_builder.hpp"

#include <datatrail/error.hpp>
#include <datatrail/time.hpp>

#include <fmt/format.h>

#include <ranges>

namespace datatrail::detail {
namespace {

void put(ProvNode& n, const char* key, std::string value) {
    if (!value.empty()) n.attributes[key] = std::move(value);
}

void put(ProvNode& n, const char* key, const std::optional<Timestamp>& t) {
    if (t) n.attributes[key] = format_time(*t);
}

template <class Map>
std::vector<std::int64_t> keys_of(const Map& map) {
    std::vector<std::int64_t> ids;
    ids.reserve(map.size());
    for (const auto& [id, value] : map) ids.push_back(id);
    return ids;
}

}  // namespace

bool GraphBuilder::add(ProvNode node) {
    if (!seen_.insert(node.id).second) return false;
    graph_.nodes.push_back(std::move(node));
    return true;
}

ProvNode GraphBuilder::agent_node(Agent a, int depth) {
    ProvNode n;
    n.kind = NodeKind::agent;
    n.id = std::move(a.pid);
    n.name = std::move(a.name);
    n.attributes["type"] = std::string(to_string(a.type));
    put(n, "orcid", std::move(a.orcid));
    put(n, "email", std::move(a.email));
    put(n, "version", std::move(a.version));
    put(n, "url", std::move(a.url));
    n.depth = depth;
    return n;
}

void GraphBuilder::datasets(const std::map<std::int64_t, int>& depth) {
    std::vector<std::pair<int, std::int64_t>> order;
    order.reserve(depth.size());
    for (const auto& [id, d] : depth) order.emplace_back(d, id);
    std::sort(order.begin(), order.end());
    std::vector<std::int64_t> ids;
    ids.reserve(order.size());
    for (const auto& [d, id] : order) ids.push_back(id);
    auto found = store_.dataset_summaries(ids);
    if (found.size() != ids.size())
        throw StorageError(fmt::format("a lineage walk reached {} datasets, but only {} are in the catalogue", ids.size(),
                                       found.size()));
    const auto first = graph_.nodes.size();
    graph_.nodes.resize(first + order.size());
    dataset_node_.reserve(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        ProvNode& n = graph_.nodes[first + i];
        Dataset& d = found[i];
        dataset_node_.emplace(ids[i], first + i);
        n.kind = NodeKind::dataset;
        n.id = std::move(d.pid);
        n.name = std::move(d.name);
        n.depth = order[i].first;
        put(n, "kind", std::string(to_string(d.kind)));
        put(n, "state", std::string(to_string(d.state)));
        put(n, "start_time", d.start_time);
        put(n, "end_time", d.end_time);
        put(n, "created_at", d.created_at);
        put(n, "created_by", std::move(d.created_by));
    }
}

void GraphBuilder::activities(const std::map<std::int64_t, int>& depth) {
    const auto ids = keys_of(depth);
    auto found = store_.activity_summaries(ids);
    if (found.size() != ids.size())
        throw StorageError(fmt::format("a lineage graph names {} activities, but only {} are in the catalogue", ids.size(),
                                       found.size()));
    for (std::size_t i = 0; i < found.size(); ++i) {
        Activity& a = found[i];
        ProvNode n;
        n.kind = NodeKind::activity;
        n.id = std::move(a.pid);
        n.name = std::move(a.name);
        put(n, "type", std::string(to_string(a.type)));
        put(n, "program", std::move(a.program));
        put(n, "version", std::move(a.version));
        put(n, "status", std::string(to_string(a.status)));
        put(n, "start_time", a.start_time);
        put(n, "end_time", a.end_time);
        put(n, "host", std::move(a.host));
        n.depth = depth.at(ids[i]);
        activity_pid_.emplace(ids[i], n.id);
        graph_.nodes.push_back(std::move(n));
    }
}

std::string GraphBuilder::activity_of(std::int64_t id) {
    if (id == 0) return {};
    if (const auto it = activity_pid_.find(id); it != activity_pid_.end()) return it->second;
    return store_.activity_pid(id);
}

void GraphBuilder::other_links(const std::map<std::int64_t, int>& datasets, const std::map<std::int64_t, int>& activities) {
    if (activities.empty()) return;
    for (const auto& g : store_.generations_of(keys_of(datasets)))
        if (const auto it = activity_pid_.find(g.activity); it != activity_pid_.end())
            edge(dataset_pid(g.dataset), it->second, EdgeKind::was_generated_by, g.role);
    const auto ids = keys_of(activities);
    for (auto& u : store_.used_by(ids)) {
        if (!dataset_node_.contains(u.dataset)) continue;
        const auto& activity = activity_pid_.at(u.activity);
        const auto dataset = dataset_pid(u.dataset);
        if (u.path.empty()) {
            edge(activity, dataset, EdgeKind::used, std::move(u.role));
            continue;
        }
        const std::string file = dataset + "#" + u.path;
        ProvNode n;
        n.kind = NodeKind::datafile;
        n.id = file;
        n.name = u.path;
        n.depth = datasets.at(u.dataset);
        if (add(std::move(n))) edge(dataset, file, EdgeKind::had_member);
        edge(activity, file, EdgeKind::used, std::move(u.role));
    }
    for (const auto& [informed, informant] : store_.communications_among(ids))
        edge(activity_pid_.at(informed), activity_pid_.at(informant), EdgeKind::was_informed_by);
    for (auto& a : store_.associations_of(ids)) {
        edge(activity_pid_.at(a.activity), a.agent.pid, EdgeKind::was_associated_with, std::move(a.role));
        add(agent_node(std::move(a.agent), activities.at(a.activity)));
    }
}

}  // namespace datatrail::detail
