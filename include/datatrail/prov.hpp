#pragma once
// Exports of a provenance graph: W3C PROV-JSON and PROV-N, Graphviz DOT and SVG.
#include <datatrail/export.hpp>
#include <datatrail/lineage.hpp>

#include <string>

namespace datatrail {

// PROV-JSON (W3C member submission, 2013): entity, activity, agent, used, wasGeneratedBy,
// wasDerivedFrom, wasInformedBy, wasAssociatedWith, hadMember. PIDs are qualified names in the
// "pid" namespace (urn:datatrail:pid:), datatrail's attributes in "dt" (urn:datatrail:ns#).
DATATRAIL_API std::string to_prov_json(const ProvGraph& graph);
DATATRAIL_API std::string to_prov_n(const ProvGraph& graph);

// Graphviz DOT, PROV's usual shapes and colours: datasets as ellipses, activities as boxes,
// agents as houses; edges point from the later to the earlier thing, as in PROV.
DATATRAIL_API std::string to_dot(const ProvGraph& graph);
// Runs Graphviz's `dot -Tsvg`; Error when dot is not installed or fails.
DATATRAIL_API std::string to_svg(const ProvGraph& graph);

}  // namespace datatrail
