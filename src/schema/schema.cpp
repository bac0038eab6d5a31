// The schema model: names and versions, inheritance, and the canonical text that tells two
// schemas of one id apart.
#include <datatrail/schema.hpp>

#include "schema/schema_rules.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace datatrail {
namespace {

// Digits separated by dots, each without a leading zero; empty for text that is no version.
std::vector<std::string_view> version_parts(std::string_view v) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto end = v.find('.', start);
        const auto part = v.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (part.empty() || (part.size() > 1 && part.front() == '0') ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return {};
        parts.push_back(part);
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

std::string chain_text(const std::vector<std::string>& ids) {
    std::string text;
    for (const auto& id : ids) text += (text.empty() ? "" : " -> ") + id;
    return text;
}

SchemaField merge_field(const SchemaField& parent, const SchemaField& child) {
    SchemaField f = parent;
    f.type = child.type;
    if (child.element_type) f.element_type = child.element_type;
    if (!child.shape.empty()) f.shape = child.shape;
    // unit and dimension are alternatives: a child that writes either replaces both.
    if (!child.unit.empty() || !child.dimension.empty()) {
        f.unit = child.unit;
        f.dimension = child.dimension;
    }
    if (child.required) f.required = child.required;
    if (child.default_value) f.default_value = child.default_value;
    if (child.minimum) f.minimum = child.minimum;
    if (child.maximum) f.maximum = child.maximum;
    if (!child.allowed.empty()) f.allowed = child.allowed;
    if (!child.pattern.empty()) f.pattern = child.pattern;
    if (!child.description.empty()) f.description = child.description;
    if (!child.nexus_path.empty()) f.nexus_path = child.nexus_path;
    return f;
}

Schema merge(const Schema& parent, const Schema& child) {
    Schema s = child;
    if (s.description.empty()) s.description = parent.description;
    if (s.applies_to.kinds.empty()) s.applies_to.kinds = parent.applies_to.kinds;
    if (s.applies_to.techniques.empty()) s.applies_to.techniques = parent.applies_to.techniques;
    if (s.applies_to.instruments.empty()) s.applies_to.instruments = parent.applies_to.instruments;
    if (!s.strict) s.strict = parent.strict;
    if (!s.additional) s.additional = parent.additional;
    s.fields = parent.fields;
    for (const auto& field : child.fields) {
        const auto it = std::find_if(s.fields.begin(), s.fields.end(), [&](const SchemaField& f) { return f.key == field.key; });
        if (it == s.fields.end()) s.fields.push_back(field);
        else *it = merge_field(*it, field);
    }
    return s;
}

nlohmann::json value_json(const Value& v) {
    return std::visit(
        [](const auto& x) -> nlohmann::json {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Timestamp>) return format_time(x);
            else if constexpr (std::is_same_v<T, Json>) {
                // Parsed, so that the spacing of the JSON text does not count.
                auto parsed = nlohmann::json::parse(x.text, nullptr, false);
                return parsed.is_discarded() ? nlohmann::json(x.text) : parsed;
            } else return x;
        },
        v.variant());
}

nlohmann::json metadata_value_json(const MetadataValue& v) {
    if (v.unit.empty() && !v.uncertainty) return value_json(v.value);
    nlohmann::json j{{"value", value_json(v.value)}, {"unit", v.unit}};
    if (v.uncertainty) j["uncertainty"] = *v.uncertainty;
    return j;
}

nlohmann::json quantity_json(const Quantity& q) { return {{"value", q.value}, {"unit", q.unit}}; }

// Sorted, so that the order of a set-like list does not count.
nlohmann::json sorted(std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    return items;
}

nlohmann::json field_json(const SchemaField& f) {
    nlohmann::json j;
    j["type"] = std::string(to_string(f.type));
    if (f.element_type) j["element_type"] = std::string(to_string(*f.element_type));
    if (!f.shape.empty()) j["shape"] = f.shape;
    if (!f.unit.empty()) j["unit"] = f.unit;
    if (!f.dimension.empty()) j["dimension"] = f.dimension;
    if (f.required) j["required"] = *f.required;
    if (f.default_value) j["default"] = metadata_value_json(*f.default_value);
    if (f.minimum) j["minimum"] = quantity_json(*f.minimum);
    if (f.maximum) j["maximum"] = quantity_json(*f.maximum);
    if (!f.allowed.empty()) {
        std::vector<std::string> texts;
        for (const auto& a : f.allowed) texts.push_back(metadata_value_json(a).dump());
        std::sort(texts.begin(), texts.end());
        auto& allowed = j["allowed"] = nlohmann::json::array();
        for (const auto& t : texts) allowed.push_back(nlohmann::json::parse(t));
    }
    if (!f.pattern.empty()) j["pattern"] = f.pattern;
    if (!f.description.empty()) j["description"] = f.description;
    if (!f.nexus_path.empty()) j["nexus_path"] = f.nexus_path;
    return j;
}

}  // namespace

std::string_view to_string(FieldType t) noexcept {
    switch (t) {
        case FieldType::string: return "string";
        case FieldType::integer: return "integer";
        case FieldType::floating: return "float";
        case FieldType::boolean: return "bool";
        case FieldType::datetime: return "datetime";
        case FieldType::enumeration: return "enum";
        case FieldType::array: return "array";
        case FieldType::json: return "json";
    }
    return "unknown";
}

std::optional<FieldType> parse_field_type(std::string_view text) noexcept {
    for (auto t : {FieldType::string, FieldType::integer, FieldType::floating, FieldType::boolean, FieldType::datetime,
                   FieldType::enumeration, FieldType::array, FieldType::json})
        if (to_string(t) == text) return t;
    return std::nullopt;
}

const SchemaField* Schema::field(std::string_view key) const noexcept {
    for (const auto& f : fields)
        if (f.key == key) return &f;
    return nullptr;
}

bool is_valid_schema_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 128 || !std::isalpha(static_cast<unsigned char>(name.front()))) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

bool is_valid_schema_version(std::string_view version) noexcept {
    return version.size() <= 64 && !version_parts(version).empty();
}

int compare_schema_versions(std::string_view a, std::string_view b) {
    const auto pa = version_parts(a);
    const auto pb = version_parts(b);
    Violations bad;
    for (auto [text, parts] : {std::pair{a, &pa}, std::pair{b, &pb}})
        if (parts->empty())
            bad.add("version", std::string(text), "must be dotted numbers without leading zeros, like 1, 1.2 or 2.0.1");
    bad.throw_if_any();
    for (std::size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
        // Without leading zeros a longer number is a larger one; equal lengths compare as text.
        if (pa[i].size() != pb[i].size()) return pa[i].size() < pb[i].size() ? -1 : 1;
        if (const int c = pa[i].compare(pb[i]); c != 0) return c < 0 ? -1 : 1;
    }
    if (pa.size() == pb.size()) return 0;
    return pa.size() < pb.size() ? -1 : 1;
}

Schema resolve_schema(const Schema& schema, const SchemaLookup& lookup) {
    // Nearest first: the schema itself, its parent, the parent's parent...
    std::vector<Schema> chain{schema};
    std::vector<std::string> ids{schema.id()};
    constexpr std::size_t deepest = 64;
    while (!chain.back().extends.empty()) {
        const Schema& child = chain.back();
        const auto [name, version] = detail::split_reference(child.extends);
        const auto field = fmt::format("{}: extends", child.source_name.empty() ? child.id() : child.source_name);
        auto parent = lookup ? lookup(name, version) : std::nullopt;
        if (!parent)
            throw ValidationError({{field, child.extends,
                                    fmt::format("names no schema that is known ({} -> {})", chain_text(ids), child.extends)}});
        if (parent->name != name || (!version.empty() && parent->version != version))
            throw ValidationError({{field, child.extends,
                                    fmt::format("the lookup answered {} for it ({} -> {})", parent->id(), chain_text(ids),
                                                child.extends)}});
        const bool cycle = std::find(ids.begin(), ids.end(), parent->id()) != ids.end();
        ids.push_back(parent->id());
        if (cycle)
            throw ValidationError({{field, child.extends, fmt::format("makes a cycle of schemas: {}", chain_text(ids))}});
        if (ids.size() > deepest)
            throw ValidationError({{field, child.extends,
                                    fmt::format("extends more than {} schemas deep: {}", deepest, chain_text(ids))}});
        chain.push_back(std::move(*parent));
    }

    Schema flat = chain.back();
    for (std::size_t i = chain.size() - 1; i-- > 0;) flat = merge(flat, chain[i]);
    flat.name = schema.name;
    flat.version = schema.version;
    flat.source = schema.source;
    flat.source_name = schema.source_name;
    flat.extends.clear();
    flat.inherits.assign(ids.begin() + 1, ids.end());
    // A schema resolved before carries its ancestors already.
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        for (const auto& id : it->inherits)
            if (std::find(flat.inherits.begin(), flat.inherits.end(), id) == flat.inherits.end()) flat.inherits.push_back(id);

    // Inherited and overriding attributes now meet: check the fields as a whole again.
    const std::string where_schema = flat.source_name.empty() ? flat.id() : flat.source_name;
    const std::string rules_of = chain_text(ids);
    std::vector<Violation> violations;
    Violations bad;
    if (!is_valid_schema_name(flat.name))
        bad.add(where_schema + ": name", flat.name, "must be letters, digits, '_' and '-', starting with a letter");
    if (!is_valid_schema_version(flat.version))
        bad.add(where_schema + ": version", flat.version, "must be dotted numbers without leading zeros, like 1, 1.2 or 2.0.1");
    for (auto& f : flat.fields) {
        detail::settle_units(f);
        const auto where = [&](std::string_view attribute) {
            return fmt::format("{}: fields.{}.{}", where_schema, f.key, attribute);
        };
        if (!is_valid_metadata_key(f.key))
            bad.add(fmt::format("{}: fields.{}", where_schema, f.key), f.key,
                    "must be a metadata key: dotted identifiers such as detector.distance");
        detail::check_field_whole(f, rules_of, where, violations);
    }
    // Every rule names the chain; a default's already does (check_value names the schema).
    const std::string suffix = fmt::format(" (schema {})", rules_of);
    for (auto& v : violations) {
        if (!v.rule.ends_with(suffix)) v.rule += suffix;
        bad.add(std::move(v.field), std::move(v.value), std::move(v.rule));
    }
    bad.throw_if_any();
    return flat;
}

std::string canonical_json(const Schema& s) {
    nlohmann::json j;
    j["name"] = s.name;
    j["version"] = s.version;
    if (!s.description.empty()) j["description"] = s.description;
    nlohmann::json scope = nlohmann::json::object();
    if (!s.applies_to.kinds.empty()) {
        std::vector<std::string> kinds;
        for (auto k : s.applies_to.kinds) kinds.emplace_back(to_string(k));
        scope["kinds"] = sorted(std::move(kinds));
    }
    if (!s.applies_to.techniques.empty()) scope["techniques"] = sorted(s.applies_to.techniques);
    if (!s.applies_to.instruments.empty()) scope["instruments"] = sorted(s.applies_to.instruments);
    if (!scope.empty()) j["applies_to"] = scope;
    if (s.strict) j["strict"] = *s.strict;
    if (s.additional) j["additional"] = *s.additional;
    if (!s.extends.empty()) j["extends"] = s.extends;
    if (!s.inherits.empty()) j["inherits"] = s.inherits;
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& f : s.fields) fields[f.key] = field_json(f);
    j["fields"] = fields;
    return j.dump();
}

namespace detail {

std::pair<std::string, std::string> split_reference(std::string_view reference) {
    const auto at = reference.find('@');
    if (at == std::string_view::npos) return {std::string(reference), {}};
    return {std::string(reference.substr(0, at)), std::string(reference.substr(at + 1))};
}

}  // namespace detail
}  // namespace datatrail
