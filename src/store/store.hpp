#pragma once
// The storage interface. Catalog checks and normalises input (units to SI, PIDs minted, times
// formatted) and hands a Store rows that are already valid in themselves; the Store resolves
// references, enforces uniqueness and keeps every write atomic. SQLite implements it now; a
// PostgreSQL store can follow without touching the checks.
#include <datatrail/catalog.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace datatrail::detail {

// A metadata value ready to store: `value` as entered, `si` in `si_unit` for ordered types.
struct MetadataRow {
    std::string key;
    ValueType type = ValueType::string;
    std::variant<std::int64_t, double, std::string> value;
    std::string unit;
    std::optional<double> si;
    std::string si_unit;  // "1" for dimensionless numbers, "datetime" for instants
    std::optional<double> uncertainty;
};

// The unit label for instants in MetadataRow::si_unit; never a UDUNITS-2 unit.
inline constexpr std::string_view datetime_si_unit = "datetime";

struct DatasetRow {
    Dataset dataset;  // pid, created_by and created_at set; references as given (PID or name)
    std::vector<MetadataRow> metadata;
    std::string field;  // how errors name this dataset: "dataset 'scan_001'" or "datasets[3]"
};

struct ActivityRow {
    Activity activity;  // pid, start_time, host and created_by set
    std::vector<MetadataRow> parameters;
};

enum class Direction { ancestors, descendants };

struct SampleRow {
    Sample sample;
    std::vector<MetadataRow> metadata;
};

// A metadata condition with its literal converted for comparison.
struct CompiledCondition {
    enum class Kind { number, text, boolean } kind = Kind::number;
    std::string key;
    Comparison op = Comparison::eq;
    double low = 0, high = 0;  // number: the SI range (eq and between), or the SI bound
    std::string si_unit;
    std::string text, text_high;  // text: the literal(s)
    bool flag = false;            // boolean
};

struct CompiledQuery {
    DatasetQuery query;  // everything but the metadata conditions is used as given
    std::vector<CompiledCondition> conditions;
};

class Store {
public:
    virtual ~Store() = default;

    virtual int schema_version() = 0;
    virtual const std::string& pid_prefix() const = 0;

    virtual Instrument insert_instrument(const Instrument& instrument) = 0;
    virtual std::optional<Instrument> find_instrument(const std::string& pid_or_name) = 0;
    virtual std::vector<Instrument> list_instruments() = 0;

    virtual Investigation insert_investigation(const Investigation& investigation) = 0;
    virtual std::optional<Investigation> find_investigation(const std::string& pid_or_name) = 0;
    virtual std::vector<Investigation> list_investigations() = 0;

    virtual Sample insert_sample(const SampleRow& sample) = 0;
    virtual std::optional<Sample> find_sample(const std::string& pid_or_name) = 0;
    virtual std::vector<Sample> list_samples() = 0;

    // All or nothing. References that do not resolve are one ValidationError listing them all;
    // a PID already present is a Conflict.
    virtual std::vector<Dataset> insert_datasets(std::vector<DatasetRow> rows) = 0;
    virtual std::optional<Dataset> find_dataset(const std::string& pid) = 0;
    virtual std::vector<Dataset> find_datasets(const CompiledQuery& query) = 0;
    virtual std::size_t count_datasets(const CompiledQuery& query) = 0;

    virtual void add_files(const std::string& dataset_pid, const std::vector<Datafile>& files) = 0;
    virtual void set_metadata(const std::string& dataset_pid, const std::vector<MetadataRow>& rows) = 0;
    virtual void set_state(const std::string& dataset_pid, DatasetState state, std::optional<Timestamp> end_time) = 0;

    // Provenance. Every method that links refuses unknown PIDs (ValidationError) and cycles.
    virtual Agent insert_agent(const Agent& agent) = 0;
    virtual std::optional<Agent> find_agent(const std::string& pid_or_name) = 0;
    virtual std::vector<Agent> list_agents() = 0;

    virtual Activity insert_activity(const ActivityRow& row) = 0;
    virtual std::optional<Activity> find_activity(const std::string& pid) = 0;
    virtual std::vector<Activity> find_activities(const ActivityQuery& query) = 0;
    virtual void add_inputs(const std::string& activity_pid, const std::vector<Used>& used) = 0;
    virtual std::vector<Dataset> insert_outputs(const std::string& activity_pid, std::vector<DatasetRow> rows,
                                                const std::string& role) = 0;
    virtual void append_log(const std::string& activity_pid, std::string_view text) = 0;
    virtual void finish_activity(const std::string& activity_pid, ActivityStatus status, Timestamp end_time) = 0;

    virtual void add_derivation(const std::string& derived_pid, const std::string& source_pid, const std::string& role) = 0;
    virtual void add_informed_by(const std::string& activity_pid, const std::string& informant_pid) = 0;
    virtual void associate(const std::string& activity_pid, const std::string& agent, const std::string& role) = 0;

    // depth < 0: no limit.
    virtual ProvGraph lineage(const std::string& pid, Direction direction, int depth) = 0;
    // The datasets a lineage walk reaches (not the start), nearest first.
    virtual std::vector<DatasetDepth> reach(const std::string& pid, Direction direction, int depth) = 0;
    virtual ProvGraph lineage_path(const std::string& ancestor, const std::string& descendant) = 0;
    virtual ProvGraph provenance() = 0;
    // Datasets by PID, in the order given; unknown PIDs are skipped.
    virtual std::vector<Dataset> datasets_by_pid(const std::vector<std::string>& pids) = 0;
};

}  // namespace datatrail::detail
