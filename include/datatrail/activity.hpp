#pragma once
// A PROV activity: an acquisition, a processing step, a workflow run, a notebook session.
#include <datatrail/export.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/time.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail {

enum class ActivityType { acquisition, processing, workflow, notebook, other };
enum class ActivityStatus { running, succeeded, failed };

DATATRAIL_API std::string_view to_string(ActivityType t) noexcept;
DATATRAIL_API std::string_view to_string(ActivityStatus s) noexcept;
DATATRAIL_API ActivityType parse_activity_type(std::string_view text, std::string_view field = "type");
DATATRAIL_API ActivityStatus parse_activity_status(std::string_view text, std::string_view field = "status");

// Where and with what an activity ran.
struct Environment {
    std::string os;    // "Linux 6.1.0-18-amd64 x86_64"
    std::string user;  // the account that ran it
    std::string source_tree;                  // the git work tree of the caller's code, if any
    std::string git_commit;                   // its HEAD commit
    std::optional<bool> git_dirty;            // uncommitted changes in it
    std::string python_version;               // set by the Python bindings
    std::map<std::string, std::string> packages;  // name -> version, set by the Python bindings

    bool operator==(const Environment&) const = default;
};

// Host-independent facts (OS, user) and, when `source_tree` (default: the working directory)
// is inside a git work tree, its commit and dirty flag. Never throws for a missing git.
DATATRAIL_API Environment capture_environment(const std::filesystem::path& source_tree = {});

DATATRAIL_API std::string host_name();

// Activity used a dataset, or one file of it.
struct Used {
    std::string dataset;  // PID
    std::string file;     // path of one of its files; empty for the whole dataset
    std::string role;     // e.g. "calibration", "dark", "input"

    bool operator==(const Used&) const = default;
};

// Activity was associated with an agent, in a role ("operator", "author", "processing software").
struct Association {
    std::string agent;  // PID or name
    std::string role;

    bool operator==(const Association&) const = default;
};

struct Activity {
    std::string pid;  // empty on input: the catalogue mints one
    std::string name;
    ActivityType type = ActivityType::processing;
    std::string program;
    std::string version;
    Metadata parameters;  // typed and unit-checked, like dataset metadata
    std::optional<Timestamp> start_time;  // now, when empty
    std::optional<Timestamp> end_time;
    ActivityStatus status = ActivityStatus::running;
    std::string host;  // this machine, when empty
    std::string command_line;
    std::string parent;  // PID of the activity that contains this one (a workflow run)
    std::string log;
    Environment environment;
    std::vector<Used> used;
    std::vector<Association> agents;
    std::vector<std::string> informed_by;  // PIDs of activities whose results this one used
    std::vector<std::string> generated;    // read back: PIDs of the datasets it generated
    std::string created_by;               // the user, when empty

    bool operator==(const Activity&) const = default;
};

struct ActivityQuery {
    std::string name;     // glob
    std::optional<ActivityType> type;
    std::optional<ActivityStatus> status;
    std::string program;  // exact
    std::string min_version;  // inclusive, compared part by part: 1.2 < 1.10 < 2.0rc1 < 2.0
    std::string max_version;  // exclusive
    std::string parent;       // PID
    std::size_t limit = 0;
};

// Compares dotted versions part by part, numbers as numbers: <0, 0 or >0. A pre-release
// suffix sorts before the release: 2.0rc1 < 2.0.
DATATRAIL_API int compare_versions(std::string_view a, std::string_view b) noexcept;

}  // namespace datatrail
