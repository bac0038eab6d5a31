#pragma once
// Private: reading and writing rows, shared by the SQLite store's files.
#include "store/sqlite/sqlite.hpp"
#include "store/store.hpp"

#include <datatrail/error.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace datatrail::detail {

std::string opt_time(const std::optional<Timestamp>& t);
std::optional<Timestamp> column_time(const sqlite::Statement& st, int col);
std::vector<std::string> json_strings(const std::string& text);
void bind_value(sqlite::Statement& st, int i, const std::variant<std::int64_t, double, std::string>& v);
// A metadata value from its stored columns: type, value, unit, uncertainty at col..col+3.
MetadataValue column_metadata(const sqlite::Statement& st, int col);
// Ids as a JSON array, for `IN (SELECT value FROM json_each(?))`.
std::string id_list(const std::vector<std::int64_t>& ids);

}  // namespace datatrail::detail
