#include <datatrail/metadata.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace datatrail {

std::string_view to_string(ValueType t) noexcept {
    switch (t) {
        case ValueType::string: return "string";
        case ValueType::integer: return "integer";
        case ValueType::floating: return "float";
        case ValueType::boolean: return "bool";
        case ValueType::datetime: return "datetime";
        case ValueType::json: return "json";
        case ValueType::integer_array: return "integer array";
        case ValueType::float_array: return "float array";
        case ValueType::string_array: return "string array";
    }
    return "unknown";
}

std::optional<ValueType> value_type_from_code(std::int64_t code) noexcept {
    switch (code) {
        case stored_code(ValueType::string): return ValueType::string;
        case stored_code(ValueType::integer): return ValueType::integer;
        case stored_code(ValueType::floating): return ValueType::floating;
        case stored_code(ValueType::boolean): return ValueType::boolean;
        case stored_code(ValueType::datetime): return ValueType::datetime;
        case stored_code(ValueType::json): return ValueType::json;
        case stored_code(ValueType::integer_array): return ValueType::integer_array;
        case stored_code(ValueType::float_array): return ValueType::float_array;
        case stored_code(ValueType::string_array): return ValueType::string_array;
        default: return std::nullopt;
    }
}

ValueType Value::type() const noexcept {
    // By the alternative's type, never its position in the variant.
    struct Visitor {
        ValueType operator()(const std::string&) const { return ValueType::string; }
        ValueType operator()(std::int64_t) const { return ValueType::integer; }
        ValueType operator()(double) const { return ValueType::floating; }
        ValueType operator()(bool) const { return ValueType::boolean; }
        ValueType operator()(Timestamp) const { return ValueType::datetime; }
        ValueType operator()(const Json&) const { return ValueType::json; }
        ValueType operator()(const std::vector<std::int64_t>&) const { return ValueType::integer_array; }
        ValueType operator()(const std::vector<double>&) const { return ValueType::float_array; }
        ValueType operator()(const std::vector<std::string>&) const { return ValueType::string_array; }
    };
    return std::visit(Visitor{}, v_);
}

double Value::as_double() const {
    if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
    return std::get<double>(v_);
}

std::string Value::to_string() const {
    struct Visitor {
        std::string operator()(const std::string& s) const { return s; }
        std::string operator()(std::int64_t i) const { return fmt::format("{}", i); }
        std::string operator()(double d) const { return fmt::format("{}", d); }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(Timestamp t) const { return format_time(t); }
        std::string operator()(const Json& j) const { return j.text; }
        std::string operator()(const std::vector<std::int64_t>& a) const { return nlohmann::json(a).dump(); }
        std::string operator()(const std::vector<double>& a) const { return nlohmann::json(a).dump(); }
        std::string operator()(const std::vector<std::string>& a) const { return nlohmann::json(a).dump(); }
    };
    return std::visit(Visitor{}, v_);
}

bool is_valid_metadata_key(std::string_view key) noexcept {
    if (key.empty() || key.size() > 255) return false;
    bool at_start = true;
    for (char c : key) {
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (c == '.') {
            if (at_start) return false;
            at_start = true;
        } else if (letter || (digit && !at_start)) {
            at_start = false;
        } else {
            return false;
        }
    }
    return !at_start;
}

}  // namespace datatrail
