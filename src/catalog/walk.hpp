#pragma once
// Lineage walks, the same on every engine: breadth first over "one derivation step" from the
// in-memory lineage index (lineage_index.hpp) or, when it is off or behind the read's snapshot,
// from the engine's derivation table, one lookup per dataset reached.
#include "catalog/lineage_index.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace datatrail::detail {

// One derivation step read from the store, with the lineage index's interface.
class StoreNeighbours {
public:
    explicit StoreNeighbours(StoreReader& store) : store_(store) {}
    template <class F>
    void for_each(std::int64_t id, Direction direction, F&& f) const {
        store_.for_each_neighbour(id, direction, f);
    }
    template <class F>  // f(source, activity id or 0, role) for each dataset `id` was derived from
    void for_each_source(std::int64_t id, F&& f) const {
        store_.for_each_source(id, [&](const LinkRow& link) { f(link.source, link.activity, link.role); });
    }
    std::string pid(std::int64_t id) const { return store_.dataset_pid(id); }
    static constexpr std::size_t id_bound() noexcept { return 0; }  // unknown: no bitmap

private:
    StoreReader& store_;
};

// Calls visit(neighbours) with the lineage index when it is on and current for this snapshot,
// else with the store's own links.
template <class Visit>
void with_neighbours(StoreReader& store, LineageIndex* index, Visit&& visit) {
    if (index)
        if (const auto view = index->view(store)) return visit(*view);
    visit(StoreNeighbours(store));
}

// The datasets a walk has reached: a hash set while the walk is small, then a bitmap over the
// ids below `bound` (the index knows the highest id; a bit per dataset costs less than hashing
// once a walk is large, but allocating it costs more than a small walk).
class Visited {
public:
    explicit Visited(std::size_t bound) : bound_(bound) {}
    bool insert(std::int64_t id) {
        if (in_bits(id)) return set_bit(id);
        if (!others_.insert(id).second) return false;
        if (bits_.empty() && bound_ > 0 && others_.size() > small_walk) {
            bits_.assign((bound_ + 63) / 64, 0);
            for (const auto x : others_)
                if (in_bits(x)) set_bit(x);
            std::erase_if(others_, [&](std::int64_t x) { return in_bits(x); });
        }
        return true;
    }

private:
    static constexpr std::size_t small_walk = 2048;
    bool in_bits(std::int64_t id) const noexcept { return id >= 0 && static_cast<std::size_t>(id) / 64 < bits_.size(); }
    bool set_bit(std::int64_t id) noexcept {  // false if it was set
        auto& word = bits_[static_cast<std::size_t>(id) / 64];
        const auto bit = std::uint64_t{1} << (id % 64);
        if (word & bit) return false;
        word |= bit;
        return true;
    }
    std::size_t bound_;
    std::vector<std::uint64_t> bits_;
    std::unordered_set<std::int64_t> others_;
};

// (id, smallest depth) of every dataset within `limit` steps of the seeds (which all lie at
// depth `level`), in the order found. Breadth first: each dataset is visited once, at its
// smallest depth.
template <class Neighbours>
std::vector<std::pair<std::int64_t, int>> breadth_first(const Neighbours& graph, const std::vector<std::int64_t>& seeds,
                                                        int level, Direction direction, int limit) {
    Visited seen(graph.id_bound());
    std::vector<std::pair<std::int64_t, int>> found;
    for (const auto id : seeds)
        if (seen.insert(id)) found.emplace_back(id, level);
    for (std::size_t begin = 0; begin < found.size() && level < limit; ++level) {
        const auto end = found.size();
        for (auto i = begin; i < end; ++i)
            graph.for_each(found[i].first, direction, [&](std::int64_t next) {
                if (seen.insert(next)) found.emplace_back(next, level + 1);
            });
        begin = end;
    }
    return found;
}

// For each dataset on the way from `to` up its sources until `from` is reached, the dataset
// derived from it that led there (to maps to itself). Breadth first, so following the map
// from `from` gives a shortest path. Empty when `from` is not an ancestor of `to`.
template <class Neighbours>
std::unordered_map<std::int64_t, std::int64_t> path_up(const Neighbours& graph, std::int64_t from, std::int64_t to) {
    std::unordered_map<std::int64_t, std::int64_t> next{{to, to}};
    std::vector<std::int64_t> frontier{to}, following;
    while (!frontier.empty() && !next.contains(from)) {
        following.clear();
        for (const auto id : frontier)
            graph.for_each(id, Direction::ancestors, [&](std::int64_t source) {
                if (next.emplace(source, id).second) following.push_back(source);
            });
        frontier.swap(following);
    }
    if (!next.contains(from)) next.clear();
    return next;
}

}  // namespace datatrail::detail
