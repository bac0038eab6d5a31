#include "catalog/lineage_index.hpp"

#include <algorithm>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace datatrail::detail {

namespace {

// Links read one by one below this many; above it (or a quarter of the links held) the arrays
// are built again from the whole table, which keeps the recent maps small.
constexpr std::size_t max_recent_links = 1 << 16;

// Compressed rows from (from[i], to[i]) pairs: fills offsets and targets, and returns where
// pair i went, for arrays parallel to targets.
std::vector<std::size_t> fill(std::vector<std::int64_t>& offsets, std::vector<std::int64_t>& targets,
                              const std::vector<std::int64_t>& from, const std::vector<std::int64_t>& to, std::size_t ids) {
    offsets.assign(ids + 1, 0);
    for (const auto f : from) ++offsets[static_cast<std::size_t>(f) + 1];
    for (std::size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
    targets.resize(from.size());
    // Counting sort: stable, so each row keeps the order of `to` it had.
    std::vector<std::int64_t> next(offsets.begin(), offsets.end() - 1);
    std::vector<std::size_t> slot(from.size());
    for (std::size_t i = 0; i < from.size(); ++i) {
        slot[i] = static_cast<std::size_t>(next[static_cast<std::size_t>(from[i])]++);
        targets[slot[i]] = to[i];
    }
    return slot;
}

}  // namespace

std::optional<LineageIndex::View> LineageIndex::view(StoreReader& store) {
    const auto snapshot = store.link_mark();
    {
        std::shared_lock lock(mutex_);
        if (loaded_ && mark_ == snapshot) return View(std::move(lock), this);
        if (loaded_ && ahead_of(snapshot)) return std::nullopt;
    }
    {
        std::unique_lock lock(mutex_);
        if (loaded_ && ahead_of(snapshot)) return std::nullopt;
        if (!loaded_ || mark_ != snapshot) catch_up(store, snapshot);
    }
    std::shared_lock lock(mutex_);
    // Another reader may have moved it on between the two locks.
    if (mark_ != snapshot) return std::nullopt;
    return View(std::move(lock), this);
}

void LineageIndex::reset() {
    std::unique_lock lock(mutex_);
    loaded_ = false;
    mark_ = {};
    recent_links_ = 0;
    up_ = {};
    down_ = {};
    up_activity_ = {};
    up_role_ = {};
    pids_.clear();
    pid_end_.clear();
}

std::string_view LineageIndex::pid(std::int64_t id) const noexcept {
    if (id <= 0 || static_cast<std::size_t>(id) >= pid_end_.size()) return {};
    const auto begin = pid_end_[static_cast<std::size_t>(id) - 1];
    return std::string_view(pids_).substr(begin, pid_end_[static_cast<std::size_t>(id)] - begin);
}

void LineageIndex::catch_up(StoreReader& store, const Mark& snapshot) {
    // The read transaction sees exactly the links and datasets up to `snapshot`.
    if (!loaded_ || snapshot.dataset > mark_.dataset) add_datasets(store, snapshot.dataset);
    const auto missing = static_cast<std::size_t>(snapshot.seq - mark_.seq);
    if (!loaded_ || recent_links_ + missing > std::max(max_recent_links, up_.targets.size() / 4)) {
        build_links(store, static_cast<std::size_t>(snapshot.seq));
    } else if (missing > 0) {
        store.for_each_link(mark_.seq, [&](const LinkRow& link) {
            add_recent(link.derived, link.source, link.activity, role_id(link.role));
        });
    }
    mark_ = snapshot;
    loaded_ = true;
}

void LineageIndex::add_datasets(StoreReader& store, std::int64_t max_id) {
    const bool first = pid_end_.empty();
    if (first) pid_end_.push_back(0);  // id 0: no dataset
    pid_end_.reserve(static_cast<std::size_t>(max_id) + 1);
    store.for_each_dataset_pid(static_cast<std::int64_t>(pid_end_.size() - 1), [&](std::int64_t id, std::string_view pid) {
        // Ids skipped (none unless rows were removed behind datatrail's back) have no PID.
        pid_end_.resize(static_cast<std::size_t>(id), pids_.size());
        pids_ += pid;
        pid_end_.push_back(pids_.size());
    });
    if (first) pids_.shrink_to_fit();
}

void LineageIndex::add_recent(std::int64_t derived, std::int64_t source, std::int64_t activity, std::uint32_t role) {
    up_.recent[derived].push_back({source, activity, role});
    down_.recent[source].push_back({derived, activity, role});
    ++recent_links_;
}

std::uint32_t LineageIndex::role_id(std::string_view role) {
    if (role.empty()) return 0;
    const auto [it, added] = role_ids_.try_emplace(std::string(role), static_cast<std::uint32_t>(roles_.size()));
    if (added) roles_.emplace_back(role);
    return it->second;
}

void LineageIndex::build_links(StoreReader& store, std::size_t links) {
    up_ = {};
    down_ = {};
    recent_links_ = 0;
    // Links are numbered 1, 2, 3 ...: the highest seq is their count.
    std::vector<std::int64_t> derived, source, activity;
    std::vector<std::uint32_t> role;
    derived.reserve(links), source.reserve(links), activity.reserve(links), role.reserve(links);
    std::int64_t max_id = -1;
    {
        // Every link the read transaction sees, in key order (by derived, then source), so each
        // dataset's sources come out in id order.
        store.for_each_link(0, [&](const LinkRow& link) {
            const auto d = link.derived, s = link.source, a = link.activity;
            const auto r = role_id(link.role);
            // Dataset ids are positive rowids; anything else is kept aside rather than indexing
            // an array with it.
            if (d < 0 || s < 0) {
                add_recent(d, s, a, r);
                return;
            }
            derived.push_back(d);
            source.push_back(s);
            activity.push_back(a);
            role.push_back(r);
            max_id = std::max({max_id, d, s});
        });
    }
    const auto ids = static_cast<std::size_t>(max_id + 1);
    {
        const auto slot = fill(up_.offsets, up_.targets, derived, source, ids);
        up_activity_.resize(slot.size());
        up_role_.resize(slot.size());
        for (std::size_t i = 0; i < slot.size(); ++i) {
            up_activity_[slot[i]] = activity[i];
            up_role_[slot[i]] = role[i];
        }
    }
    fill(down_.offsets, down_.targets, source, derived, ids);
#ifdef __GLIBC__
    // The temporaries above were as large as the index; hand their pages back rather than
    // keep them in the heap of a process that may run for days.
    derived = {}, source = {}, activity = {}, role = {};
    malloc_trim(0);
#endif
}

}  // namespace datatrail::detail
