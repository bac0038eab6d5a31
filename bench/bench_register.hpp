#pragma once
// What bench_register's two engines share: the datasets both sides register and the baseline's
// rows precomputed from them (the clock is bench_support.hpp's). bench_register.cpp has the
// SQLite side and the driver; bench_register_postgres.cpp the PostgreSQL side.
#include <datatrail/dataset.hpp>
#include <datatrail/time.hpp>

#include "bench_support.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bench {

inline constexpr std::string_view investigation_name = "bench-2026";

// A raw dataset with 10 metadata values of mixed types (4 floats with units, 2 integers, one in
// pixels, 2 strings, 1 bool, 1 datetime) and one file whose size and SHA-256 are given.
datatrail::Dataset make_dataset(std::size_t i);

// ---- The baseline's input: the same rows, already in the form the catalogue stores them.

struct MetaRow {
    std::size_t key = 0;  // index into the interned keys
    std::int64_t type = 0;
    std::variant<std::int64_t, double, std::string> value;  // a bool is 0 or 1, a time its text
    std::string unit;
    std::optional<double> si;
    std::string si_unit;  // empty -> NULL
};

struct BaseRow {
    std::string name, location, path, sha256, format, fts_keywords, fts_metadata;
    std::int64_t size = 0;
    std::vector<MetaRow> metadata;
};

// A metadata_key row: the first use of a key fixes its class of value and its dimension.
struct KeyRow {
    std::string key, value_class, si_unit, unit;
};

struct BaseInput {
    std::vector<KeyRow> keys;  // interned once, in the order the library first meets them
    std::vector<BaseRow> rows;
};

BaseInput base_input(const std::vector<datatrail::Dataset>& datasets);

std::string current_user();

// A fresh catalogue made by datatrail (schema, indexes, full-text table) holding the
// investigation, at a file path or a postgresql:// URI.
void create_catalogue(const std::string& location);

// ---- PostgreSQL (bench_register_postgres.cpp)

// Inserts every row with libpq; returns the time spent, setup excluded. `multirow`: a dataset's
// metadata in one INSERT of several rows, rather than one INSERT per value.
Seconds run_postgres_baseline(const std::string& uri, const BaseInput& in, const std::vector<std::string>& pids,
                              std::size_t batch, bool multirow);
// Throws unless both databases hold the same rows (PIDs and creation times aside) and schema.
void check_same_rows_postgres(const std::string& baseline_uri, const std::string& library_uri, std::size_t n);
// "server 15.18, libpq 15.18"
std::string postgres_versions(const std::string& uri);

// CPU time the server spends for the connections to one database, read from /proc for each
// backend process (so only for a server on this host): taken when made, and again by
// seconds(), which must be called while the connections measured are still open.
class ServerCpu {
public:
    explicit ServerCpu(std::string uri);
    double seconds() const;  // -1 if the backends' CPU time cannot be read

private:
    std::vector<std::pair<int, double>> backends() const;
    std::string uri_;
    std::vector<std::pair<int, double>> start_;
};

}  // namespace bench
