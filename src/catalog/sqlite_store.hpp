#pragma once
#include "catalog/lineage_index.hpp"
#include "catalog/sqlite.hpp"
#include "catalog/sqlite_file.hpp"
#include "catalog/store.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace datatrail::detail {

// One write connection behind a mutex (writes are serialised inside the process and, through
// BEGIN IMMEDIATE and the busy timeout, between processes) and a pool of read connections, so
// reads run concurrently with each other and with a write (WAL).
class SqliteStore final : public Store {
public:
    SqliteStore(const std::filesystem::path& path, const CatalogOptions& options);

    int schema_version() override;
    const std::string& pid_prefix() const override { return prefix_; }

    Instrument insert_instrument(const Instrument& instrument) override;
    std::optional<Instrument> find_instrument(const std::string& pid_or_name) override;
    std::vector<Instrument> list_instruments() override;

    Investigation insert_investigation(const Investigation& investigation) override;
    std::optional<Investigation> find_investigation(const std::string& pid_or_name) override;
    std::vector<Investigation> list_investigations() override;

    Sample insert_sample(const SampleRow& sample) override;
    std::optional<Sample> find_sample(const std::string& pid_or_name) override;
    std::vector<Sample> list_samples() override;

    std::vector<Dataset> insert_datasets(std::vector<DatasetRow> rows) override;
    std::optional<Dataset> find_dataset(const std::string& pid) override;
    std::vector<Dataset> find_datasets(const CompiledQuery& query) override;
    std::size_t count_datasets(const CompiledQuery& query) override;

    void add_files(const std::string& dataset_pid, const std::vector<Datafile>& files) override;
    void set_metadata(const std::string& dataset_pid, const std::vector<MetadataRow>& rows) override;
    void set_state(const std::string& dataset_pid, DatasetState state, std::optional<Timestamp> end_time) override;

    Agent insert_agent(const Agent& agent) override;
    std::optional<Agent> find_agent(const std::string& pid_or_name) override;
    std::vector<Agent> list_agents() override;
    Activity insert_activity(const ActivityRow& row) override;
    std::optional<Activity> find_activity(const std::string& pid) override;
    std::vector<Activity> find_activities(const ActivityQuery& query) override;
    void add_inputs(const std::string& activity_pid, const std::vector<Used>& used) override;
    std::vector<Dataset> insert_outputs(const std::string& activity_pid, std::vector<DatasetRow> rows,
                                        const std::string& role) override;
    void append_log(const std::string& activity_pid, std::string_view text) override;
    void finish_activity(const std::string& activity_pid, ActivityStatus status, Timestamp end_time) override;
    void add_derivation(const std::string& derived_pid, const std::string& source_pid, const std::string& role) override;
    void add_informed_by(const std::string& activity_pid, const std::string& informant_pid) override;
    void associate(const std::string& activity_pid, const std::string& agent, const std::string& role) override;
    ProvGraph lineage(const std::string& pid, Direction direction, int depth) override;
    std::vector<DatasetDepth> reach(const std::string& pid, Direction direction, int depth) override;
    ProvGraph lineage_path(const std::string& ancestor, const std::string& descendant) override;
    ProvGraph provenance() override;
    std::vector<Dataset> datasets_by_pid(const std::vector<std::string>& pids) override;

    // For store extensions: run `work` inside one write transaction, or with a
    // read connection inside one read transaction.
    void write(const std::function<void(sqlite::Database&)>& work);
    void read(const std::function<void(sqlite::Database&)>& work);

    // The internal id of a dataset by PID; NotFound naming `what` if absent.
    std::int64_t dataset_id(sqlite::Database& db, const std::string& pid, std::string_view what);
    // Loads whole datasets by internal id, in the order given.
    std::vector<Dataset> load_datasets(sqlite::Database& db, const std::vector<std::int64_t>& ids);

private:
    class ReaderLease;
    // The write connection (which also sets the journal mode) or a read connection.
    std::unique_ptr<sqlite::Database> open_connection(bool writer) const;

    struct KeyInfo {
        std::int64_t id = 0;
        std::string value_class;  // number, string, bool, datetime, json, array
        std::string si_unit;      // the dimension of a quantity key
        std::string unit;         // the unit of the key's first use
    };
    std::optional<KeyInfo> find_key(sqlite::Database& db, const std::string& key);
    // Checks every row against what its key already holds (in the catalogue or earlier in
    // `seen`, the batch so far), recording a violation for another class or dimension.
    // `field` names the map the rows came from: "dataset.metadata", "activity.parameters".
    void check_keys(sqlite::Database& db, const std::vector<MetadataRow>& rows, const std::string& field,
                    std::unordered_map<std::string, KeyInfo>& seen, Violations& out);
    // Inserts datasets inside the current write transaction and returns them as stored (moved
    // out of `rows`), with their ids.
    std::vector<Dataset> insert_dataset_rows(sqlite::Database& db, std::vector<DatasetRow>& rows,
                                             std::vector<std::int64_t>& ids);
    std::vector<Activity> load_activities(sqlite::Database& db, const std::vector<std::int64_t>& ids);

    // Lineage walks (sqlite_provenance.cpp). The starting datasets of a walk from a dataset or
    // activity PID; every dataset within `limit` steps of them, once, at its smallest depth,
    // nearest first (with their PIDs in `pids` if given); the neighbours of a dataset, from
    // lineage_index_ or from SQL.
    struct WalkStart;
    WalkStart walk_start(sqlite::Database& db, const std::string& pid, Direction direction, int limit);
    std::vector<std::pair<std::int64_t, int>> walk(sqlite::Database& db, const WalkStart& start, Direction direction,
                                                   int limit, std::vector<std::string>* pids = nullptr);
    template <class Visit>
    void with_neighbours(sqlite::Database& db, Visit&& visit);

    // Interns a metadata key inside the current write transaction.
    std::int64_t key_id(sqlite::Database& db, const MetadataRow& row);
    // A number condition on a key of another class or dimension is an error, not an empty result.
    void check_condition(sqlite::Database& db, const CompiledCondition& condition);
    std::string where_clause(sqlite::Database& db, const CompiledQuery& query, std::vector<std::variant<std::int64_t, double, std::string>>& binds);
    // The tables holding typed values, each keyed by its owner's id.
    struct MetadataTable {
        std::string_view table;
        std::string_view owner_column;
        const std::string& insert_sql() const;
    };
    static constexpr MetadataTable dataset_metadata{"dataset_metadata", "dataset_id"};
    static constexpr MetadataTable sample_metadata{"sample_metadata", "sample_id"};
    static constexpr MetadataTable activity_parameters{"activity_parameter", "activity_id"};
    void insert_metadata(sqlite::Database& db, MetadataTable table, std::int64_t owner, const std::vector<MetadataRow>& rows);
    // The same with `st` a loan of table.insert_sql(), for loops that keep one loan.
    void write_metadata(sqlite::Database& db, sqlite::Statement& st, std::int64_t owner, const std::vector<MetadataRow>& rows);
    void refresh_text(sqlite::Database& db, std::int64_t dataset_id);

    std::string path_;
    bool memory_ = false;
    FileMode file_;
    std::chrono::milliseconds busy_timeout_;
    std::string prefix_;

    std::mutex write_mutex_;
    std::unique_ptr<sqlite::Database> writer_;

    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<sqlite::Database>> idle_readers_;

    // Key ids committed so far; keys added by a transaction join only once it commits.
    std::mutex keys_mutex_;
    std::unordered_map<std::string, KeyInfo> keys_;
    std::unordered_map<std::string, KeyInfo> pending_keys_;

    bool use_lineage_index_ = true;
    LineageIndex lineage_index_;
};

}  // namespace datatrail::detail
