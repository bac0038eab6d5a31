#pragma once
// An in-memory copy of the derivation links (which dataset was derived from which), in both
// directions, and of every dataset's PID, for lineage walks. Walking SQLite costs one B-tree
// lookup per dataset reached, and reading a PID another (1-3 µs each in a large catalogue);
// walking this costs ~0.1 µs. A graph's records (names, attributes, activities) are still read
// from the catalogue, in the walk's own read transaction.
//
// Built on the first walk (a scan of the derivation table and of the datasets' ids and PIDs; per
// link 28 bytes with its activity and role, per dataset 24 bytes and its PID), then kept current: the derivation table
// numbers links in the order they were recorded (`seq`, schema version 3) and datasets are
// numbered by their rowid, and each walk first reads the links and datasets above the last the
// index holds, so what other connections and processes wrote is seen. Links and datasets are
// never deleted and PIDs never change; a future delete must drop the index (reset()).
#include "store/store.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace datatrail::detail {

class LineageIndex {
    // A link as the recent maps hold it: the other end, and the activity (0: none) and role
    // (an index into roles_) it was recorded with.
    struct Link {
        std::int64_t target = 0;
        std::int64_t activity = 0;
        std::uint32_t role = 0;
    };
    // One direction: the neighbours of dataset id are targets[offsets[id] .. offsets[id + 1]),
    // plus recent[id], the links read since the arrays were built.
    struct Adjacency {
        std::vector<std::int64_t> offsets;
        std::vector<std::int64_t> targets;
        std::unordered_map<std::int64_t, std::vector<Link>> recent;

        template <class F>  // f(position in targets or -1, link)
        void for_each(std::int64_t id, F&& f) const {
            if (id >= 0 && static_cast<std::size_t>(id) + 1 < offsets.size())
                for (auto i = offsets[id]; i < offsets[id + 1]; ++i) f(i, Link{targets[i]});
            if (recent.empty()) return;
            if (const auto it = recent.find(id); it != recent.end())
                for (const auto& link : it->second) f(std::int64_t{-1}, link);
        }
    };

public:
    // The index as of one read transaction's snapshot, held shared while it is in use.
    class View {
    public:
        // Calls f(neighbour) for each dataset one derivation step from `id` in `direction`.
        template <class F>
        void for_each(std::int64_t id, Direction direction, F&& f) const {
            (direction == Direction::ancestors ? index_->up_ : index_->down_).for_each(
                id, [&](std::int64_t, const Link& link) { f(link.target); });
        }
        // Calls f(source, activity id or 0, role) for each dataset `id` was derived from.
        template <class F>
        void for_each_source(std::int64_t id, F&& f) const {
            index_->up_.for_each(id, [&](std::int64_t at, const Link& link) {
                const auto i = static_cast<std::size_t>(at);
                const auto activity = at < 0 ? link.activity : index_->up_activity_[i];
                const auto role = at < 0 ? link.role : index_->up_role_[i];
                f(link.target, activity, std::string_view(index_->roles_[role]));
            });
        }
        // The PID of dataset `id`; empty when the snapshot has no such dataset.
        std::string_view pid(std::int64_t id) const noexcept { return index_->pid(id); }
        // Above every dataset id of the snapshot.
        std::size_t id_bound() const noexcept { return static_cast<std::size_t>(index_->mark_.dataset) + 1; }

    private:
        friend class LineageIndex;
        View(std::shared_lock<std::shared_mutex> lock, const LineageIndex* index)
            : lock_(std::move(lock)), index_(index) {}
        std::shared_lock<std::shared_mutex> lock_;
        const LineageIndex* index_;
    };

    // The index brought up to the snapshot `store` reads. nullopt when that snapshot is older
    // than the index (a concurrent read on a newer snapshot moved it on): the caller then walks
    // the store, which sees its own snapshot.
    std::optional<View> view(StoreReader& store);

    // Forgets everything; the next view() loads the links again.
    void reset();

private:
    using Mark = LinkMark;
    bool ahead_of(const Mark& m) const noexcept { return mark_.seq > m.seq || mark_.dataset > m.dataset; }

    // With the lock held exclusively: reads the datasets above mark_.dataset, and every link of
    // the snapshot or only those with a seq above mark_.seq when there are few enough.
    void catch_up(StoreReader& store, const Mark& snapshot);
    void build_links(StoreReader& store, std::size_t links);
    void add_recent(std::int64_t derived, std::int64_t source, std::int64_t activity, std::uint32_t role);
    std::uint32_t role_id(std::string_view role);
    void add_datasets(StoreReader& store, std::int64_t max_id);
    std::string_view pid(std::int64_t id) const noexcept;

    mutable std::shared_mutex mutex_;
    bool loaded_ = false;
    Mark mark_;                     // the highest link seq and dataset id held
    std::size_t recent_links_ = 0;  // links in the recent maps
    Adjacency up_;                  // derived -> its sources
    Adjacency down_;                // source -> what was derived from it
    // For each link in up_.targets, the activity that made it (0: none) and its role.
    std::vector<std::int64_t> up_activity_;
    std::vector<std::uint32_t> up_role_;
    std::vector<std::string> roles_{""};  // interned, "" first
    std::unordered_map<std::string, std::uint32_t> role_ids_{{"", 0}};
    // The PID of dataset id is pids_[pid_end_[id - 1] .. pid_end_[id]) (id 0: from 0).
    std::string pids_;
    std::vector<std::size_t> pid_end_;
};

}  // namespace datatrail::detail
