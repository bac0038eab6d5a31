#pragma once
// A metadata key's value class and dimension are fixed by its first use in a catalogue: every
// later value, and every query condition, must agree, so all values of a key stay comparable.
#include "store/store.hpp"

#include <datatrail/error.hpp>

#include <string>
#include <unordered_map>

namespace datatrail::detail {

// Checks every row against what its key already holds (in the catalogue, or earlier in `seen`,
// the batch so far), recording a violation for another class or dimension. `field` names the
// map the rows came from: "dataset.metadata", "activity.parameters".
void check_keys(StoreReader& store, const std::vector<MetadataRow>& rows, const std::string& field,
                std::unordered_map<std::string, KeyInfo>& seen, Violations& out);

// A condition on a key of another class or dimension is an error (naming `field`, e.g.
// "query.energy"), not an empty result. Returns false for a key the catalogue has never seen,
// which simply matches nothing.
bool check_condition(StoreReader& store, const CompiledCondition& condition, std::string_view field);

}  // namespace datatrail::detail
