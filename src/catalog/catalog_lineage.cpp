// Catalog's lineage queries: walks and graphs over the store's provenance rows, the same on
// every engine.
#include "catalog/catalog_impl.hpp"
#include "catalog/graph_builder.hpp"
#include "catalog/references.hpp"
#include "catalog/walk.hpp"

#include <fmt/format.h>

#include <limits>
#include <set>
#include <unordered_set>

namespace datatrail {

using detail::Direction;
using detail::StoreReader;
using detail::Table;

namespace {

// Where a walk starts: a dataset, or the datasets an activity used (going up) or generated
// (going down), one step from it.
struct WalkStart {
    std::optional<std::int64_t> activity;
    std::vector<std::int64_t> seeds;
    int level = 0;  // the seeds' depth: 0 for a dataset, 1 for an activity's
};

WalkStart walk_start(StoreReader& store, const std::string& pid, Direction direction, int limit) {
    WalkStart start;
    if (const auto dataset = store.find_by_pid(Table::dataset, pid)) {
        start.seeds.push_back(dataset->id);
        return start;
    }
    const auto activity = store.find_by_pid(Table::activity, pid);
    if (!activity) throw NotFound(fmt::format("no dataset or activity with PID '{}' in the catalogue", pid));
    start.activity = activity->id;
    start.level = 1;
    if (limit > 0)
        start.seeds = direction == Direction::ancestors ? store.used_datasets(activity->id)
                                                        : store.generated_datasets(activity->id);
    return start;
}

int depth_limit(int depth) { return depth < 0 ? std::numeric_limits<int>::max() : depth; }

}  // namespace

std::vector<std::pair<std::int64_t, int>> Catalog::Impl::walk(StoreReader& store, const std::vector<std::int64_t>& seeds,
                                                               int level, Direction direction, int limit,
                                                               std::vector<std::string>* pids) {
    std::vector<std::pair<std::int64_t, int>> found;
    detail::with_neighbours(store, index(), [&](const auto& graph) {
        found = detail::breadth_first(graph, seeds, level, direction, limit);
        // Nearest first, then in registration order, whichever way the neighbours were read.
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
            return std::tie(a.second, a.first) < std::tie(b.second, b.first);
        });
        if (!pids) return;
        pids->reserve(found.size());
        for (const auto& [id, d] : found) {
            pids->emplace_back(graph.pid(id));
            // The lineage index reads datasets above the highest id it holds; on an engine whose
            // ids are not given in commit order (PostgreSQL), a dataset committed after one with
            // a higher id is not in it: read its PID from the store.
            if (pids->back().empty()) pids->back() = store.dataset_pid(id);
            if (pids->back().empty()) throw StorageError(fmt::format("derivation names dataset id {}, which is missing", id));
        }
    });
    return found;
}

ProvGraph Catalog::Impl::lineage(const std::string& pid, Direction direction, int depth) {
    ProvGraph graph;
    store->read([&](StoreReader& store) {
        const bool up = direction == Direction::ancestors;
        const int limit = depth_limit(depth);
        const auto start = walk_start(store, pid, direction, limit);
        std::map<std::int64_t, int> activities;
        if (start.activity) activities.emplace(*start.activity, 0);
        const auto found = walk(store, start.seeds, start.level, direction, limit);
        const std::map<std::int64_t, int> datasets(found.begin(), found.end());
        // Each query's activities at the smallest depth it finds them; an activity already
        // placed keeps its depth.
        const auto add = [&](const auto& rows, int shift) {
            std::map<std::int64_t, int> found;
            for (const auto& row : rows) {
                const int d = datasets.at(row.dataset) + shift;
                const auto [it, added] = found.emplace(row.activity, d);
                if (!added) it->second = std::min(it->second, d);
            }
            activities.insert(found.begin(), found.end());
        };
        // Activities on the way: for ancestors, those that generated a dataset short of the
        // limit (their inputs are in the graph); for descendants, those that used one.
        std::vector<std::int64_t> within;
        for (const auto& [id, d] : datasets)
            if (d < limit) within.push_back(id);
        if (up) {
            add(store.generations_of(within), 0);
        } else {
            add(store.uses_of(within), 0);
            // ...and the generators of the datasets found, which used something in the graph.
            std::vector<std::int64_t> made;
            for (const auto& [id, d] : datasets)
                if (d > 0) made.push_back(id);
            add(store.generations_of(made), -1);
        }
        detail::GraphBuilder builder(store);
        builder.datasets(datasets);
        builder.activities(activities);
        detail::with_neighbours(store, index(), [&](const auto& g) { builder.links(g, datasets, activities); });
        graph = builder.take();
        // The start node first, whatever its kind.
        const auto first = std::find_if(graph.nodes.begin(), graph.nodes.end(), [&](const ProvNode& n) { return n.id == pid; });
        if (first != graph.nodes.end()) std::rotate(graph.nodes.begin(), first, first + 1);
    });
    return graph;
}

std::vector<DatasetDepth> Catalog::Impl::reach(const std::string& pid, Direction direction, int depth) {
    std::vector<DatasetDepth> out;
    store->read([&](StoreReader& store) {
        const int limit = depth_limit(depth);
        const auto start = walk_start(store, pid, direction, limit);
        std::vector<std::string> pids;
        const auto found = walk(store, start.seeds, start.level, direction, limit, &pids);
        const std::size_t first = start.activity ? 0 : 1;  // not the start dataset itself
        out.reserve(found.size() - first);
        for (std::size_t i = first; i < found.size(); ++i) out.push_back({std::move(pids[i]), found[i].second});
    });
    return out;
}

ProvGraph Catalog::ancestors(const std::string& pid, int depth) const {
    return impl_->lineage(pid, Direction::ancestors, depth);
}

ProvGraph Catalog::descendants(const std::string& pid, int depth) const {
    return impl_->lineage(pid, Direction::descendants, depth);
}

std::vector<DatasetDepth> Catalog::ancestor_pids(const std::string& pid, int depth) const {
    return impl_->reach(pid, Direction::ancestors, depth);
}

std::vector<DatasetDepth> Catalog::descendant_pids(const std::string& pid, int depth) const {
    return impl_->reach(pid, Direction::descendants, depth);
}

ProvGraph Catalog::lineage_path(const std::string& ancestor, const std::string& descendant) const {
    ProvGraph graph;
    impl_->store->read([&](StoreReader& store) {
        const auto ends = detail::require_datasets(store, {{"ancestor", ancestor}, {"descendant", descendant}});
        const auto from = ends[0], to = ends[1];
        std::unordered_map<std::int64_t, std::int64_t> next;  // source -> the dataset derived from it
        detail::with_neighbours(store, impl_->index(), [&](const auto& g) { next = detail::path_up(g, from, to); });
        if (next.empty())
            throw NotFound(fmt::format("{} was not made from {}: no derivation path leads from one to the other", descendant,
                                       ancestor));
        // The path from the ancestor down to the descendant; depth counts from the descendant,
        // as in ancestors().
        std::vector<std::int64_t> path{from};
        while (path.back() != to) path.push_back(next.at(path.back()));
        std::map<std::int64_t, int> datasets, activities;
        std::vector<std::string> pids;
        for (std::size_t i = 0; i < path.size(); ++i) {
            datasets.emplace(path[i], static_cast<int>(path.size() - 1 - i));
            pids.push_back(store.dataset_pid(path[i]));
        }
        for (std::size_t i = 0; i + 1 < path.size(); ++i)
            if (const auto by = store.derivation_activity(path[i + 1], path[i])) activities.emplace(*by, datasets.at(path[i + 1]));
        detail::GraphBuilder builder(store);
        builder.datasets(datasets);
        builder.activities(activities);
        detail::with_neighbours(store, impl_->index(), [&](const auto& g) { builder.links(g, datasets, activities); });
        // Keep the path's own steps, not shortcuts between datasets on it.
        std::set<std::pair<std::string, std::string>> steps;
        for (std::size_t i = 0; i + 1 < pids.size(); ++i) steps.emplace(pids[i + 1], pids[i]);
        auto& built = builder.graph();
        std::erase_if(built.edges, [&](const ProvEdge& e) {
            return e.kind == EdgeKind::was_derived_from && !steps.contains({e.from, e.to});
        });
        // In path order: the ancestor first, each activity after the dataset it made.
        std::stable_sort(built.nodes.begin(), built.nodes.end(),
                         [](const ProvNode& a, const ProvNode& b) { return a.depth > b.depth; });
        graph = builder.take();
    });
    return graph;
}

ProvGraph Catalog::provenance() const {
    ProvGraph graph;
    impl_->store->read([&](StoreReader& store) {
        std::map<std::int64_t, int> datasets, activities;
        for (const auto id : store.all_ids(Table::dataset)) datasets.emplace(id, 0);
        for (const auto id : store.all_ids(Table::activity)) activities.emplace(id, 0);
        detail::GraphBuilder builder(store);
        builder.datasets(datasets);
        builder.activities(activities);
        detail::with_neighbours(store, impl_->index(), [&](const auto& g) { builder.links(g, datasets, activities); });
        // Agents not associated with any activity belong to the catalogue's provenance too.
        for (auto& agent : store.agents(store.all_ids(Table::agent))) builder.add(detail::GraphBuilder::agent_node(std::move(agent), 0));
        graph = builder.take();
    });
    return graph;
}

namespace {

std::vector<std::string> pids_of(const std::vector<DatasetDepth>& found) {
    std::vector<std::string> out;
    out.reserve(found.size());
    for (const auto& f : found) out.push_back(f.pid);
    return out;
}

}  // namespace

std::vector<Dataset> Catalog::raw_sources(const std::string& pid) const {
    auto found = impl_->datasets_by_pid(pids_of(ancestor_pids(pid)));
    std::erase_if(found, [](const Dataset& d) { return d.kind != DatasetKind::raw; });
    return found;
}

std::vector<Dataset> Catalog::downstream(const std::string& pid) const {
    return impl_->datasets_by_pid(pids_of(descendant_pids(pid)));
}

std::vector<Dataset> Catalog::generated_by_program(const std::string& program, const std::string& min_version,
                                                   const std::string& max_version, bool include_downstream) const {
    if (program.empty()) throw ValidationError({{"program", "", "must name a program"}});
    ActivityQuery q;
    q.program = program;
    q.min_version = min_version;
    q.max_version = max_version;
    std::vector<std::string> pids;
    std::unordered_set<std::string> seen;
    for (const auto& a : find_activities(q))
        for (const auto& pid : a.generated) {
            if (!seen.insert(pid).second) continue;
            pids.push_back(pid);
            if (include_downstream)
                for (auto& d : descendant_pids(pid))
                    if (seen.insert(d.pid).second) pids.push_back(std::move(d.pid));
        }
    return impl_->datasets_by_pid(pids);
}

}  // namespace datatrail
