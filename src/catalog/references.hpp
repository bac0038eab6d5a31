#pragma once
// How records name each other: by PID, or by a name that must then be unambiguous.
#include "store/store.hpp"

#include <datatrail/error.hpp>

#include <optional>
#include <string>
#include <unordered_map>

namespace datatrail::detail {

// Finds a row by PID, else by name; a name that matches several rows is a ValidationError
// ("use its PID").
std::optional<Ref> lookup(StoreReader& store, Table table, const std::string& pid_or_name);

// Resolves an optional reference for a write (empty: none), recording a violation naming
// `field` when it dangles. `cache` remembers references already resolved in a batch.
std::optional<Ref> resolve(StoreReader& store, Table table, const std::string& ref, std::string field, Violations& out,
                           std::unordered_map<std::string, Ref>* cache = nullptr);

// A reference in a query filter: NotFound when it names nothing (a lookup, not a write).
std::optional<std::int64_t> filter_reference(StoreReader& store, Table table, const std::string& ref);

// The internal id of a record by PID; NotFound naming `what` (the operation) if absent.
std::int64_t id_or_throw(StoreReader& store, Table table, const std::string& pid, std::string_view what);

// The internal ids of datasets named by PID, one per (field, PID); every PID that names no
// dataset is a violation naming its field, all reported in one ValidationError.
std::vector<std::int64_t> require_datasets(StoreReader& store,
                                           const std::vector<std::pair<std::string_view, std::string>>& named);

// A PID that is already taken is a Conflict naming `field`.
void refuse_taken_pid(StoreReader& store, Table table, const std::string& pid, std::string_view field);

}  // namespace datatrail::detail
