#include <datatrail/error.hpp>

#include <fmt/format.h>

namespace datatrail {
namespace {

std::string describe(const std::vector<Violation>& violations) {
    if (violations.size() == 1) {
        const auto& v = violations.front();
        return fmt::format("invalid {} = '{}': {}", v.field, v.value, v.rule);
    }
    std::string text = fmt::format("{} invalid values:", violations.size());
    for (const auto& v : violations) text += fmt::format("\n  {} = '{}': {}", v.field, v.value, v.rule);
    return text;
}

}  // namespace

ValidationError::ValidationError(std::vector<Violation> violations)
    : Error(describe(violations)), violations_(std::move(violations)) {}

QuerySyntaxError::QuerySyntaxError(const std::string& message, std::string query, std::size_t position)
    : Error(fmt::format("{} at position {}\n  {}\n  {}^", message, position, query, std::string(position, ' '))),
      query_(std::move(query)),
      position_(position) {}

void Violations::add(std::string field, std::string value, std::string rule) {
    items_.push_back({std::move(field), std::move(value), std::move(rule)});
    only_units_ = false;
}

void Violations::add_unit(std::string field, std::string value, std::string rule) {
    items_.push_back({std::move(field), std::move(value), std::move(rule)});
}

void Violations::throw_if_any() {
    if (items_.empty()) return;
    if (only_units_) throw UnitError(std::move(items_));
    throw ValidationError(std::move(items_));
}

}  // namespace datatrail
