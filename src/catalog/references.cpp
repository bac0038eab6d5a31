#include "catalog/references.hpp"

#include <fmt/format.h>

namespace datatrail::detail {

std::string_view table_name(Table table) noexcept {
    switch (table) {
        case Table::instrument: return "instrument";
        case Table::investigation: return "investigation";
        case Table::sample: return "sample";
        case Table::dataset: return "dataset";
        case Table::agent: return "agent";
        case Table::activity: return "activity";
    }
    return "unknown";
}

std::optional<Ref> lookup(StoreReader& store, Table table, const std::string& pid_or_name) {
    if (auto found = store.find_by_pid(table, pid_or_name)) return found;
    auto named = store.find_by_name(table, pid_or_name, 2);
    if (named.empty()) return std::nullopt;
    if (named.size() > 1)
        throw ValidationError({{std::string(table_name(table)), pid_or_name,
                                fmt::format("names more than one {}; use its PID", table_name(table))}});
    return std::move(named.front());
}

std::optional<Ref> resolve(StoreReader& store, Table table, const std::string& ref, std::string field, Violations& out,
                           std::unordered_map<std::string, Ref>* cache) {
    if (ref.empty()) return std::nullopt;
    if (cache)
        if (auto it = cache->find(ref); it != cache->end()) return it->second;
    std::optional<Ref> found;
    try {
        found = lookup(store, table, ref);
    } catch (const ValidationError& e) {
        out.add(std::move(field), ref, e.violations().front().rule);
        return std::nullopt;
    }
    if (!found) {
        out.add(std::move(field), ref, fmt::format("must name an existing {} (by PID or name)", table_name(table)));
        return std::nullopt;
    }
    if (cache) cache->emplace(ref, *found);
    return found;
}

std::optional<std::int64_t> filter_reference(StoreReader& store, Table table, const std::string& ref) {
    if (ref.empty()) return std::nullopt;
    const auto found = lookup(store, table, ref);
    if (!found)
        throw NotFound(fmt::format("no {} '{}' in the catalogue (looked up by PID and by name)", table_name(table), ref));
    return found->id;
}

std::int64_t id_or_throw(StoreReader& store, Table table, const std::string& pid, std::string_view what) {
    const auto found = store.find_by_pid(table, pid);
    if (!found) throw NotFound(fmt::format("{}: no {} with PID '{}' in the catalogue", what, table_name(table), pid));
    return found->id;
}

std::vector<std::int64_t> require_datasets(StoreReader& store,
                                           const std::vector<std::pair<std::string_view, std::string>>& named) {
    std::vector<std::int64_t> ids;
    Violations violations;
    for (const auto& [field, pid] : named) {
        const auto found = store.find_by_pid(Table::dataset, pid);
        if (!found) violations.add(std::string(field), pid, "must be the PID of a dataset in the catalogue");
        ids.push_back(found ? found->id : 0);
    }
    violations.throw_if_any();
    return ids;
}

void refuse_taken_pid(StoreReader& store, Table table, const std::string& pid, std::string_view field) {
    if (store.find_by_pid(table, pid))
        throw Conflict(fmt::format("{}.pid '{}' must be unique: the catalogue already has it", field, pid));
}

}  // namespace datatrail::detail
