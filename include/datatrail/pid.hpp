#pragma once
// Persistent identifiers: "<prefix>/<ULID>". ULIDs are unique without coordination and sort by
// creation time, so catalogues can be merged.
#include <datatrail/export.hpp>

#include <string>
#include <string_view>

namespace datatrail {

// A new 26-character ULID (48-bit millisecond time, 80 random bits, Crockford base32);
// monotonic within a process.
DATATRAIL_API std::string new_ulid();

// prefix + "/" + new_ulid().
DATATRAIL_API std::string new_pid(std::string_view prefix);

// Prefixes are a letter or digit followed by letters, digits, '.', '_' or '-': "local", "20.500.12345".
DATATRAIL_API bool is_valid_pid_prefix(std::string_view prefix) noexcept;

// "<prefix>/<suffix>", suffix non-empty and free of whitespace and control characters.
// PIDs minted elsewhere (handles, DOIs) are accepted when supplied by the caller.
DATATRAIL_API bool is_valid_pid(std::string_view pid) noexcept;

}  // namespace datatrail
