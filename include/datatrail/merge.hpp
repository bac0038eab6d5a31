#pragma once
// Merging one catalogue into another (a beamline's SQLite file into the facility's catalogue):
// what Catalog::merge_from reports, and how it reports progress.
#include <cstddef>
#include <functional>
#include <string_view>

namespace datatrail {

// Records of one kind: added to the target, or already there with the same content.
struct MergeCount {
    std::size_t added = 0;
    std::size_t skipped = 0;

    bool operator==(const MergeCount&) const = default;
};

struct MergeReport {
    MergeCount schemas;  // metadata schemas, by name and version
    MergeCount instruments, investigations, samples, agents, datasets, activities;
    MergeCount links;  // derivation links; an activity's own links come with it

    bool operator==(const MergeReport&) const = default;
};

// Where a long merge is: `stage` names the kind of record ("datasets", ...), `done` of `total`.
struct MergeProgress {
    std::string_view stage;
    std::size_t done = 0;
    std::size_t total = 0;
};

using MergeProgressFn = std::function<void(const MergeProgress&)>;

}  // namespace datatrail
