// Reading a schema from YAML (yaml-cpp). Every problem is named by file, line, column and the
// path of the YAML key, and all of them are reported together.
#include <datatrail/schema.hpp>

#include "schema/schema_rules.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>

namespace datatrail {
namespace {

constexpr std::string_view schema_keys[] = {"name",       "version", "description", "applies_to",
                                            "strict",     "additional", "extends",  "fields"};
constexpr std::string_view scope_keys[] = {"kinds", "techniques", "instruments"};
constexpr std::string_view field_keys[] = {"type",    "element_type", "shape",   "unit",        "dimension",
                                           "required", "default",     "minimum", "maximum",     "allowed",
                                           "pattern", "description",  "nexus_path"};
constexpr std::string_view type_names = "string, integer, float, bool, datetime, enum, array or json";

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// The closest of `candidates` to a misspelt `word`, if one is close enough to be meant.
std::string_view closest(std::string_view word, std::span<const std::string_view> candidates) {
    std::string_view best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (auto c : candidates)
        if (const auto d = edit_distance(word, c); d < best_distance) best = c, best_distance = d;
    return best;
}

std::string joined(std::span<const std::string_view> words) {
    std::string text;
    for (auto w : words) text += (text.empty() ? "" : ", ") + std::string(w);
    return text;
}

std::optional<double> parse_double(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double d = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
    return d;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    std::int64_t i = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), i);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return i;
}

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// "5 keV", "5keV", "-1.5e-3 mm", "12": a number and the unit that follows it.
std::optional<Quantity> parse_quantity(std::string_view text) {
    text = trimmed(text);
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    double value = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (r.ec != std::errc{} || !std::isfinite(value)) return std::nullopt;
    return Quantity{value, std::string(trimmed(std::string_view(r.ptr, digits.data() + digits.size() - r.ptr)))};
}

// "12", "3 mm": a whole number and the unit that follows it.
std::optional<std::pair<std::int64_t, std::string>> parse_integer_quantity(std::string_view text) {
    text = trimmed(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t value = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
    if (r.ec != std::errc{}) return std::nullopt;
    const std::string_view rest(r.ptr, text.data() + text.size() - r.ptr);
    if (!rest.empty() && (rest.front() == '.' || rest.front() == 'e' || rest.front() == 'E')) return std::nullopt;
    return std::pair{value, std::string(trimmed(rest))};
}

bool is_plain(const YAML::Node& n) { return n.Tag() != "!"; }

// YAML as JSON: plain scalars that read as booleans, numbers or null become those.
nlohmann::json to_json(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined: return nullptr;
        case YAML::NodeType::Scalar: {
            const auto& s = n.Scalar();
            if (!is_plain(n)) return s;
            if (s == "true" || s == "True" || s == "TRUE") return true;
            if (s == "false" || s == "False" || s == "FALSE") return false;
            if (auto i = parse_integer(s)) return *i;
            if (auto d = parse_double(s)) return *d;
            return s;
        }
        case YAML::NodeType::Sequence: {
            auto a = nlohmann::json::array();
            for (const auto& item : n) a.push_back(to_json(item));
            return a;
        }
        case YAML::NodeType::Map: {
            auto o = nlohmann::json::object();
            for (const auto& item : n) o[item.first.Scalar()] = to_json(item.second);
            return o;
        }
    }
    return nullptr;
}

struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
};

class Loader {
public:
    explicit Loader(std::string_view source) : source_(source) {}

    std::string at(const YAML::Mark& mark, std::string_view path) const {
        if (mark.is_null()) return fmt::format("{}: {}", source_, path);
        return fmt::format("{}:{}:{}: {}", source_, mark.line + 1, mark.column + 1, path);
    }

    void add(const YAML::Mark& mark, std::string_view path, std::string value, std::string rule) {
        violations.push_back({at(mark, path), std::move(value), std::move(rule)});
    }
    void add(const YAML::Node& node, std::string_view path, std::string value, std::string rule) {
        add(mark_of(node), path, std::move(value), std::move(rule));
    }

    // An empty value ("unit:") has no place of its own (yaml-cpp marks it where the next token
    // starts): it is named at its key.
    YAML::Mark mark_of(const YAML::Node& node) const {
        if (node.IsNull())
            for (const auto& [value, key_mark] : empty_values_)
                if (value.is(node)) return key_mark;
        return node.Mark();
    }

    static std::string text_of(const YAML::Node& n) {
        if (n.IsScalar()) return n.Scalar();
        if (!n.IsDefined() || n.IsNull()) return {};
        YAML::Emitter out;
        out.SetSeqFormat(YAML::Flow);
        out.SetMapFormat(YAML::Flow);
        out << n;
        std::string text = out.c_str();
        if (text.size() > 80) text = text.substr(0, 77) + "...";
        return text;
    }

    // A mapping's entries in the order written; unknown and repeated keys are refused.
    std::vector<Entry> entries(const YAML::Node& map, std::string_view path, std::span<const std::string_view> known) {
        std::vector<Entry> out;
        std::set<std::string> seen;
        for (const auto& item : map) {
            const auto child = [&](std::string_view key) { return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key); };
            if (!item.first.IsScalar()) {
                add(item.first, child("?"), text_of(item.first), "a key must be a plain name");
                continue;
            }
            const std::string key = item.first.Scalar();
            if (!seen.insert(key).second) {
                add(item.first, child(key), key, "appears twice in this mapping");
                continue;
            }
            if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
                std::string rule = fmt::format("is not a key here: expected one of {}", joined(known));
                if (const auto guess = closest(key, known); !guess.empty()) rule += fmt::format(" (did you mean '{}'?)", guess);
                add(item.first, child(key), key, std::move(rule));
                continue;
            }
            if (item.second.IsNull()) empty_values_.emplace_back(item.second, item.first.Mark());
            out.push_back({key, item.first, item.second});
        }
        return out;
    }

    std::optional<std::string> text(const YAML::Node& n, std::string_view path) {
        if (n.IsScalar()) return n.Scalar();
        add(n, path, text_of(n), n.IsNull() ? "must be a text, not empty" : "must be a text, not a list or mapping");
        return std::nullopt;
    }

    std::optional<bool> boolean(const YAML::Node& n, std::string_view path) {
        if (n.IsScalar() && is_plain(n)) {
            const auto& s = n.Scalar();
            if (s == "true" || s == "True" || s == "TRUE") return true;
            if (s == "false" || s == "False" || s == "FALSE") return false;
        }
        add(n, path, text_of(n), "must be true or false");
        return std::nullopt;
    }

    // A list of texts; a single text is a list of one.
    std::vector<std::string> texts(const YAML::Node& n, std::string_view path) {
        std::vector<std::string> out;
        if (n.IsScalar()) return {n.Scalar()};
        if (!n.IsSequence()) {
            add(n, path, text_of(n), "must be a list of texts, like [a, b]");
            return out;
        }
        for (std::size_t i = 0; i < n.size(); ++i)
            if (auto t = text(n[i], fmt::format("{}[{}]", path, i))) out.push_back(*t);
        return out;
    }

    std::vector<Violation> violations;

private:
    std::string source_;
    std::vector<std::pair<YAML::Node, YAML::Mark>> empty_values_;
};

// The attributes of one field, read and checked as far as they can be alone.
class FieldReader {
public:
    FieldReader(Loader& loader, std::string key, const YAML::Node& key_node)
        : loader_(loader), path_("fields." + key) {
        field.key = std::move(key);
        marks_[""] = key_node.Mark();
    }

    // Names an attribute at the line and column it was written (else at the field's key).
    std::string where(std::string_view attribute) const {
        auto it = marks_.find(std::string(attribute));
        if (it == marks_.end()) it = marks_.find(std::string(attribute.substr(0, attribute.find('['))));
        if (it == marks_.end()) it = marks_.find("");
        return loader_.at(it->second, fmt::format("{}.{}", path_, attribute));
    }

    void read(const YAML::Node& attributes, bool extends) {
        const auto errors_before = loader_.violations.size();
        if (!attributes.IsMap()) {
            loader_.add(loader_.mark_of(attributes), path_, Loader::text_of(attributes),
                        "must be a mapping of the field's rules, such as {type: float, unit: keV}");
            return;
        }
        std::map<std::string, YAML::Node> given;
        for (auto& e : loader_.entries(attributes, path_, field_keys)) {
            marks_[e.key] = loader_.mark_of(e.value);
            given.emplace(e.key, e.value);
        }
        const auto node = [&](const char* key) -> const YAML::Node* {
            const auto it = given.find(key);
            return it == given.end() ? nullptr : &it->second;
        };
        const auto path = [&](std::string_view attribute) { return fmt::format("{}.{}", path_, attribute); };

        bool type_known = false;
        if (const auto* n = node("type")) {
            type_known = read_type(*n, "type", field.type);
        } else {
            loader_.add(marks_[""], path_, field.key,
                        fmt::format("needs a type: {} (a field that overrides an inherited one repeats its type)",
                                    type_names));
        }
        if (const auto* n = node("element_type")) {
            FieldType t{};
            if (read_type(*n, "element_type", t)) field.element_type = t;
        }
        if (const auto* n = node("shape")) read_shape(*n);
        if (const auto* n = node("unit")) field.unit = loader_.text(*n, path("unit")).value_or("");
        if (const auto* n = node("dimension")) field.dimension = loader_.text(*n, path("dimension")).value_or("");
        if (const auto* n = node("required")) field.required = loader_.boolean(*n, path("required"));
        if (const auto* n = node("description")) field.description = loader_.text(*n, path("description")).value_or("");
        if (const auto* n = node("pattern")) field.pattern = loader_.text(*n, path("pattern")).value_or("");
        if (const auto* n = node("nexus_path")) field.nexus_path = loader_.text(*n, path("nexus_path")).value_or("");
        if (const auto* n = node("minimum")) field.minimum = read_bound(*n, "minimum");
        if (const auto* n = node("maximum")) field.maximum = read_bound(*n, "maximum");
        // Defaults and allowed values are read in the field's type: without one they cannot be.
        if (type_known) {
            if (const auto* n = node("default")) field.default_value = read_default(*n);
            if (const auto* n = node("allowed")) read_allowed(*n);
        }
        detail::settle_units(field);

        const auto where = [this](std::string_view attribute) { return this->where(attribute); };
        // A field that may inherit attributes is checked whole once resolve_schema has merged it.
        if (extends || loader_.violations.size() != errors_before)
            detail::check_field_alone(field, where, loader_.violations);
        else
            detail::check_field_whole(field, schema_id, where, loader_.violations);
    }

    SchemaField field;
    std::string schema_id;

private:
    bool read_type(const YAML::Node& n, std::string_view attribute, FieldType& out) {
        const auto text = loader_.text(n, fmt::format("{}.{}", path_, attribute));
        if (!text) return false;
        if (auto t = parse_field_type(*text)) {
            out = *t;
            return true;
        }
        static const std::map<std::string, std::string, std::less<>> meant = {
            {"double", "float"},  {"number", "float"},       {"floating", "float"}, {"int", "integer"},
            {"str", "string"},    {"text", "string"},        {"boolean", "bool"},   {"enumeration", "enum"},
            {"list", "array"},    {"date", "datetime"},      {"time", "datetime"},  {"timestamp", "datetime"},
            {"object", "json"},   {"dict", "json"},
        };
        std::string rule = fmt::format("is not a type: use one of {}", type_names);
        constexpr std::string_view spellings[] = {"string", "integer", "float", "bool", "datetime", "enum", "array", "json"};
        if (const auto it = meant.find(*text); it != meant.end()) rule += fmt::format(" (did you mean '{}'?)", it->second);
        else if (const auto guess = closest(*text, spellings); !guess.empty())
            rule += fmt::format(" (did you mean '{}'?)", guess);
        loader_.add(n, fmt::format("{}.{}", path_, attribute), *text, std::move(rule));
        return false;
    }

    void read_shape(const YAML::Node& n) {
        const auto path = path_ + ".shape";
        const auto one = [&](const YAML::Node& item, const std::string& item_path) {
            if (item.IsNull()) return field.shape.push_back(-1);
            const auto size = item.IsScalar() ? parse_integer(item.Scalar()) : std::nullopt;
            if (!size) return loader_.add(item, item_path, Loader::text_of(item), "must be a size: a whole number, or -1 or null for any");
            field.shape.push_back(*size);
        };
        if (n.IsScalar()) return one(n, path);
        if (!n.IsSequence() || n.size() == 0)
            return loader_.add(n, path, Loader::text_of(n), "must be a list of sizes, like [3] or [-1, 3] (-1 or null: any)");
        for (std::size_t i = 0; i < n.size(); ++i) {
            const auto item_path = fmt::format("{}[{}]", path, i);
            marks_[fmt::format("shape[{}]", i)] = n[i].Mark();
            one(n[i], item_path);
        }
    }

    std::optional<Quantity> read_bound(const YAML::Node& n, std::string_view attribute) {
        const auto path = fmt::format("{}.{}", path_, attribute);
        std::optional<Quantity> q;
        if (n.IsScalar()) q = parse_quantity(n.Scalar());
        if (!q)
            loader_.add(n, path, Loader::text_of(n),
                        "must be a number, in the field's unit or followed by one: 5, or '5 keV'");
        return q;
    }

    // One value in the type `type` (a default, an allowed value, an array element); numbers may
    // carry a unit when `with_unit`.
    std::optional<MetadataValue> read_scalar(const YAML::Node& n, const std::string& path, FieldType type, bool with_unit) {
        const auto fail = [&](std::string rule) -> std::optional<MetadataValue> {
            loader_.add(n, path, Loader::text_of(n), std::move(rule));
            return std::nullopt;
        };
        if (type == FieldType::json) {
            if (!n.IsDefined()) return fail("must be a JSON value");
            return MetadataValue(Json{to_json(n).dump()});
        }
        if (!n.IsScalar()) return fail(fmt::format("must be a single {} value", to_string(type)));
        const auto& s = n.Scalar();
        switch (type) {
            case FieldType::string:
            case FieldType::enumeration: return MetadataValue(s);
            case FieldType::boolean: {
                const auto b = loader_.boolean(n, path);
                if (!b) return std::nullopt;
                return MetadataValue(*b);
            }
            case FieldType::datetime:
                try {
                    return MetadataValue(parse_time(s));
                } catch (const ValidationError& e) {
                    return fail(e.violations().empty() ? "must be an ISO 8601 time" : e.violations().front().rule);
                }
            case FieldType::integer:
            case FieldType::floating: {
                auto q = with_unit ? parse_quantity(s) : std::nullopt;
                if (!with_unit)
                    if (auto d = parse_double(s)) q = Quantity{*d, {}};
                if (!q)
                    return fail(with_unit ? "must be a number, in the field's unit or followed by one: 5, or '5 keV'"
                                          : "must be a number");
                if (type == FieldType::floating) return MetadataValue(q->value, q->unit);
                // Read again as an integer, so that large ones keep every digit.
                if (auto i = parse_integer_quantity(s); i && (with_unit || i->second.empty()))
                    return MetadataValue(i->first, i->second);
                return fail("must be a whole number");
            }
            default: return fail(fmt::format("a {} field takes no such value", to_string(type)));
        }
    }

    std::optional<MetadataValue> read_default(const YAML::Node& n) {
        const auto path = path_ + ".default";
        if (field.type != FieldType::array) return read_scalar(n, path, field.type, true);
        if (!n.IsSequence()) {
            loader_.add(n, path, Loader::text_of(n), "must be a list, as the field is an array");
            return std::nullopt;
        }
        const FieldType element = field.element_type.value_or(FieldType::floating);
        std::vector<std::string> strings;
        std::vector<std::int64_t> integers;
        std::vector<double> doubles;
        bool ok = true;
        for (std::size_t i = 0; i < n.size(); ++i) {
            marks_[fmt::format("default[{}]", i)] = n[i].Mark();
            auto v = read_scalar(n[i], fmt::format("{}[{}]", path, i),
                                 element == FieldType::integer || element == FieldType::string ? element : FieldType::floating,
                                 false);
            if (!v) {
                ok = false;
                continue;
            }
            if (v->value.is<std::string>()) strings.push_back(v->value.as<std::string>());
            else if (v->value.is<std::int64_t>()) integers.push_back(v->value.as<std::int64_t>());
            else doubles.push_back(v->value.as_double());
        }
        if (!ok) return std::nullopt;
        if (element == FieldType::string) return MetadataValue(std::move(strings));
        if (element == FieldType::integer) return MetadataValue(std::move(integers));
        return MetadataValue(std::move(doubles));
    }

    void read_allowed(const YAML::Node& n) {
        const auto path = path_ + ".allowed";
        if (!n.IsSequence() || n.size() == 0) {
            loader_.add(n, path, Loader::text_of(n), "must be a list of the values allowed, like [a, b, c]");
            return;
        }
        FieldType element = field.type;
        if (field.type == FieldType::array) element = field.element_type.value_or(FieldType::floating);
        if (element == FieldType::enumeration) element = FieldType::string;
        if (element != FieldType::string && element != FieldType::integer && element != FieldType::floating) {
            // check_field_whole says which types take allowed values; keep them as text for it.
            for (const auto& item : n) field.allowed.emplace_back(Loader::text_of(item));
            return;
        }
        for (std::size_t i = 0; i < n.size(); ++i) {
            marks_[fmt::format("allowed[{}]", i)] = n[i].Mark();
            if (auto v = read_scalar(n[i], fmt::format("{}[{}]", path, i), element, true)) field.allowed.push_back(*v);
        }
    }

    Loader& loader_;
    std::string path_;
    std::map<std::string, YAML::Mark> marks_;
};

std::string line_of(std::string_view text, int line) {
    for (int i = 0; i < line; ++i) {
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos) return {};
        text.remove_prefix(nl + 1);
    }
    std::string l(text.substr(0, text.find('\n')));
    if (!l.empty() && l.back() == '\r') l.pop_back();
    return l.size() > 80 ? l.substr(0, 77) + "..." : l;
}

}  // namespace

Schema parse_schema(std::string_view yaml, std::string_view source_name) {
    Schema schema;
    schema.source = std::string(yaml);
    schema.source_name = std::string(source_name);
    Loader loader(source_name);

    YAML::Node root;
    try {
        root = YAML::Load(schema.source);
    } catch (const YAML::Exception& e) {
        loader.add(e.mark, "(syntax)", line_of(yaml, e.mark.is_null() ? 0 : e.mark.line),
                   fmt::format("is not valid YAML: {}", e.msg));
        throw ValidationError(std::move(loader.violations));
    }
    const YAML::Mark start;  // line 1, column 1
    if (!root.IsMap()) {
        loader.add(start, "(document)", Loader::text_of(root),
                   root.IsNull() ? "is empty: a schema needs name, version and fields"
                                 : "must be a mapping with name, version and fields");
        throw ValidationError(std::move(loader.violations));
    }

    std::map<std::string, Entry> top;
    for (auto& e : loader.entries(root, "", schema_keys)) top.emplace(e.key, e);
    const auto value_of = [&](const char* key) -> const YAML::Node* {
        const auto it = top.find(key);
        return it == top.end() ? nullptr : &it->second.value;
    };

    if (const auto* n = value_of("name")) {
        if (auto name = loader.text(*n, "name")) {
            schema.name = *name;
            if (!is_valid_schema_name(*name))
                loader.add(*n, "name", *name, "must be letters, digits, '_' and '-', starting with a letter, like mx or draco-shot");
        }
    } else {
        loader.add(start, "name", "", "is required: the schema's name, like mx");
    }
    if (const auto* n = value_of("version")) {
        if (auto version = loader.text(*n, "version")) {
            schema.version = *version;
            if (!is_valid_schema_version(*version))
                loader.add(*n, "version", *version, "must be dotted numbers without leading zeros, like 1, 1.2 or 2.0.1");
        }
    } else {
        loader.add(start, "version", "", "is required: the schema's version, like 1.0");
    }
    if (const auto* n = value_of("description")) schema.description = loader.text(*n, "description").value_or("");
    if (const auto* n = value_of("strict")) schema.strict = loader.boolean(*n, "strict");
    if (const auto* n = value_of("additional")) schema.additional = loader.boolean(*n, "additional");
    if (const auto* n = value_of("extends")) {
        if (auto parent = loader.text(*n, "extends")) {
            schema.extends = *parent;
            const auto at = parent->find('@');
            const auto name = std::string_view(*parent).substr(0, at);
            if (!is_valid_schema_name(name) ||
                (at != std::string::npos && !is_valid_schema_version(std::string_view(*parent).substr(at + 1))))
                loader.add(*n, "extends", *parent, "must name a schema, with or without its version: base or base@1.0");
        }
    }
    if (const auto* n = value_of("applies_to")) {
        if (!n->IsMap()) {
            loader.add(*n, "applies_to", Loader::text_of(*n), "must be a mapping of kinds, techniques and instruments");
        } else {
            for (auto& e : loader.entries(*n, "applies_to", scope_keys)) {
                const auto path = "applies_to." + e.key;
                auto items = loader.texts(e.value, path);
                if (e.key == "kinds") {
                    for (std::size_t i = 0; i < items.size(); ++i) {
                        if (items[i] == "raw") schema.applies_to.kinds.push_back(DatasetKind::raw);
                        else if (items[i] == "processed") schema.applies_to.kinds.push_back(DatasetKind::processed);
                        else
                            loader.add(e.value.IsSequence() ? e.value[i] : e.value, path, items[i],
                                       "must be raw or processed");
                    }
                } else {
                    (e.key == "techniques" ? schema.applies_to.techniques : schema.applies_to.instruments) = std::move(items);
                }
            }
        }
    }

    const bool extends = !schema.extends.empty();
    if (const auto* n = value_of("fields")) {
        if (!n->IsMap()) {
            loader.add(*n, "fields", Loader::text_of(*n),
                       "must be a mapping from each metadata key to its rules, like energy: {type: float, unit: keV}");
        } else {
            for (auto& e : loader.entries(*n, "fields", {})) {
                FieldReader reader(loader, e.key, e.key_node);
                reader.schema_id = schema.id();
                if (!is_valid_metadata_key(e.key))
                    loader.add(e.key_node, "fields." + e.key, e.key,
                               "must be a metadata key: dotted identifiers such as detector.distance");
                reader.read(e.value, extends);
                schema.fields.push_back(std::move(reader.field));
            }
            if (schema.fields.empty() && !extends && loader.violations.empty())
                loader.add(*n, "fields", "", "must list at least one field");
        }
    } else if (!extends) {
        loader.add(start, "fields", "", "is required: a mapping from each metadata key to its rules");
    }

    if (!loader.violations.empty()) throw ValidationError(std::move(loader.violations));
    return schema;
}

Schema load_schema(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw ValidationError({{path.string(), "", ec ? fmt::format("cannot be read: {}", ec.message())
                                                      : std::string("cannot be read: no such file")}});
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ValidationError({{path.string(), "", fmt::format("cannot be read: {}", std::strerror(errno))}});
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ValidationError({{path.string(), "", "cannot be read: an I/O error"}});
    return parse_schema(text.str(), path.string());
}

}  // namespace datatrail
