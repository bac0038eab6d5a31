#pragma once
// A dataset's violations (kept when a lenient schema accepted it) as both engines store them:
// a JSON array of {"field", "value", "rule"} objects.
#include <datatrail/error.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace datatrail::detail {

inline std::string violations_json(const std::vector<Violation>& violations) {
    auto out = nlohmann::json::array();
    for (const auto& v : violations) out.push_back({{"field", v.field}, {"value", v.value}, {"rule", v.rule}});
    // Values are user text and may hold bytes that are not UTF-8: those become U+FFFD rather
    // than an exception.
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::vector<Violation> violations_from_json(std::string_view text) {
    std::vector<Violation> out;
    if (text.empty()) return out;
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (!parsed.is_array()) throw StorageError("a dataset's stored violations are not a JSON array");
    for (const auto& v : parsed)
        out.push_back({v.value("field", std::string()), v.value("value", std::string()), v.value("rule", std::string())});
    return out;
}

}  // namespace datatrail::detail
