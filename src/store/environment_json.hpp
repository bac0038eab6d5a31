#pragma once
// An activity's environment as both engines store it: one JSON object, keys only when set.
#include <datatrail/activity.hpp>

#include <string>
#include <string_view>

namespace datatrail::detail {

std::string environment_json(const Environment& environment);
Environment environment_from_json(std::string_view text);

}  // namespace datatrail::detail
