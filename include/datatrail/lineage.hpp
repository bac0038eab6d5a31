#pragma once
// Provenance graphs: what a dataset was made from (ancestors), what was made from it
// (descendants), and the path between two datasets, as nodes and typed edges.
#include <datatrail/export.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail {

enum class NodeKind { dataset, datafile, activity, agent };

// The W3C PROV relations datatrail records.
enum class EdgeKind {
    used,                 // activity -> dataset or datafile
    was_generated_by,     // dataset -> activity
    was_derived_from,     // dataset -> dataset
    was_informed_by,      // activity -> activity
    was_associated_with,  // activity -> agent
    had_member,           // dataset -> datafile
};

DATATRAIL_API std::string_view to_string(NodeKind k) noexcept;
DATATRAIL_API std::string_view to_string(EdgeKind k) noexcept;

struct ProvNode {
    std::string id;  // a PID; a datafile is "<dataset PID>#<path>"
    NodeKind kind = NodeKind::dataset;
    std::string name;
    // dataset: kind (raw/processed), state, start_time, end_time, created_at, created_by
    // activity: type, program, version, status, start_time, end_time, host
    // agent: type, orcid, email, version, url
    std::map<std::string, std::string> attributes;
    int depth = 0;  // derivation steps from where the query started

    bool operator==(const ProvNode&) const = default;
};

struct ProvEdge {
    std::string from;
    std::string to;
    EdgeKind kind = EdgeKind::was_derived_from;
    std::string role;
    std::string activity;  // was_derived_from: the activity that did it, if recorded

    bool operator==(const ProvEdge&) const = default;
};

// A dataset a lineage walk reached, and how many derivation steps it lies from the start.
struct DatasetDepth {
    std::string pid;
    int depth = 0;

    bool operator==(const DatasetDepth&) const = default;
};

struct DATATRAIL_API ProvGraph {
    std::vector<ProvNode> nodes;
    std::vector<ProvEdge> edges;

    const ProvNode* find(std::string_view id) const noexcept;
    bool contains(std::string_view id) const noexcept { return find(id) != nullptr; }
    std::vector<const ProvNode*> nodes_of(NodeKind kind) const;
    std::vector<const ProvEdge*> edges_of(EdgeKind kind) const;
};

}  // namespace datatrail
