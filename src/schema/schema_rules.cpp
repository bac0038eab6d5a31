// The rules of a schema's fields among themselves: what the loader and resolve_schema check
// before any dataset is seen.
#include "schema/schema_rules.hpp"

#include "units/units_cache.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace datatrail::detail {
namespace {

struct NamedDimension {
    std::string_view name;
    std::string_view unit;
    std::string_view example;  // shown in messages: "needs a unit of energy, such as keV"
};

// The first entry of a dimension names it in messages; later ones are aliases.
constexpr NamedDimension named_dimensions[] = {
    {"length", "m", "mm"},
    {"mass", "kg", "mg"},
    {"time", "s", "s"},
    {"temperature", "K", "K"},
    {"energy", "J", "keV"},
    {"angle", "rad", "deg"},
    {"solid_angle", "sr", "sr"},
    {"frequency", "Hz", "Hz"},
    {"pressure", "Pa", "mbar"},
    {"power", "W", "W"},
    {"current", "A", "mA"},
    {"voltage", "V", "kV"},
    {"charge", "C", "pC"},
    {"magnetic_field", "T", "T"},
    {"amount", "mol", "mol"},
    {"area", "m2", "mm2"},
    {"volume", "m3", "cm3"},
    {"velocity", "m/s", "m/s"},
    {"wavenumber", "1/m", "1/nm"},
    {"dimensionless", "1", "1"},
    {"pixels", "pixel", "pixel"},
    {"wavelength", "m", "nm"},
    {"per_length", "1/m", "1/nm"},
    {"speed", "m/s", "m/s"},
    // NeXus' unit categories (NX_LENGTH ...), so that a field can say what its NeXus field says.
    {"NX_LENGTH", "m", "mm"},
    {"NX_WAVELENGTH", "m", "nm"},
    {"NX_MASS", "kg", "mg"},
    {"NX_TIME", "s", "s"},
    {"NX_PERIOD", "s", "s"},
    {"NX_TIME_OF_FLIGHT", "s", "us"},
    {"NX_TEMPERATURE", "K", "K"},
    {"NX_ENERGY", "J", "keV"},
    {"NX_ANGLE", "rad", "deg"},
    {"NX_SOLID_ANGLE", "sr", "sr"},
    {"NX_FREQUENCY", "Hz", "Hz"},
    {"NX_PRESSURE", "Pa", "mbar"},
    {"NX_POWER", "W", "W"},
    {"NX_CURRENT", "A", "mA"},
    {"NX_VOLTAGE", "V", "kV"},
    {"NX_CHARGE", "C", "pC"},
    {"NX_AREA", "m2", "mm2"},
    {"NX_VOLUME", "m3", "cm3"},
    {"NX_PER_LENGTH", "1/m", "1/nm"},
    {"NX_DIMENSIONLESS", "1", "1"},
    {"NX_UNITLESS", "1", "1"},
};

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

const NamedDimension* named_dimension_of(std::string_view unit) {
    const auto* u = units::find_unit(unit);
    if (!u) return nullptr;
    for (const auto& d : named_dimensions) {
        const auto* du = units::find_unit(d.unit);
        if (du && du->si_unit == u->si_unit) return &d;
    }
    return nullptr;
}

bool is_nexus_name(std::string_view name) {
    // The NeXus naming rule: letters, digits and '_', with '.' allowed inside.
    if (name.empty()) return false;
    const auto plain = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (!plain(name.front()) || !plain(name.back())) return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return plain(c) || c == '.'; });
}

bool is_numeric(const SchemaField& f) {
    if (f.type == FieldType::integer || f.type == FieldType::floating) return true;
    return f.type == FieldType::array && f.element_type &&
           (*f.element_type == FieldType::integer || *f.element_type == FieldType::floating);
}

bool is_textual(const SchemaField& f) {
    if (f.type == FieldType::string || f.type == FieldType::enumeration) return true;
    return f.type == FieldType::array && f.element_type == FieldType::string;
}

// The type of one allowed value or array element.
FieldType scalar_type(const SchemaField& f) {
    if (f.type == FieldType::array) return f.element_type.value_or(FieldType::floating);
    if (f.type == FieldType::enumeration) return FieldType::string;
    return f.type;
}

bool is_number_value(const Value& v) { return v.is_number(); }

std::string shown_list(const std::vector<MetadataValue>& values) {
    std::string text;
    for (const auto& v : values) text += (text.empty() ? "" : ", ") + shown(v);
    return text;
}

// "a string field", "an integer field": how rules name the field's type.
std::string a_field(FieldType t) {
    const auto name = to_string(t);
    const bool vowel = name.front() == 'a' || name.front() == 'e' || name.front() == 'i';
    return fmt::format("{} {} field", vowel ? "an" : "a", name);
}

constexpr std::string_view unknown_unit_rule =
    "is not a unit UDUNITS-2 knows: use e.g. keV, mm, degC, or one of deg, pixel, counts, photons";

// The unit a field's values are compared in: its unit, or its dimension's; empty for neither.
std::string reference_unit(const SchemaField& f) {
    if (!f.unit.empty()) return f.unit;
    if (!f.dimension.empty()) return dimension_unit(f.dimension).value_or("");
    return {};
}

// A unit written on a bound or an allowed value: right for the field's unit or dimension?
// "" when it is, otherwise what is wrong.
std::string unit_problem(const SchemaField& f, std::string_view unit) {
    const std::string ref = reference_unit(f);
    if (unit.empty()) {
        if (!f.unit.empty() || f.dimension.empty() || units::are_compatible("", ref)) return {};
        return fmt::format("needs a unit of {}, such as {}: the field takes any unit of its dimension, so a plain "
                           "number has none",
                           dimension_name(ref), dimension_example(ref));
    }
    if (f.unit.empty() && f.dimension.empty())
        return fmt::format("has a unit, but the field has neither unit: nor dimension: to compare it with; give "
                           "the field one, or write a plain number");
    if (!units::is_known(unit)) return std::string(unknown_unit_rule);
    if (!ref.empty() && !units::are_compatible(unit, ref))
        return fmt::format("must be in a unit of {}, such as {}, not {}", dimension_name(ref),
                           f.unit.empty() ? dimension_example(ref) : f.unit, dimension_name(unit));
    return {};
}

// A bound's value in the unit it is compared in (SI for fields with a unit rule).
std::optional<double> comparable(const SchemaField& f, const Quantity& q) {
    if (reference_unit(f).empty()) return q.value;
    const auto* u = units::find_unit(q.unit.empty() ? f.unit : q.unit);
    if (!u) return std::nullopt;
    return u->to_si(q.value);
}

}  // namespace

std::optional<std::string> dimension_unit(std::string_view dimension) {
    for (const auto& d : named_dimensions)
        if (same_name(d.name, dimension)) return std::string(d.unit);
    if (!dimension.empty() && units::is_known(dimension)) return std::string(dimension);
    return std::nullopt;
}

std::string dimension_name(std::string_view unit) {
    if (const auto* d = named_dimension_of(unit)) return std::string(d->name);
    if (const auto* u = units::find_unit(unit)) return fmt::format("the dimension of {} ({})", unit, u->si_unit);
    return fmt::format("'{}'", unit);
}

std::string dimension_example(std::string_view unit) {
    if (const auto* d = named_dimension_of(unit)) return std::string(d->example);
    return std::string(unit);
}

std::string dimension_names() {
    std::string names;
    for (const auto& d : named_dimensions) {
        if (d.name.starts_with("NX_")) continue;
        if (!names.empty()) names += ", ";
        names += d.name;
    }
    return names;
}

const std::regex* compiled_pattern(const std::string& pattern, std::string* error) {
    static std::mutex mutex;
    static std::unordered_map<std::string, std::unique_ptr<const std::regex>> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(pattern); it != cache.end()) return it->second.get();
    try {
        auto compiled = std::make_unique<const std::regex>(pattern, std::regex::ECMAScript);
        const auto* raw = compiled.get();
        cache.emplace(pattern, std::move(compiled));
        return raw;
    } catch (const std::regex_error& e) {
        if (error) *error = e.what();
        return nullptr;
    }
}

std::string nexus_path_problem(std::string_view path) {
    constexpr std::string_view expected =
        "must be an absolute NeXus path like /entry/instrument/detector/distance, optionally ending in @attribute; "
        "names are letters, digits and '_' ('.' inside)";
    if (path.empty() || path.front() != '/') return std::string(expected);
    std::string_view groups = path;
    if (const auto at = path.find('@'); at != std::string_view::npos) {
        if (!is_nexus_name(path.substr(at + 1))) return std::string(expected);
        groups = path.substr(0, at);
        if (groups == "/") return {};  // an attribute of the root
    }
    std::size_t start = 1;
    while (true) {
        const auto end = groups.find('/', start);
        const auto name = groups.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!is_nexus_name(name)) return std::string(expected);
        if (end == std::string_view::npos) return {};
        start = end + 1;
    }
}

std::string shown(const MetadataValue& v) {
    std::string text = v.value.to_string();
    if (!v.unit.empty()) text += " " + v.unit;
    return text;
}

std::string shown(const Quantity& q) {
    return q.unit.empty() ? fmt::format("{}", q.value) : fmt::format("{} {}", q.value, q.unit);
}

void check_field_alone(const SchemaField& f, const AttributeName& where, std::vector<Violation>& out) {
    if (!f.unit.empty() && !units::is_known(f.unit)) out.push_back({where("unit"), f.unit, std::string(unknown_unit_rule)});
    if (!f.dimension.empty() && !dimension_unit(f.dimension))
        out.push_back({where("dimension"), f.dimension,
                       fmt::format("must be a dimension ({}, or NeXus' NX_LENGTH ...) or a unit whose dimension is "
                                   "meant, such as mm",
                                   dimension_names())});
    if (!f.pattern.empty()) {
        std::string why;
        if (!compiled_pattern(f.pattern, &why))
            out.push_back({where("pattern"), f.pattern, fmt::format("is not an ECMAScript regular expression: {}", why)});
    }
    if (!f.nexus_path.empty())
        if (auto problem = nexus_path_problem(f.nexus_path); !problem.empty())
            out.push_back({where("nexus_path"), f.nexus_path, std::move(problem)});
    for (std::size_t i = 0; i < f.shape.size(); ++i)
        if (f.shape[i] < 1 && f.shape[i] != -1)
            out.push_back({where(fmt::format("shape[{}]", i)), std::to_string(f.shape[i]),
                           "must be a size of at least 1, or -1 (or null) for any size"});
    if (f.minimum && !f.minimum->unit.empty() && !units::is_known(f.minimum->unit))
        out.push_back({where("minimum"), shown(*f.minimum), std::string(unknown_unit_rule)});
    if (f.maximum && !f.maximum->unit.empty() && !units::is_known(f.maximum->unit))
        out.push_back({where("maximum"), shown(*f.maximum), std::string(unknown_unit_rule)});
}

void check_field_whole(const SchemaField& f, std::string_view schema_id, const AttributeName& where,
                       std::vector<Violation>& out) {
    const auto before = out.size();
    check_field_alone(f, where, out);
    const bool numeric = is_numeric(f);
    const std::string type_name(to_string(f.type));

    if (f.type == FieldType::array) {
        if (!f.element_type)
            out.push_back({where("type"), type_name, "an array needs element_type: string, integer or float"});
        else if (*f.element_type != FieldType::string && *f.element_type != FieldType::integer &&
                 *f.element_type != FieldType::floating)
            out.push_back({where("element_type"), std::string(to_string(*f.element_type)),
                           "must be string, integer or float"});
    } else {
        if (f.element_type)
            out.push_back({where("element_type"), std::string(to_string(*f.element_type)),
                           fmt::format("only arrays have an element type, not {}", a_field(f.type))});
        if (!f.shape.empty())
            out.push_back({where("shape"), fmt::format("{}", fmt::join(f.shape, ", ")),
                           fmt::format("only arrays have a shape, not {}", a_field(f.type))});
    }

    if (!f.unit.empty() && !f.dimension.empty())
        out.push_back({where("dimension"), f.dimension,
                       "give either unit: (values are converted into it) or dimension: (any unit of it, stored as "
                       "entered), not both"});
    for (const auto* attribute : {"unit", "dimension"}) {
        const auto& text = std::string_view(attribute) == "unit" ? f.unit : f.dimension;
        if (!text.empty() && !numeric)
            out.push_back({where(attribute), text,
                           fmt::format("applies to integer, float and numeric array fields, not to {}", a_field(f.type))});
    }

    for (const auto& [attribute, bound] : {std::pair{"minimum", &f.minimum}, std::pair{"maximum", &f.maximum}}) {
        if (!*bound) continue;
        const auto& q = **bound;
        if (!numeric) {
            out.push_back({where(attribute), shown(q),
                           fmt::format("applies to integer, float and numeric array fields, not to {}", a_field(f.type))});
        } else if (!std::isfinite(q.value)) {
            out.push_back({where(attribute), shown(q), "must be a finite number"});
        } else if (auto problem = unit_problem(f, q.unit); !problem.empty() && units::is_known(q.unit)) {
            out.push_back({where(attribute), shown(q), std::move(problem)});
        }
    }
    if (f.minimum && f.maximum && out.size() == before) {
        const auto low = comparable(f, *f.minimum);
        const auto high = comparable(f, *f.maximum);
        if (low && high && *high < *low)
            out.push_back({where("maximum"), shown(*f.maximum),
                           fmt::format("must not be less than the minimum, {}", shown(*f.minimum))});
    }

    if (!f.allowed.empty() && (f.type == FieldType::boolean || f.type == FieldType::datetime || f.type == FieldType::json))
        out.push_back({where("allowed"), shown_list(f.allowed),
                       fmt::format("applies to string, enum, integer, float and array fields, not to {}", a_field(f.type))});
    else if (!f.allowed.empty() && (f.type != FieldType::array || f.element_type)) {
        const FieldType t = scalar_type(f);
        for (std::size_t i = 0; i < f.allowed.size(); ++i) {
            const auto& a = f.allowed[i];
            const auto name = where(fmt::format("allowed[{}]", i));
            if (t == FieldType::string && !a.value.is<std::string>())
                out.push_back({name, shown(a), "must be a string, as the field's values are"});
            else if (t == FieldType::integer && !a.value.is<std::int64_t>())
                out.push_back({name, shown(a), "must be an integer, as the field's values are"});
            else if (t == FieldType::floating && !is_number_value(a.value))
                out.push_back({name, shown(a), "must be a number, as the field's values are"});
            else if (t == FieldType::string && !a.unit.empty())
                out.push_back({name, shown(a), "a string takes no unit"});
            else if (t != FieldType::string)
                if (auto problem = unit_problem(f, a.unit); !problem.empty())
                    out.push_back({name, shown(a), std::move(problem)});
        }
    }
    if (f.type == FieldType::enumeration && f.allowed.empty())
        out.push_back({where("type"), type_name, "an enum needs its values: allowed: [first, second, ...]"});

    if (!f.pattern.empty() && !is_textual(f))
        out.push_back({where("pattern"), f.pattern,
                       fmt::format("applies to string, enum and string array fields, not to {}", a_field(f.type))});

    // A default is checked only against rules that hold together: otherwise it would repeat
    // what is already said.
    if (f.default_value && out.size() == before) {
        std::vector<Violation> broken;
        check_value(f, *f.default_value, where("default"), "", schema_id, broken);
        for (auto& v : broken) {
            v.rule = "the default " + v.rule;
            out.push_back(std::move(v));
        }
    }
}

void settle_units(SchemaField& f) {
    if (f.unit.empty() || !is_numeric(f)) return;
    const auto numeric_value = [](const Value& v) {
        return v.is_number() || v.is<std::vector<std::int64_t>>() || v.is<std::vector<double>>();
    };
    if (f.default_value && f.default_value->unit.empty() && numeric_value(f.default_value->value))
        f.default_value->unit = f.unit;
    for (auto* bound : {&f.minimum, &f.maximum})
        if (*bound && (*bound)->unit.empty()) (*bound)->unit = f.unit;
    for (auto& a : f.allowed)
        if (a.unit.empty() && numeric_value(a.value)) a.unit = f.unit;
}

}  // namespace datatrail::detail
