#pragma once
// Private: reading and writing rows, shared by the SQLite store's files.
#include "store/sqlite/sqlite.hpp"

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

// A row found by PID or name: its internal id and its PID.
struct Ref {
    std::int64_t id = 0;
    std::string pid;
};

// Finds a row of `table` by PID, else by name; a name that matches several rows is a
// ValidationError ("use its PID").
std::optional<Ref> lookup(sqlite::Database& db, std::string_view table, const std::string& pid_or_name);
bool pid_exists(sqlite::Database& db, std::string_view table, const std::string& pid);
// Resolves an optional reference for a write, recording a violation when it dangles.
std::optional<Ref> resolve(sqlite::Database& db, std::string_view table, const std::string& ref, std::string field,
                           Violations& out, std::unordered_map<std::string, Ref>* cache = nullptr);

std::string opt_time(const std::optional<Timestamp>& t);
std::optional<Timestamp> column_time(const sqlite::Statement& st, int col);
std::vector<std::string> json_strings(const std::string& text);
void bind_value(sqlite::Statement& st, int i, const std::variant<std::int64_t, double, std::string>& v);
// A metadata value from its stored columns: type, value, unit, uncertainty at col..col+3.
MetadataValue column_metadata(const sqlite::Statement& st, int col);

}  // namespace datatrail::detail
