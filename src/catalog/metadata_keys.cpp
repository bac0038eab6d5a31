#include "catalog/metadata_keys.hpp"

#include "catalog/validate.hpp"

#include <fmt/format.h>

namespace datatrail::detail {
namespace {

std::string with_article(std::string_view noun) {
    const bool vowel = !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
    return fmt::format("{} {}", vowel ? "an" : "a", noun);
}

}  // namespace

void check_keys(StoreReader& store, const std::vector<MetadataRow>& rows, const std::string& field,
                std::unordered_map<std::string, KeyInfo>& seen, Violations& out) {
    for (const auto& row : rows) {
        const std::string_view cls = value_class(row.type);
        const KeyInfo* known = nullptr;
        if (auto it = seen.find(row.key); it != seen.end()) {
            known = &it->second;
        } else if (auto stored = store.metadata_key(row.key)) {
            known = &seen.emplace(row.key, std::move(*stored)).first->second;
        } else {
            seen.emplace(row.key, KeyInfo{std::string(cls), row.si_unit, row.unit});
            continue;
        }
        const auto f = [&] { return fmt::format("{}.{}", field, row.key); };
        const auto shown = [&] {
            return std::visit([](const auto& v) { return fmt::format("{}", v); }, row.value) +
                   (row.unit.empty() ? "" : " " + row.unit);
        };
        if (known->value_class != cls) {
            out.add(f(), shown(),
                    fmt::format("must be {} like the catalogue's other values of '{}', not {}",
                                with_article(known->value_class), row.key, with_article(cls)));
        } else if (known->si_unit != row.si_unit && !(cls == "array" && (row.si_unit.empty() || known->si_unit.empty()))) {
            out.add_unit(f(), shown(),
                         fmt::format("unit '{}' has dimension {}, incompatible with '{}' values in the catalogue ({}, "
                                     "e.g. '{}')",
                                     row.unit, row.si_unit, row.key, known->si_unit, known->unit));
        }
    }
}

bool check_condition(StoreReader& store, const CompiledCondition& c, std::string_view field) {
    const auto known = store.metadata_key(c.key);
    if (!known) return false;
    const std::string f(field);
    std::string_view cls;
    switch (c.kind) {
        case CompiledCondition::Kind::present: return true;
        case CompiledCondition::Kind::number: cls = c.si_unit == datetime_si_unit ? "datetime" : "number"; break;
        case CompiledCondition::Kind::text:
        case CompiledCondition::Kind::pattern: cls = "string"; break;
        case CompiledCondition::Kind::boolean: cls = "bool"; break;
    }
    if (known->value_class != cls)
        throw ValidationError({{f, std::string(cls),
                                fmt::format("'{}' holds {} values in this catalogue; compare it with {}", c.key,
                                            known->value_class, with_article(known->value_class))}});
    if (cls == "number" && known->si_unit != c.si_unit)
        throw UnitError({{f, c.si_unit,
                          fmt::format("the query's unit has dimension {}, but '{}' is stored with dimension {} (e.g. '{}')",
                                      c.si_unit, c.key, known->si_unit, known->unit)}});
    return true;
}

}  // namespace datatrail::detail
