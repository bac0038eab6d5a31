#pragma once
// Workflow tasks in C++: the compiled equivalent of Python's `@dt.task` (docs/workflow.md, "From
// C++"). A call is skipped when the catalogue already holds the outputs of the same task, program,
// version, parameters and input content; otherwise the function runs and the call is recorded as
// an activity with its inputs and outputs in one transaction.
#include <datatrail/activity.hpp>
#include <datatrail/catalog.hpp>
#include <datatrail/dataset.hpp>
#include <datatrail/export.hpp>
#include <datatrail/metadata.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace datatrail {

// One input of a task: a dataset of the catalogue, or a file or folder outside it. Either way
// the cache key holds its content (a dataset's files' checksums, a file's SHA-256), not its name.
struct TaskInput {
    // Its name in the cache key, and the role of the "used" link; empty: its position ("0", "1",
    // ...), recorded with the role "input". Python's @dt.task names inputs after its arguments.
    std::string name;
    std::string dataset;          // the PID of a dataset in the catalogue, or
    std::filesystem::path path;   // a file or folder (a folder: every file below it)
};

struct TaskSpec {
    std::string name;     // the task: two tasks of one program and version never share outputs
    std::string program;
    std::string version;
    Metadata parameters;  // typed, as an activity's; keys under "task." are the task's own
    std::vector<TaskInput> inputs;
    std::string parent;   // PID of the workflow activity that contains the call; optional
    bool rerun = false;   // run and record again even when the catalogue holds the outputs
    std::string role;     // role of the outputs' generation
    // Recorded with the call, as given (a workflow run's snapshot, which its tasks reuse); when
    // empty, capture_environment() of the working directory, which runs `git status`.
    std::optional<Environment> environment;
    std::string command_line;
};

// What the task's function is given.
struct TaskCall {
    std::string activity;  // the PID the call's activity will have
    std::string key;       // the cache key
    std::vector<TaskInput> inputs;  // as given, names filled in and paths made absolute
    std::vector<Dataset> datasets;  // the input datasets as read, in the order of the inputs naming one
};

struct TaskResult {
    std::vector<Dataset> outputs;  // the call's, or on a hit the earlier call's
    std::string activity;          // PID of the activity that recorded this call
    bool cache_hit = false;
    std::string cached_from;       // on a hit, the PID of the activity whose outputs are returned
    std::string key;
};

// Returns the outputs to register (processed datasets; files are described from disk under their
// location). Their metadata gains the cache key ("task.cache_key") and the activity's PID
// ("task.activity"), which they must not set themselves.
using TaskFunction = std::function<std::vector<Dataset>(const TaskCall&)>;

// The call's cache key: SHA-256 over a canonical, typed encoding of the task's name, program,
// version, parameters and inputs' content. The same encoding as Python's tasks, so a C++ task
// and a Python task of the same name, program and version, given equal parameters (a C++ integer,
// float, string, bool, time or array as the Python int, float, str, bool, datetime in UTC or
// list; a value with a unit as the tuple (value, "unit"), with an uncertainty as (value, "unit",
// uncertainty); JSON as the Python dicts and lists it parses to) and inputs of the same names and
// content, share one cache. Reads the input datasets; hashes input files.
// Throws ValidationError naming every bad part of the spec; nothing is written.
DATATRAIL_API std::string task_cache_key(const Catalog& catalog, const TaskSpec& spec);

// Runs one task call. Checks the spec (ValidationError naming every bad field, nothing written),
// computes the key and looks for an earlier succeeded call with that key whose outputs are all
// still in the catalogue, complete, and whose files still exist with their recorded checksums.
// Hit (unless spec.rerun): the call is recorded as an activity of its own, informed by the
// earlier one, and the earlier outputs are returned; `fn` is not called. Miss: `fn` runs, and its
// activity and outputs are recorded in one transaction (Catalog::record_activity), under
// spec.parent; outputs the catalogue refuses leave nothing written (ValidationError naming them
// "outputs[i].<field>"). When `fn` throws, the call is recorded as failed with the message in
// its log, and the exception propagates.
DATATRAIL_API TaskResult run_task(Catalog& catalog, const TaskSpec& spec, const TaskFunction& fn);

}  // namespace datatrail
