#pragma once
// Points in time: UTC, microsecond resolution, written as ISO 8601.
#include <datatrail/export.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace datatrail {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

DATATRAIL_API Timestamp now();

// "2026-11-21T20:03:15.123456Z": fixed width, so text order is time order.
DATATRAIL_API std::string format_time(Timestamp t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" with an optional "Z" or "+HH:MM"/"-HH:MM"
// ("T" may be a space). Without an offset the time is taken as UTC.
// Throws ValidationError naming `field` when the text is not such a time.
DATATRAIL_API Timestamp parse_time(std::string_view text, std::string_view field = "time");

}  // namespace datatrail
