#pragma once
// Private: the PostgreSQL engine's reads and writes on one connection inside one transaction,
// implemented in postgres_store.cpp (records, queries) and postgres_provenance.cpp (links,
// lineage).
#include "store/postgres/postgres_store.hpp"

namespace datatrail::detail {

class PgTx final : public StoreWriter {
public:
    PgTx(PostgresStore& store, pq::Connection& conn) : store_(store), conn_(conn) {}
    pq::Connection& connection() noexcept { return conn_; }
    // Keys this transaction added, for the store to remember once it commits.
    std::unordered_map<std::string, PostgresStore::StoredKey>& new_keys() noexcept { return new_keys_; }

    // ---- StoreReader
    std::optional<Ref> find_by_pid(Table table, const std::string& pid) override;
    std::vector<Ref> find_by_name(Table table, const std::string& name, std::size_t limit) override;
    std::optional<KeyInfo> metadata_key(const std::string& key) override;

    std::vector<Instrument> instruments(const std::vector<std::int64_t>& ids) override;
    std::vector<Investigation> investigations(const std::vector<std::int64_t>& ids) override;
    std::vector<Sample> samples(const std::vector<std::int64_t>& ids) override;
    std::vector<Dataset> datasets(const std::vector<std::int64_t>& ids) override;
    std::vector<Agent> agents(const std::vector<std::int64_t>& ids) override;
    std::vector<Activity> activities(const std::vector<std::int64_t>& ids) override;
    std::vector<Dataset> dataset_summaries(const std::vector<std::int64_t>& ids) override;
    std::vector<Activity> activity_summaries(const std::vector<std::int64_t>& ids) override;
    std::vector<std::int64_t> all_ids(Table table) override;

    std::vector<std::int64_t> find_datasets(const CompiledQuery& query) override;
    std::size_t count_datasets(const CompiledQuery& query) override;
    std::string explain(const CompiledQuery& query) override;
    std::vector<std::pair<std::int64_t, std::string>> find_activities(const ActivityQuery& query,
                                                                     std::optional<std::int64_t> parent) override;

    bool has_file(std::int64_t dataset, const std::string& path) override;
    std::vector<FileRow> files_matching(const std::vector<std::string>& paths, const std::string& sha256) override;
    std::optional<Timestamp> activity_start(std::int64_t activity) override;
    std::string activity_pid(std::int64_t activity) override;
    std::vector<std::int64_t> used_datasets(std::int64_t activity) override;
    std::vector<std::int64_t> generated_datasets(std::int64_t activity) override;
    std::vector<UsedRow> used_by(const std::vector<std::int64_t>& activities) override;
    std::vector<GenerationRow> generations_of(const std::vector<std::int64_t>& datasets) override;
    std::vector<UsedRow> uses_of(const std::vector<std::int64_t>& datasets) override;
    std::vector<std::pair<std::int64_t, std::int64_t>> communications_among(const std::vector<std::int64_t>& activities) override;
    std::vector<AssociationRow> associations_of(const std::vector<std::int64_t>& activities) override;
    std::optional<std::int64_t> derivation_activity(std::int64_t derived, std::int64_t source) override;
    bool derives_from(std::int64_t dataset, std::int64_t ancestor) override;
    bool informed_by(std::int64_t activity, std::int64_t informant) override;

    void for_each_neighbour(std::int64_t dataset, Direction direction, const std::function<void(std::int64_t)>& f) override;
    void for_each_source(std::int64_t dataset, const std::function<void(const LinkRow&)>& f) override;
    std::string dataset_pid(std::int64_t dataset) override;

    LinkMark link_mark() override;
    void for_each_link(std::int64_t after, const std::function<void(const LinkRow&)>& f) override;
    void for_each_dataset_pid(std::int64_t after, const std::function<void(std::int64_t, std::string_view)>& f) override;

    // ---- StoreWriter
    void insert_instrument(const Instrument& instrument) override;
    void insert_investigation(const InvestigationRow& row) override;
    void insert_sample(const SampleRow& row) override;
    std::vector<std::int64_t> insert_datasets(const std::vector<DatasetRow>& rows) override;
    void insert_files(std::int64_t dataset, const std::vector<Datafile>& files) override;
    void put_metadata(MetadataOwner owner, std::int64_t owner_id, const std::vector<MetadataRow>& rows) override;
    void set_search_text(std::int64_t dataset, const Dataset& d, const SearchText& text) override;
    void set_state(std::int64_t dataset, DatasetState state, std::optional<Timestamp> end_time) override;
    void set_validity(std::int64_t dataset, const std::string& schema, bool valid,
                      const std::vector<Violation>& violations) override;
    void insert_schema(const SchemaRow& row) override;
    std::vector<SchemaRow> schemas(const std::string& name) override;
    void set_output_states(std::int64_t activity, std::optional<DatasetState> only_from, DatasetState to,
                           Timestamp end_time) override;

    void insert_agent(const Agent& agent) override;
    std::int64_t insert_activity(const ActivityRow& row) override;
    void finish_activity(std::int64_t activity, ActivityStatus status, Timestamp end_time) override;
    void append_log(std::int64_t activity, std::string_view text) override;
    void insert_used(const UsedRow& row) override;
    void insert_generation(const GenerationRow& row) override;
    void insert_derivation(std::int64_t derived, std::int64_t source, std::optional<std::int64_t> activity,
                           const std::string& role) override;
    void insert_association(std::int64_t activity, std::int64_t agent, const std::string& role) override;
    void insert_communication(std::int64_t informed, std::int64_t informant) override;

private:
    std::optional<PostgresStore::StoredKey> find_key(const std::string& key);
    std::int64_t key_id(const MetadataRow& row);
    // put_metadata's work; `replace` false for an owner that is new in this transaction.
    void write_metadata(MetadataOwner owner, std::int64_t owner_id, const std::vector<MetadataRow>& rows, bool replace);

    PostgresStore& store_;
    pq::Connection& conn_;
    std::unordered_map<std::string, PostgresStore::StoredKey> new_keys_;
    bool link_lock_held_ = false;
};

}  // namespace datatrail::detail
