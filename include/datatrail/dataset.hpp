#pragma once
// A dataset is a PROV entity: raw data from an acquisition or processed data made from other datasets.
#include <datatrail/datafile.hpp>
#include <datatrail/error.hpp>
#include <datatrail/export.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/time.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail {

enum class DatasetKind { raw, processed };
enum class DatasetState { acquiring, complete, failed };

DATATRAIL_API std::string_view to_string(DatasetKind k) noexcept;
DATATRAIL_API std::string_view to_string(DatasetState s) noexcept;
// Throw ValidationError naming `field` for anything but the names above.
DATATRAIL_API DatasetKind parse_dataset_kind(std::string_view text, std::string_view field = "kind");
DATATRAIL_API DatasetState parse_dataset_state(std::string_view text, std::string_view field = "state");

struct Dataset {
    std::string pid;  // empty on input: the catalogue mints one
    DatasetKind kind = DatasetKind::raw;
    std::string name;
    std::string description;
    std::string investigation;  // PID or name; optional
    std::string instrument;     // PID or name; optional
    std::string sample;         // PID or name; optional
    std::vector<std::string> techniques;
    std::vector<std::string> keywords;
    std::optional<Timestamp> start_time;
    std::optional<Timestamp> end_time;
    std::string location;  // root folder or URI the files are relative to
    // The metadata schema to check it against: "mx" (the catalogue's latest version) or "mx@1.2";
    // optional. Stored as the name and version it was checked against: "mx@1.2".
    std::string schema;
    Metadata metadata;
    DatasetState state = DatasetState::complete;
    std::vector<Datafile> files;
    std::string created_by;  // empty on input: the user running the process
    std::optional<Timestamp> created_at;  // set by the catalogue
    // Set by the catalogue: false when a lenient schema accepted the dataset with `violations`
    // (a strict one refuses it). Without a schema a dataset is valid.
    bool valid = true;
    std::vector<Violation> violations;

    bool operator==(const Dataset&) const = default;
};

}  // namespace datatrail
