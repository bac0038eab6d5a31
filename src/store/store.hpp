#pragma once
// The storage interface: what an engine (SQLite, PostgreSQL) implements, and nothing more.
//
// An engine stores and reads rows inside transactions, keeps every write atomic, enforces
// uniqueness and resolves PIDs and names to its internal ids. Every rule lives above it, in
// engine-neutral code under src/catalog/: input checks and units (validate.cpp), a metadata
// key's value class and dimension (metadata_keys.cpp), cycles, the failed-run cascade and what
// an activity's outputs derive from (catalog_provenance.cpp), the text full-text search sees
// (search_text.hpp), lineage walks and graph assembly (walk.hpp, graph_builder.cpp). So a new
// engine is storage code only, and both engines give the same answers.
//
// Catalog code runs its work as a closure inside Store::read (one snapshot) or Store::write
// (one transaction, all or nothing). An engine may run a write's closure more than once (a
// PostgreSQL serialisation failure is retried), so a closure must not keep state between
// attempts except through what it returns.
#include <datatrail/catalog.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace datatrail::detail {

// The tables whose rows are found by PID (and most of them also by name).
enum class Table { instrument, investigation, sample, dataset, agent, activity };
// The table's name as messages and SQL use it: "instrument", "dataset" ...
std::string_view table_name(Table table) noexcept;

// A row found by PID or name: its internal id and its PID.
struct Ref {
    std::int64_t id = 0;
    std::string pid;
};

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

// What the catalogue holds for a metadata key, fixed by its first use.
struct KeyInfo {
    std::string value_class;  // number, string, bool, datetime, json, array
    std::string si_unit;      // the dimension of a quantity key
    std::string unit;         // the unit of the key's first use
};

// What full-text search indexes of a dataset besides its name and description.
struct SearchText {
    std::string keywords;  // keywords and techniques
    std::string metadata;  // string metadata values
};

struct DatasetRow {
    // pid, created_by and created_at set; investigation, instrument and sample resolved to PIDs
    Dataset dataset;
    std::vector<MetadataRow> metadata;
    std::string field;  // how errors name this dataset: "dataset 'scan_001'" or "datasets[3]"
    // The internal ids of the references, resolved by the catalogue in the same transaction.
    std::optional<std::int64_t> investigation_id, instrument_id, sample_id;
    SearchText text;
};

struct ActivityRow {
    Activity activity;  // pid, start_time, host and created_by set
    std::vector<MetadataRow> parameters;
    std::optional<std::int64_t> parent_id;
};

struct SampleRow {
    Sample sample;  // investigation and parent resolved to PIDs
    std::vector<MetadataRow> metadata;
    std::optional<std::int64_t> investigation_id, parent_id;
};

struct InvestigationRow {
    Investigation investigation;  // instrument resolved to a PID
    std::optional<std::int64_t> instrument_id;
};

// A metadata schema as the catalogue keeps it: the YAML it was written in, and its canonical
// content (canonical_json) to tell a harmless re-add from a different schema under the same id.
struct SchemaRow {
    std::string name;
    std::string version;
    std::string description;
    std::string canonical;
    std::string source;
    std::string source_name;
    // The schema it extends, pinned when it was added ("base@1.0"; the source may say "base",
    // whose latest version changes as versions are added); empty when it extends none.
    std::string parent;
    std::string created_by;
    Timestamp created_at{};
};

// Whose metadata a row is: each owner has its own table of typed values.
enum class MetadataOwner { dataset, sample, activity };

enum class Direction { ancestors, descendants };

// A metadata condition with its literal converted for comparison: a number or time against
// the SI value, text or a boolean against the value as stored, a glob pattern against text,
// or only the key's presence.
struct CompiledCondition {
    enum class Kind { number, text, boolean, pattern, present } kind = Kind::number;
    std::string key;
    Comparison op = Comparison::eq;
    double low = 0, high = 0;  // number: the SI range (eq and between), or the SI bound
    std::string si_unit;
    std::string text, text_high;  // text: the literal(s); pattern: the glob
    bool flag = false;            // boolean
};

// The dataset columns a query compares as text (times are stored as fixed-width ISO 8601).
enum class DatasetColumn { pid, name, description, kind, state, start_time, end_time, created_at, created_by, location, schema, valid };
// The dataset columns holding several strings.
enum class DatasetList { techniques, keywords };

// A query tree with its literals checked and converted and its references resolved: what an
// engine turns into SQL, one leaf at a time, without rules of its own.
struct CompiledExpr {
    enum class Kind {
        always,
        never,
        all_of,
        any_of,
        negation,
        column,     // d.<column> <op> texts (eq ne lt le gt ge between glob; exists: set and not empty)
        list,       // eq: holds texts[0]; glob: holds a string matching it; exists: holds any
        reference,  // eq: one of ids; ne: set and none of ids; glob: a record whose name or PID
                    // matches texts[0]; exists: set
        metadata,   // condition
        text,       // full-text search for `words`
    };
    Kind kind = Kind::always;
    std::vector<CompiledExpr> children;
    query::Op op = query::Op::eq;
    DatasetColumn column = DatasetColumn::pid;
    DatasetList list = DatasetList::techniques;
    Table table = Table::dataset;
    std::vector<std::string> texts;
    std::vector<std::int64_t> ids;
    CompiledCondition condition;
    std::string words;
};

// What results are sorted by, after which ties go by id (registration order).
struct CompiledOrder {
    enum class Kind { id, column, reference, metadata } kind = Kind::id;
    DatasetColumn column = DatasetColumn::pid;
    Table table = Table::dataset;  // reference: sorted by the record's name
    std::string key;               // metadata
    bool by_si = false;            // metadata: by SI value (numbers, times), else by the stored text
    bool descending = false;
};

// A dataset query ready for an engine.
struct CompiledQuery {
    CompiledExpr where;
    CompiledOrder order;
    std::size_t limit = 0;  // 0: no limit
    std::size_t offset = 0;
};

// A file with its dataset's identity, as datasets_with_file reads it.
struct FileRow {
    std::int64_t file_id = 0;
    std::string pid;
    std::string name;
    std::string location;
    Datafile file;
};

// Provenance rows, by internal id.
struct UsedRow {
    std::int64_t activity = 0;
    std::int64_t dataset = 0;
    std::string path;  // empty: the whole dataset
    std::string role;
};
struct GenerationRow {
    std::int64_t dataset = 0;
    std::int64_t activity = 0;
    std::string role;
};
struct AssociationRow {
    std::int64_t activity = 0;
    Agent agent;
    std::string role;
};
// A derivation link: `derived` was made from `source` (by `activity`, 0 when not recorded).
struct LinkRow {
    std::int64_t derived = 0;
    std::int64_t source = 0;
    std::int64_t activity = 0;
    std::string_view role;  // valid during the callback only
};
// What one snapshot holds of the derivation links and datasets: links are numbered in the
// order they were committed (seq), datasets by their id. The lineage index keeps up by reading
// what lies above the mark it holds.
struct LinkMark {
    std::int64_t seq = 0;
    std::int64_t dataset = 0;
    bool operator==(const LinkMark&) const = default;
};

// Everything read inside one snapshot. Ids are the engine's internal ids, valid only inside
// this catalogue; they never leave the library.
class StoreReader {
public:
    virtual ~StoreReader() = default;

    // ---- references
    virtual std::optional<Ref> find_by_pid(Table table, const std::string& pid) = 0;
    // Rows named `name`, at most `limit` of them (name lookups need to know "more than one").
    virtual std::vector<Ref> find_by_name(Table table, const std::string& name, std::size_t limit) = 0;
    virtual std::optional<KeyInfo> metadata_key(const std::string& key) = 0;

    // ---- records by id, in the order given (ids are known to exist)
    virtual std::vector<Instrument> instruments(const std::vector<std::int64_t>& ids) = 0;
    virtual std::vector<Investigation> investigations(const std::vector<std::int64_t>& ids) = 0;
    virtual std::vector<Sample> samples(const std::vector<std::int64_t>& ids) = 0;
    virtual std::vector<Dataset> datasets(const std::vector<std::int64_t>& ids) = 0;
    virtual std::vector<Agent> agents(const std::vector<std::int64_t>& ids) = 0;
    virtual std::vector<Activity> activities(const std::vector<std::int64_t>& ids) = 0;
    // The same without metadata, files and links (datasets), or without parameters, links, log
    // and environment (activities): what a graph's nodes show. Ids that do not exist are left out.
    virtual std::vector<Dataset> dataset_summaries(const std::vector<std::int64_t>& ids) = 0;
    virtual std::vector<Activity> activity_summaries(const std::vector<std::int64_t>& ids) = 0;
    // Every id of a table, in registration order.
    virtual std::vector<std::int64_t> all_ids(Table table) = 0;

    // ---- metadata schemas: every version of `name` (every schema when empty), by name then in
    // the order they were added
    virtual std::vector<SchemaRow> schemas(const std::string& name) = 0;

    // ---- queries
    virtual std::vector<std::int64_t> find_datasets(const CompiledQuery& query) = 0;
    virtual std::size_t count_datasets(const CompiledQuery& query) = 0;
    // The engine's plan for find_datasets(query), one line per step (EXPLAIN QUERY PLAN on
    // SQLite, EXPLAIN on PostgreSQL).
    virtual std::string explain(const CompiledQuery& query) = 0;
    // Activities matching the query's name, type, status, program and parent, in registration
    // order, with their versions (the version range is compared above, part by part).
    virtual std::vector<std::pair<std::int64_t, std::string>> find_activities(const ActivityQuery& query,
                                                                             std::optional<std::int64_t> parent) = 0;

    // ---- provenance
    virtual bool has_file(std::int64_t dataset, const std::string& path) = 0;
    // Files whose relative path is one of `paths`, or whose SHA-256 is `sha256` (when not
    // empty), by the datafile indexes on path and sha256; ordered by file id, each once.
    virtual std::vector<FileRow> files_matching(const std::vector<std::string>& paths, const std::string& sha256) = 0;
    virtual std::optional<Timestamp> activity_start(std::int64_t activity) = 0;
    virtual std::string activity_pid(std::int64_t activity) = 0;
    // The datasets an activity used / generated, in id order (a dataset used through several
    // files appears once per file).
    virtual std::vector<std::int64_t> used_datasets(std::int64_t activity) = 0;
    virtual std::vector<std::int64_t> generated_datasets(std::int64_t activity) = 0;
    // Used rows of the given activities, by activity, dataset and path.
    virtual std::vector<UsedRow> used_by(const std::vector<std::int64_t>& activities) = 0;
    // Generation rows of the given datasets, and uses of them by any activity.
    virtual std::vector<GenerationRow> generations_of(const std::vector<std::int64_t>& datasets) = 0;
    virtual std::vector<UsedRow> uses_of(const std::vector<std::int64_t>& datasets) = 0;
    // (informed, informant) pairs with both ends among `activities`, ordered.
    virtual std::vector<std::pair<std::int64_t, std::int64_t>> communications_among(
        const std::vector<std::int64_t>& activities) = 0;
    // Agents associated with the given activities, by activity then agent.
    virtual std::vector<AssociationRow> associations_of(const std::vector<std::int64_t>& activities) = 0;
    // The activity recorded with the derivation link derived <- source, if any.
    virtual std::optional<std::int64_t> derivation_activity(std::int64_t derived, std::int64_t source) = 0;
    // True when `ancestor` is `dataset` or one of its ancestors (derivation links, transitively).
    virtual bool derives_from(std::int64_t dataset, std::int64_t ancestor) = 0;
    // True when `informant` is `activity` or informed it (communication links, transitively).
    virtual bool informed_by(std::int64_t activity, std::int64_t informant) = 0;

    // ---- lineage: one derivation step, and the PIDs of datasets by id
    virtual void for_each_neighbour(std::int64_t dataset, Direction direction,
                                    const std::function<void(std::int64_t)>& f) = 0;
    virtual void for_each_source(std::int64_t dataset, const std::function<void(const LinkRow&)>& f) = 0;
    virtual std::string dataset_pid(std::int64_t dataset) = 0;

    // ---- for the lineage index
    virtual LinkMark link_mark() = 0;
    // Links with seq > `after`; after == 0: every link, by derived then source.
    virtual void for_each_link(std::int64_t after, const std::function<void(const LinkRow&)>& f) = 0;
    // Datasets with id > `after`, by id.
    virtual void for_each_dataset_pid(std::int64_t after, const std::function<void(std::int64_t, std::string_view)>& f) = 0;
};

// Everything written inside one transaction. Inputs are valid rows: checked, normalised and
// with their references resolved above. Uniqueness is the engine's: a PID or a unique name
// already present is a Conflict.
class StoreWriter : public StoreReader {
public:
    virtual void insert_instrument(const Instrument& instrument) = 0;
    virtual void insert_investigation(const InvestigationRow& row) = 0;
    virtual void insert_sample(const SampleRow& row) = 0;
    // Returns the new datasets' ids, in order.
    virtual std::vector<std::int64_t> insert_datasets(const std::vector<DatasetRow>& rows) = 0;
    virtual void insert_files(std::int64_t dataset, const std::vector<Datafile>& files) = 0;
    // Adds keys or replaces their values, interning new keys.
    virtual void put_metadata(MetadataOwner owner, std::int64_t owner_id, const std::vector<MetadataRow>& rows) = 0;
    virtual void set_search_text(std::int64_t dataset, const Dataset& d, const SearchText& text) = 0;
    virtual void set_state(std::int64_t dataset, DatasetState state, std::optional<Timestamp> end_time) = 0;
    // A dataset's schema check: the schema it was checked against, valid or not, the violations.
    virtual void set_validity(std::int64_t dataset, const std::string& schema, bool valid,
                              const std::vector<Violation>& violations) = 0;
    // A schema with the same name and version already present is a Conflict.
    virtual void insert_schema(const SchemaRow& row) = 0;
    // The datasets `activity` generated (only those in state `only_from`, if given) move to
    // state `to`; `end_time` is set where they had none.
    virtual void set_output_states(std::int64_t activity, std::optional<DatasetState> only_from, DatasetState to,
                                   Timestamp end_time) = 0;

    virtual void insert_agent(const Agent& agent) = 0;
    virtual std::int64_t insert_activity(const ActivityRow& row) = 0;
    virtual void finish_activity(std::int64_t activity, ActivityStatus status, Timestamp end_time) = 0;
    virtual void append_log(std::int64_t activity, std::string_view text) = 0;
    // Links; recording one that exists is not an error (a used row gets the new role).
    virtual void insert_used(const UsedRow& row) = 0;
    virtual void insert_generation(const GenerationRow& row) = 0;
    virtual void insert_derivation(std::int64_t derived, std::int64_t source, std::optional<std::int64_t> activity,
                                   const std::string& role) = 0;
    virtual void insert_association(std::int64_t activity, std::int64_t agent, const std::string& role) = 0;
    virtual void insert_communication(std::int64_t informed, std::int64_t informant) = 0;
};

class Store {
public:
    virtual ~Store() = default;

    virtual const std::string& pid_prefix() const = 0;
    virtual int schema_version() = 0;
    // One snapshot for the whole of `work`; reads may run concurrently with each other and
    // with a write.
    virtual void read(const std::function<void(StoreReader&)>& work) = 0;
    // One transaction: committed when `work` returns, rolled back when it throws. Writes are
    // serialised within the process; between processes the engine's locking decides.
    virtual void write(const std::function<void(StoreWriter&)>& work) = 0;
};

}  // namespace datatrail::detail
