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
