// Checking a dataset against a resolved schema: every field rule, and what the schema applies to.
// Bad data never throws here; every broken rule becomes a violation.
#include "schema/schema_rules.hpp"

#include "units/units_cache.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace datatrail {
namespace detail {
namespace {

std::string_view with_article(ValueType t) {
    switch (t) {
        case ValueType::string: return "a string";
        case ValueType::integer: return "an integer";
        case ValueType::floating: return "a float";
        case ValueType::boolean: return "a bool";
        case ValueType::datetime: return "a datetime";
        case ValueType::json: return "a JSON document";
        case ValueType::integer_array: return "an integer array";
        case ValueType::float_array: return "a float array";
        case ValueType::string_array: return "a string array";
    }
    return "a value";
}

std::string expected_type(const SchemaField& f) {
    switch (f.type) {
        case FieldType::string: return "a string";
        case FieldType::enumeration: return "a string";
        case FieldType::integer: return "an integer";
        case FieldType::floating: return "a number";
        case FieldType::boolean: return "true or false";
        case FieldType::datetime: return "a date and time (a datetime, or ISO 8601 text like 2026-03-01T10:15:00Z)";
        case FieldType::json: return "a JSON document";
        case FieldType::array:
            switch (f.element_type.value_or(FieldType::floating)) {
                case FieldType::string: return "an array of strings";
                case FieldType::integer: return "an array of integers";
                default: return "an array of numbers";
            }
    }
    return "a value";
}

// The value in the type the field asks for, or nullopt with `why` set.
std::optional<Value> coerce(const SchemaField& f, const Value& v, std::string& why) {
    const auto& var = v.variant();
    const auto empty_array = [&] {
        const auto* a = std::get_if<std::vector<std::int64_t>>(&var);
        const auto* b = std::get_if<std::vector<double>>(&var);
        const auto* c = std::get_if<std::vector<std::string>>(&var);
        return (a && a->empty()) || (b && b->empty()) || (c && c->empty());
    };
    switch (f.type) {
        case FieldType::string:
        case FieldType::enumeration:
            if (v.is<std::string>()) return v;
            break;
        case FieldType::boolean:
            if (v.is<bool>()) return v;
            break;
        case FieldType::integer:
            if (v.is<std::int64_t>()) return v;
            break;
        case FieldType::floating:
            if (v.is<double>()) return v;
            if (v.is<std::int64_t>()) return Value(static_cast<double>(v.as<std::int64_t>()));
            break;
        case FieldType::datetime:
            if (v.is<Timestamp>()) return v;
            if (v.is<std::string>()) {
                try {
                    return Value(parse_time(v.as<std::string>()));
                } catch (const ValidationError& e) {
                    why = e.violations().empty() ? "must be an ISO 8601 time" : e.violations().front().rule;
                    return std::nullopt;
                }
            }
            break;
        case FieldType::json: {
            const std::string* text = v.is<Json>() ? &v.as<Json>().text : v.is<std::string>() ? &v.as<std::string>() : nullptr;
            if (!text) break;
            if (nlohmann::json::accept(*text)) return Value(Json{*text});
            why = "must be a valid JSON document";
            return std::nullopt;
        }
        case FieldType::array:
            switch (f.element_type.value_or(FieldType::floating)) {
                case FieldType::string:
                    if (v.is<std::vector<std::string>>()) return v;
                    if (empty_array()) return Value(std::vector<std::string>{});
                    break;
                case FieldType::integer:
                    if (v.is<std::vector<std::int64_t>>()) return v;
                    if (empty_array()) return Value(std::vector<std::int64_t>{});
                    break;
                default:
                    if (v.is<std::vector<double>>()) return v;
                    if (const auto* ints = std::get_if<std::vector<std::int64_t>>(&var))
                        return Value(std::vector<double>(ints->begin(), ints->end()));
                    if (empty_array()) return Value(std::vector<double>{});
                    break;
            }
            break;
    }
    why = fmt::format("must be {}, not {}", expected_type(f), with_article(v.type()));
    return std::nullopt;
}

bool is_numeric_field(const SchemaField& f) {
    if (f.type == FieldType::integer || f.type == FieldType::floating) return true;
    return f.type == FieldType::array && f.element_type != FieldType::string;
}

std::vector<double> numbers_of(const Value& v) {
    if (v.is<std::int64_t>()) return {static_cast<double>(v.as<std::int64_t>())};
    if (v.is<double>()) return {v.as<double>()};
    if (const auto* a = std::get_if<std::vector<std::int64_t>>(&v.variant())) return {a->begin(), a->end()};
    if (const auto* a = std::get_if<std::vector<double>>(&v.variant())) return *a;
    return {};
}

std::vector<std::string> strings_of(const Value& v) {
    if (v.is<std::string>()) return {v.as<std::string>()};
    if (const auto* a = std::get_if<std::vector<std::string>>(&v.variant())) return *a;
    return {};
}

bool near(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max({1e-300, std::abs(a), std::abs(b)}); }

std::string allowed_list(const std::vector<MetadataValue>& allowed) {
    std::string text;
    const std::size_t shown_at_most = 12;
    for (std::size_t i = 0; i < allowed.size() && i < shown_at_most; ++i) {
        if (i) text += ", ";
        const auto& a = allowed[i];
        text += a.value.is<std::string>() ? fmt::format("'{}'", a.value.as<std::string>()) : shown(a);
    }
    if (allowed.size() > shown_at_most) text += fmt::format(", ... ({} in all)", allowed.size());
    return text;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

// "" when `n` elements fit `shape`, else the rule they break.
std::string shape_problem(const std::vector<std::int64_t>& shape, std::size_t n) {
    if (shape.empty()) return {};
    std::int64_t fixed = 1;
    bool free = false;
    for (auto d : shape) {
        if (d == -1) free = true;
        else if (d > 0) fixed *= d;
    }
    if (!free && static_cast<std::int64_t>(n) != fixed)
        return fmt::format("must have {} element{} (shape {}), not {}", fixed, fixed == 1 ? "" : "s", shape_text(shape), n);
    if (free && static_cast<std::int64_t>(n) % fixed != 0)
        return fmt::format("must have a multiple of {} elements (shape {}), not {}", fixed, shape_text(shape), n);
    return {};
}

}  // namespace

std::optional<MetadataValue> check_value(const SchemaField& f, const MetadataValue& in, std::string_view name_prefix,
                          std::string_view name_key, std::string_view schema_id, std::vector<Violation>& out) {
    // Names and rules are put together only for a broken rule: this runs for every field of
    // every dataset registered against a schema.
    const auto add = [&](std::string field, std::string value, std::string rule) {
        out.push_back({std::move(field), std::move(value), fmt::format("{} (schema {})", rule, schema_id)});
    };
    const auto name = [&] { return fmt::format("{}{}", name_prefix, name_key); };

    std::string why;
    auto coerced = coerce(f, in.value, why);
    if (!coerced) {
        add(name(), shown(in), std::move(why));
        return std::nullopt;
    }
    MetadataValue result = in;
    result.value = *coerced;
    const bool is_array = f.type == FieldType::array;
    const auto element_name = [&](std::size_t i) {
        return is_array ? fmt::format("{}{}[{}]", name_prefix, name_key, i) : name();
    };

    if (is_array)
        if (auto problem = shape_problem(f.shape, is_numeric_field(f) ? numbers_of(*coerced).size() : strings_of(*coerced).size());
            !problem.empty())
            add(name(), shown(in), std::move(problem));

    if (!is_numeric_field(f)) {
        const auto texts = strings_of(*coerced);
        const std::regex* pattern = f.pattern.empty() ? nullptr : compiled_pattern(f.pattern);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            const auto& s = texts[i];
            if (!f.allowed.empty() &&
                std::none_of(f.allowed.begin(), f.allowed.end(),
                             [&](const MetadataValue& a) { return a.value.is<std::string>() && a.value.as<std::string>() == s; }))
                add(element_name(i), s, fmt::format("must be one of {}", allowed_list(f.allowed)));
            if (pattern) {
                bool matches = false;
                try {
                    matches = std::regex_match(s, *pattern);
                } catch (const std::regex_error&) {
                    // Too complex for std::regex on this text: a broken rule, not a crash.
                }
                if (!matches) add(element_name(i), s, fmt::format("must match the pattern {}", f.pattern));
            }
        }
        return result;
    }

    // Numbers: the unit first, then each value against the bounds and allowed values, compared in
    // SI when the field has a unit rule.
    const std::string ref = !f.unit.empty() ? f.unit : !f.dimension.empty() ? dimension_unit(f.dimension).value_or("") : "";
    const units::SiConversion* given = nullptr;
    if (!ref.empty()) {
        const auto* reference = units::find_unit(ref);
        given = units::find_unit(in.unit);
        if (!reference) return result;  // refused when the schema was loaded
        if (in.unit.empty() && (!given || given->si_unit != reference->si_unit)) {
            add(name(), shown(in),
                fmt::format("needs a unit of {}, such as {}", dimension_name(ref),
                            f.unit.empty() ? dimension_example(ref) : f.unit));
            return std::nullopt;
        }
        if (!given) {
            add(name(), shown(in),
                fmt::format("unit '{}' is unknown: use a UDUNITS-2 unit (e.g. keV, mm, degC) or one of deg, pixel, "
                            "counts, photons",
                            in.unit));
            return std::nullopt;
        }
        if (given->si_unit != reference->si_unit) {
            add(name(), shown(in),
                fmt::format("must be in a unit of {}, such as {}, not {}", dimension_name(ref),
                            f.unit.empty() ? dimension_example(ref) : f.unit, dimension_name(in.unit)));
            return std::nullopt;
        }
    }

    const auto values = numbers_of(*coerced);
    const auto comparable = [&](double x) { return given ? given->to_si(x) : x; };
    const auto bound_value = [&](const Quantity& q) -> std::optional<double> {
        if (ref.empty()) return q.value;
        const auto* u = units::find_unit(q.unit.empty() ? f.unit : q.unit);
        if (!u) return std::nullopt;
        return u->to_si(q.value);
    };
    const auto allowed_value = [&](const MetadataValue& a) -> std::optional<double> {
        if (!a.value.is_number()) return std::nullopt;
        return bound_value({a.value.as_double(), a.unit});
    };
    const auto low = f.minimum ? bound_value(*f.minimum) : std::nullopt;
    const auto high = f.maximum ? bound_value(*f.maximum) : std::nullopt;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double x = values[i];
        const auto text = [&] {
            if (!is_array) return shown(in);
            return in.unit.empty() ? fmt::format("{}", x) : fmt::format("{} {}", x, in.unit);
        };
        if (!std::isfinite(x)) {
            add(element_name(i), text(), "must be a finite number");
            continue;
        }
        const double c = comparable(x);
        if (low && c < *low && !near(c, *low)) add(element_name(i), text(), fmt::format("must be at least {}", shown(*f.minimum)));
        if (high && c > *high && !near(c, *high)) add(element_name(i), text(), fmt::format("must be at most {}", shown(*f.maximum)));
        if (!f.allowed.empty() && std::none_of(f.allowed.begin(), f.allowed.end(), [&](const MetadataValue& a) {
                const auto v = allowed_value(a);
                return v && near(c, *v);
            }))
            add(element_name(i), text(), fmt::format("must be one of {}", allowed_list(f.allowed)));
    }

    // Stored in the field's unit: convert the numbers and the uncertainty.
    if (!f.unit.empty() && in.unit != f.unit && given) {
        const auto* target = units::find_unit(f.unit);
        if (!target) return result;
        const auto convert = [&](double x) { return units::convert_between(x, *given, *target); };
        if (result.uncertainty) result.uncertainty = std::abs(*result.uncertainty * given->scale / target->scale);
        result.unit = f.unit;
        const auto whole = [&](double x, std::size_t i) -> std::optional<std::int64_t> {
            const double y = convert(x);
            const double r = std::round(y);
            if (near(y, r) && std::abs(r) < 9.2e18) return static_cast<std::int64_t>(r);
            add(element_name(i), is_array ? fmt::format("{} {}", x, in.unit) : shown(in),
                fmt::format("is not a whole number of {} ({} {})", f.unit, y, f.unit));
            return std::nullopt;
        };
        if (coerced->is<std::int64_t>()) {
            const auto y = whole(static_cast<double>(coerced->as<std::int64_t>()), 0);
            if (!y) return in;
            result.value = *y;
        } else if (const auto* ints = std::get_if<std::vector<std::int64_t>>(&coerced->variant())) {
            std::vector<std::int64_t> converted;
            converted.reserve(ints->size());
            bool all = true;
            for (std::size_t i = 0; i < ints->size(); ++i) {
                const auto y = whole(static_cast<double>((*ints)[i]), i);
                all = all && y;
                converted.push_back(y.value_or(0));
            }
            if (!all) return in;
            result.value = std::move(converted);
        } else if (coerced->is<double>()) {
            result.value = convert(coerced->as<double>());
        } else if (const auto* doubles = std::get_if<std::vector<double>>(&coerced->variant())) {
            std::vector<double> converted(doubles->size());
            std::transform(doubles->begin(), doubles->end(), converted.begin(), convert);
            result.value = std::move(converted);
        }
    }
    return result;
}

}  // namespace detail

SchemaCheck check_dataset(const Schema& schema, const Dataset& dataset, std::string_view field) {
    if (!schema.extends.empty())
        throw Error(fmt::format("schema {} extends {}: check datasets against resolve_schema's result", schema.id(),
                                schema.extends));
    SchemaCheck check;
    check.strict = schema.is_strict();
    check.metadata = dataset.metadata;
    const std::string id = schema.id();
    const std::string prefix(field);
    const auto add = [&](std::string name, std::string value, std::string rule) {
        check.violations.push_back({prefix + "." + name, std::move(value), fmt::format("{} (schema {})", rule, id)});
    };
    const auto joined = [](const auto& items, const auto& text_of) {
        std::string text;
        for (const auto& item : items) text += (text.empty() ? "" : ", ") + std::string(text_of(item));
        return text;
    };

    const auto& scope = schema.applies_to;
    if (!scope.kinds.empty() && std::find(scope.kinds.begin(), scope.kinds.end(), dataset.kind) == scope.kinds.end())
        add("kind", std::string(to_string(dataset.kind)),
            fmt::format("must be {}: the schema applies to those kinds only",
                        joined(scope.kinds, [](DatasetKind k) { return to_string(k); })));
    const auto same = [](const std::string& s) -> const std::string& { return s; };
    if (!scope.techniques.empty() &&
        std::none_of(dataset.techniques.begin(), dataset.techniques.end(), [&](const std::string& t) {
            return std::find(scope.techniques.begin(), scope.techniques.end(), t) != scope.techniques.end();
        }))
        add("techniques", nlohmann::json(dataset.techniques).dump(),
            fmt::format("must include one of {}: the schema applies to those techniques only", joined(scope.techniques, same)));
    if (!scope.instruments.empty() &&
        std::find(scope.instruments.begin(), scope.instruments.end(), dataset.instrument) == scope.instruments.end())
        add("instrument", dataset.instrument,
            fmt::format("must be one of {}: the schema applies to those instruments only", joined(scope.instruments, same)));

    const std::string metadata_prefix = prefix + ".metadata.";
    for (const auto& f : schema.fields) {
        const auto it = dataset.metadata.find(f.key);
        if (it != dataset.metadata.end()) {
            // A value the field cannot hold stays out of the stored metadata (a lenient schema
            // keeps it in its violation), so every value stored under the key stays comparable.
            if (auto stored = detail::check_value(f, it->second, metadata_prefix, f.key, id, check.violations))
                check.metadata[f.key] = std::move(*stored);
            else
                check.metadata.erase(f.key);
        } else if (f.default_value) {
            // Checked when the schema was loaded; converted here like any value.
            std::vector<Violation> ignored;
            if (auto stored = detail::check_value(f, *f.default_value, metadata_prefix, f.key, id, ignored))
                check.metadata[f.key] = std::move(*stored);
        } else if (f.is_required()) {
            add("metadata." + f.key, "", "is required");
        }
    }
    if (!schema.allows_additional())
        for (const auto& [key, value] : dataset.metadata)
            if (!schema.field(key))
                add("metadata." + key, detail::shown(value), "is not a field of the schema, which allows no other keys");
    return check;
}

}  // namespace datatrail
