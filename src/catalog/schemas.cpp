#include "catalog/schemas.hpp"

#include "catalog/catalog_impl.hpp"
#include "catalog/query_compile.hpp"
#include "catalog/references.hpp"
#include "catalog/search_text.hpp"
#include "catalog/validate.hpp"
#include "schema/schema_rules.hpp"

#include <datatrail/catalog.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

namespace datatrail::detail {
namespace {

Schema from_row(const SchemaRow& row) {
    Schema s;
    try {
        s = parse_schema(row.source, row.source_name);
    } catch (const ValidationError& e) {
        throw StorageError(fmt::format("the catalogue's schema {}@{} no longer parses: {}", row.name, row.version, e.what()));
    }
    // The parent it was added with, not the latest version of that name now.
    if (!row.parent.empty()) s.extends = row.parent;
    return s;
}

}  // namespace

SchemaRow schema_row(const Schema& schema) {
    SchemaRow row;
    row.name = schema.name;
    row.version = schema.version;
    row.description = schema.description;
    row.canonical = canonical_json(schema);
    row.source = schema.source;
    row.source_name = schema.source_name;
    row.created_by = current_user();
    row.created_at = now();
    return row;
}

std::optional<Schema> SchemaResolver::written(const std::string& name, const std::string& version) {
    const auto rows = store_.schemas(name);
    const SchemaRow* best = nullptr;
    for (const auto& row : rows) {
        if (!version.empty() ? row.version == version
                             : !best || compare_schema_versions(row.version, best->version) > 0)
            best = &row;
    }
    if (!best) return std::nullopt;
    return from_row(*best);
}

Dataset as_entered(StoreReader& store, Dataset d) {
    if (d.instrument.empty()) return d;
    if (const auto ref = lookup(store, Table::instrument, d.instrument))
        d.instrument = store.instruments({ref->id}).front().name;
    return d;
}

std::shared_ptr<const Schema> SchemaCache::find(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = schemas_.find(id);
    return it == schemas_.end() ? nullptr : it->second;
}

void SchemaCache::put(const std::string& id, std::shared_ptr<const Schema> schema) {
    std::lock_guard lock(mutex_);
    schemas_.emplace(id, std::move(schema));
}

const Schema* SchemaResolver::find(const std::string& ref) {
    if (auto it = flattened_.find(ref); it != flattened_.end()) return it->second.get();
    const auto [name, version] = split_reference(ref);
    std::shared_ptr<const Schema> found;
    if (is_valid_schema_name(name) && (version.empty() || is_valid_schema_version(version))) {
        // Which version: one query for the name's rows; parsed only when not cached.
        const auto rows = store_.schemas(name);
        const SchemaRow* row = nullptr;
        for (const auto& r : rows)
            if (!version.empty() ? r.version == version : !row || compare_schema_versions(r.version, row->version) > 0)
                row = &r;
        if (row) {
            const std::string id = row->name + "@" + row->version;
            if (cache_) found = cache_->find(id);
            if (!found) {
                found = std::make_shared<const Schema>(resolve_schema(
                    from_row(*row), [this](const std::string& n, const std::string& v) { return written(n, v); }));
                if (cache_) cache_->put(id, found);
            }
        }
    }
    auto& slot = flattened_[ref];
    slot = std::move(found);
    return slot.get();
}

std::string SchemaResolver::parent_of(const Schema& schema) {
    if (schema.extends.empty()) return {};
    const auto [name, version] = split_reference(schema.extends);
    if (!version.empty()) return schema.extends;
    const auto parent = written(name, {});
    return parent ? parent->id() : schema.extends;
}

const Schema& SchemaResolver::get(const std::string& ref) {
    if (const auto* s = find(ref)) return *s;
    throw NotFound(fmt::format("no metadata schema '{}' in the catalogue (add it with add_schema)", ref));
}

bool apply_schema(SchemaResolver& schemas, Dataset& d, const std::string& field, Violations& out) {
    d.valid = true;
    d.violations.clear();
    if (d.schema.empty()) return true;
    const Schema* s = schemas.find(d.schema);
    if (!s) {
        out.add(field + ".schema", d.schema,
                "must name a metadata schema in the catalogue, \"name\" or \"name@version\" (add it with add_schema)");
        return false;
    }
    auto check = check_dataset(*s, as_entered(schemas.store(), d), field);
    if (!check.accepted()) {
        for (auto& v : check.violations) out.add(std::move(v.field), std::move(v.value), std::move(v.rule));
        return false;
    }
    d.metadata = std::move(check.metadata);
    d.schema = s->id();
    d.valid = check.ok();
    d.violations = std::move(check.violations);
    return true;
}

}  // namespace datatrail::detail

namespace datatrail {

using detail::SchemaResolver;
using detail::StoreReader;
using detail::StoreWriter;
using detail::Table;

Schema Catalog::add_schema(const Schema& schema) {
    Violations problems;
    if (!is_valid_schema_name(schema.name))
        problems.add("schema.name", schema.name, "must be letters, digits, '_' and '-', starting with a letter");
    if (!is_valid_schema_version(schema.version))
        problems.add("schema.version", schema.version, "must be dotted numbers, e.g. 1.2");
    problems.throw_if_any();
    // The catalogue keeps the YAML text: it must be the text of this very schema (not one built or
    // flattened in code since), or what is stored would mean something else.
    std::optional<Schema> reparsed;
    try {
        reparsed = parse_schema(schema.source, schema.source_name.empty() ? "schema" : schema.source_name);
    } catch (const ValidationError&) {
    }
    if (!reparsed || canonical_json(*reparsed) != canonical_json(schema))
        throw ValidationError({{"schema.source", schema.source_name.empty() ? schema.id() : schema.source_name,
                                "must be the YAML text the schema was parsed from: add schemas made by parse_schema or "
                                "load_schema (a schema changed in code, or flattened by a catalogue, has none)"}});
    auto row = detail::schema_row(schema);
    std::optional<Schema> out;
    impl_->store->write([&](StoreWriter& w) {
        SchemaResolver resolver(w, &impl_->schema_cache);
        for (const auto& here : w.schemas(schema.name)) {
            if (here.version != schema.version) continue;
            if (here.canonical != row.canonical)
                throw Conflict(fmt::format("schema {} is already in the catalogue with other content; give the new "
                                           "content a new version",
                                           schema.id()),
                               {{fmt::format("schema {}", schema.id()), schema.source_name,
                                 "differs in content from the catalogue's schema of that name and version"}});
            out = resolver.get(schema.id());
            return;
        }
        // "extends: base" means the latest base now, and keeps meaning that version.
        Schema pinned = schema;
        pinned.extends = resolver.parent_of(schema);
        auto stored = row;
        stored.parent = pinned.extends;
        // The parent must be here, and the chain must flatten (no cycle, no contradiction).
        auto flat = resolve_schema(pinned, [&](const std::string& n, const std::string& v) { return resolver.written(n, v); });
        w.insert_schema(stored);
        out = std::move(flat);
    });
    return std::move(*out);
}

Schema Catalog::schema(const std::string& name) const {
    std::optional<Schema> out;
    impl_->store->read([&](StoreReader& r) {
        SchemaResolver resolver(r, &impl_->schema_cache);
        out = resolver.get(name);
    });
    return std::move(*out);
}

std::vector<Schema> Catalog::schemas() const {
    std::vector<Schema> out;
    impl_->store->read([&](StoreReader& r) {
        out.clear();
        SchemaResolver resolver(r, &impl_->schema_cache);
        for (const auto& row : r.schemas({})) out.push_back(resolver.get(row.name + "@" + row.version));
    });
    std::stable_sort(out.begin(), out.end(), [](const Schema& a, const Schema& b) {
        return a.name != b.name ? a.name < b.name : compare_schema_versions(a.version, b.version) < 0;
    });
    return out;
}

namespace {

// The reports for the datasets `ids`, read a chunk at a time; `schema` empty: each its own.
std::vector<SchemaReport> validate_ids(StoreReader& r, const std::vector<std::int64_t>& ids, const std::string& schema,
                                       detail::SchemaCache& cache) {
    SchemaResolver resolver(r, &cache);
    if (!schema.empty()) resolver.get(schema);  // NotFound before anything else
    std::vector<SchemaReport> out;
    out.reserve(ids.size());
    constexpr std::size_t chunk = 1000;
    for (std::size_t begin = 0; begin < ids.size(); begin += chunk) {
        const std::vector<std::int64_t> part(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                                             ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), begin + chunk)));
        for (const auto& d : r.datasets(part)) {
            SchemaReport report{d.pid, {}, {}};
            const std::string& ref = schema.empty() ? d.schema : schema;
            if (const Schema* s = ref.empty() ? nullptr : resolver.find(ref)) {
                report.schema = s->id();
                report.violations = check_dataset(*s, as_entered(r, d), "dataset").violations;
            } else if (!ref.empty()) {
                report.violations.push_back({"dataset.schema", ref, "names no metadata schema in the catalogue"});
            }
            out.push_back(std::move(report));
        }
    }
    return out;
}

std::vector<std::int64_t> unique_ids(std::vector<std::int64_t> ids) {
    std::unordered_set<std::int64_t> seen;
    std::erase_if(ids, [&](std::int64_t id) { return !seen.insert(id).second; });
    return ids;
}

}  // namespace

std::vector<SchemaReport> Catalog::Impl::validate(const std::function<std::vector<std::int64_t>(StoreReader&)>& select,
                                                  const std::string& schema, bool record) {
    std::vector<SchemaReport> out;
    if (!record) {
        store->read([&](StoreReader& r) { out = validate_ids(r, unique_ids(select(r)), schema, schema_cache); });
        return out;
    }
    store->write([&](StoreWriter& w) {
        const auto ids = unique_ids(select(w));
        out = validate_ids(w, ids, schema, schema_cache);
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (!out[i].schema.empty()) w.set_validity(ids[i], out[i].schema, out[i].ok(), out[i].violations);
    });
    return out;
}

std::vector<SchemaReport> Catalog::validate(const DatasetQuery& query, const std::string& schema, bool record) {
    return impl_->validate([&](StoreReader& r) { return r.find_datasets(detail::compile_query(r, query)); }, schema,
                           record);
}

std::vector<SchemaReport> Catalog::validate(const std::vector<std::string>& pids, const std::string& schema,
                                            bool record) {
    std::vector<std::string> fields;
    for (std::size_t i = 0; i < pids.size(); ++i) fields.push_back(fmt::format("pids[{}]", i));
    std::vector<std::pair<std::string_view, std::string>> named;
    for (std::size_t i = 0; i < pids.size(); ++i) named.emplace_back(fields[i], pids[i]);
    return impl_->validate([&](StoreReader& r) { return detail::require_datasets(r, named); }, schema, record);
}

}  // namespace datatrail
