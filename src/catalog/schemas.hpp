#pragma once
// Metadata schemas as the catalogue keeps and applies them: stored rows to schemas, a name or
// "name@version" to the flattened schema, and the check of datasets before they are written.
// Engine-neutral: the engines only store SchemaRows.
#include "store/store.hpp"

#include <datatrail/schema.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace datatrail::detail {

// The row the catalogue stores for a schema (canonical content, source text, who and when).
SchemaRow schema_row(const Schema& schema);

// Flattened schemas by id ("mx@1.2"), kept by a Catalog for as long as it lives: a stored
// schema never changes (its parent is pinned when it is added, and other content under its id
// is refused), so parsing its YAML once per process is enough. Thread-safe.
class SchemaCache {
public:
    std::shared_ptr<const Schema> find(const std::string& id) const;
    void put(const std::string& id, std::shared_ptr<const Schema> schema);

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const Schema>> schemas_;
};

// Finds and flattens schemas by "name" (latest version) or "name@version", remembering each one
// it read for the rest of the operation, and in `cache` (when given) for later ones.
class SchemaResolver {
public:
    explicit SchemaResolver(StoreReader& store, SchemaCache* cache = nullptr) : store_(store), cache_(cache) {}

    // The flattened schema; nullopt when the catalogue lacks it (or the name is malformed).
    const Schema* find(const std::string& ref);
    // The same, NotFound naming `ref` when missing.
    const Schema& get(const std::string& ref);
    // The schema as written (not flattened; `extends` the parent it was added with), for
    // resolve_schema's lookups.
    std::optional<Schema> written(const std::string& name, const std::string& version);
    // The parent `schema` extends, with its version: "base" is the latest base in the catalogue.
    std::string parent_of(const Schema& schema);
    StoreReader& store() noexcept { return store_; }

private:
    StoreReader& store_;
    SchemaCache* cache_;
    std::map<std::string, std::shared_ptr<const Schema>> flattened_;  // by the reference asked for
};

// A dataset as check_dataset wants it: its instrument by name, as schemas list them, whether
// it is named by PID (as the catalogue stores it) or by name.
Dataset as_entered(StoreReader& store, Dataset dataset);

// Checks a dataset that names a schema: on success its metadata becomes the schema's (defaults
// filled in, units converted), `schema` the id checked against, and `valid`/`violations` the
// outcome. A strict schema's violations (and a schema the catalogue lacks) are added to `out`.
// A dataset naming no schema is marked valid, whatever it claimed. False when refused.
bool apply_schema(SchemaResolver& schemas, Dataset& dataset, const std::string& field, Violations& out);

}  // namespace datatrail::detail
