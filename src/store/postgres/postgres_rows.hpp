#pragma once
// Private: reading and writing rows, shared by the PostgreSQL engine's files.
#include "store/postgres/pq.hpp"
#include "store/store.hpp"

#include <datatrail/metadata.hpp>
#include <datatrail/time.hpp>

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail::detail::postgres {

// Adds a parameter and returns its placeholder, "$n", for SQL built piece by piece.
template <class T>
std::string placeholder(pq::Params& params, const T& value) {
    params.add(value);
    return fmt::format("${}", params.size());
}

// The first column of every row, as ids.
std::vector<std::int64_t> ids_of(const pq::Result& r);
// Ids as a bigint[] literal, for `= ANY($1::bigint[])`.
std::string id_array(const std::vector<std::int64_t>& ids);
std::string opt_time(const std::optional<Timestamp>& t);
std::optional<Timestamp> column_time(const pq::Result& r, int row, int col);
std::string column_string(const pq::Result& r, int row, int col);
std::string json_list(const std::vector<std::string>& items);
std::vector<std::string> json_strings(std::string_view text);
// A metadata value as the value column holds it, and back from type, value, unit, uncertainty
// at col..col+3.
std::string value_text(const MetadataRow& row);
MetadataValue column_metadata(const pq::Result& r, int row, int col);

}  // namespace datatrail::detail::postgres
