#pragma once
// Filtering datasets: by their fields and by metadata, comparing quantities across units.
#include <datatrail/dataset.hpp>
#include <datatrail/export.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/time.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail {

enum class Comparison { eq, ne, lt, le, gt, ge, between };

// One test on a metadata value. Numbers are compared after conversion to SI, so
// "energy between 12 and 13 keV" finds a value stored as 12700 eV. Without a unit a number
// is dimensionless. Strings compare as text, booleans by value, datetimes as instants.
struct MetadataCondition {
    std::string key;
    Comparison op = Comparison::eq;
    Value value;
    std::optional<Value> upper;  // with Comparison::between: value <= x <= upper
    std::string unit;

    bool operator==(const MetadataCondition&) const = default;
};

// Parses a conjunction of conditions:
//   energy between 12 and 13 keV and detector.name = "eiger" and temperature < 100 K
// Operators: = == != < <= > >= between..and. Strings in single or double quotes; true/false;
// datetimes as ISO 8601 (2026-11-21T10:00:00Z, quoted or not).
// Throws QuerySyntaxError with the position of the first problem.
DATATRAIL_API std::vector<MetadataCondition> parse_conditions(std::string_view text);

enum class DatasetOrder { created, start_time, name };

struct DatasetQuery {
    std::optional<DatasetKind> kind;
    std::optional<DatasetState> state;
    std::string investigation;  // PID or name
    std::string instrument;     // PID or name
    std::string sample;         // PID or name
    std::optional<Timestamp> started_after;   // start_time >= this
    std::optional<Timestamp> started_before;  // start_time < this
    std::string name;  // glob pattern: "scan_*", "*_dark", "scan_00[1-5]"
    std::string text;  // full-text search over names, descriptions, keywords and text metadata
    std::string keyword;  // exact keyword
    std::string technique;  // exact technique
    std::vector<MetadataCondition> metadata;
    DatasetOrder order = DatasetOrder::created;
    bool descending = false;
    std::size_t limit = 0;  // 0: no limit
    std::size_t offset = 0;

    // Appends parse_conditions(text) to `metadata`.
    DATATRAIL_API DatasetQuery& where(std::string_view text);
    DatasetQuery& where(MetadataCondition c) {
        metadata.push_back(std::move(c));
        return *this;
    }
};

}  // namespace datatrail
