#pragma once
// The catalogue: one SQLite file (or ":memory:"), or a PostgreSQL database, holding
// investigations, instruments, samples, datasets, their files and metadata, and provenance. Safe to share between threads: writes are serialised
// inside, reads run concurrently. Several processes may write the same file.
#include <datatrail/activity.hpp>
#include <datatrail/agent.hpp>
#include <datatrail/dataset.hpp>
#include <datatrail/export.hpp>
#include <datatrail/instrument.hpp>
#include <datatrail/investigation.hpp>
#include <datatrail/lineage.hpp>
#include <datatrail/merge.hpp>
#include <datatrail/query.hpp>
#include <datatrail/sample.hpp>
#include <datatrail/schema.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace datatrail {

namespace detail {
class Store;
}

struct CatalogOptions {
    // PID prefix of a new catalogue. An existing catalogue keeps the prefix it was created
    // with; naming another one here is a Conflict.
    std::optional<std::string> pid_prefix;
    // How long a write waits for another writer before StorageError: SQLite's busy timeout;
    // on PostgreSQL, the lock timeout of each write transaction.
    std::chrono::milliseconds busy_timeout{10000};
    // PostgreSQL only (refused by SQLite): at most this many connections open at once, shared
    // by the catalogue's threads; default 4.
    std::optional<std::size_t> postgres_pool_size;
    // Lineage walks use an in-memory copy of the derivation links and the datasets' PIDs,
    // loaded on the first walk (28 bytes per link, 24 per dataset plus its PID: about 140 MB
    // for a million datasets and three million links) and then kept current with every write,
    // from any process. false: walk the catalogue file instead, one lookup per dataset reached;
    // no memory is held, and deep walks in large catalogues are several times slower.
    bool lineage_index = true;
    // Open an existing catalogue for reading only: nothing is created, migrated or written, and
    // every write method throws StorageError. A missing file is NotFound; a catalogue at an older
    // schema version is refused with StorageError (migrating it needs a writable open). Allowed
    // on network file systems (see datatrail/file_system.hpp); ":memory:" is a ValidationError.
    // SQLite: a catalogue in rollback-journal mode is read through file locks alone. One in WAL
    // mode (the default) still needs its -wal and -shm files beside it, which SQLite creates if
    // missing (StorageError if the folder is not writable) and leaves there; on a network file
    // system that is safe only while no other host writes the catalogue.
    bool read_only = false;
    // SQLite only. Write a catalogue file on a network or cluster file system anyway, accepting
    // the risk: the file is used in rollback-journal mode (journal_mode=DELETE, switched from WAL
    // if needed, no memory map), which relies only on the file system's POSIX locks. Those must
    // work between hosts (NFS with lockd or NFSv4, Lustre mounted with flock; not sshfs); one
    // writer at a time, and a write waits for running reads. Every process that opens the file
    // should set it: one that does not, on a host where the file is local, switches it back to
    // WAL. Combined with read_only, or for ":memory:", it is a ValidationError.
    bool sqlite_network_file_system = false;
};

// What Catalog::record_activity stored: the activity as read back (with what it generated) and
// its outputs, in the order given.
struct RecordedActivity {
    Activity activity;
    std::vector<Dataset> outputs;
};

struct RegisterOptions {
    // Compute size, SHA-256, modification time and format of every file from disk, under the
    // dataset's location; a missing file is a NotFound and nothing is registered.
    bool describe_files = false;
};

class DATATRAIL_API Catalog {
public:
    // Opens the catalogue at `path`, creating it if missing and migrating an older one.
    // A file path, ":memory:" (a private in-memory catalogue) or "sqlite:///abs/path.db" opens
    // SQLite; a libpq URI ("postgresql://user@host:5432/facility",
    // "postgresql:///facility?host=/run/postgresql") opens a PostgreSQL database, which must
    // exist (its tables are created on first use). Another scheme is a ValidationError. A
    // catalogue written by a newer datatrail is refused with StorageError, and so is writing an
    // SQLite file on a network file system (see CatalogOptions::read_only and
    // sqlite_network_file_system): nothing is created then.
    explicit Catalog(const std::filesystem::path& path, CatalogOptions options = {});
    ~Catalog();
    Catalog(Catalog&&) noexcept;
    Catalog& operator=(Catalog&&) noexcept;
    Catalog(const Catalog&) = delete;
    Catalog& operator=(const Catalog&) = delete;

    const std::filesystem::path& path() const noexcept;
    const std::string& pid_prefix() const noexcept;
    // The catalogue's schema version (PRAGMA user_version) and the newest this library knows.
    int schema_version() const;
    static int latest_schema_version() noexcept;

    // Each add/register returns the record as stored: PID minted, references resolved to PIDs.
    Instrument add_instrument(Instrument instrument);
    Instrument instrument(const std::string& pid_or_name) const;
    std::vector<Instrument> instruments() const;

    Investigation add_investigation(Investigation investigation);
    Investigation investigation(const std::string& pid_or_name) const;
    std::vector<Investigation> investigations() const;

    Sample add_sample(Sample sample);
    Sample sample(const std::string& pid_or_name) const;
    std::vector<Sample> samples() const;

    // ---- Metadata schemas (datatrail/schema.hpp, docs/schemas.md) -------------------------

    // Stores a schema, made by parse_schema or load_schema (the catalogue keeps its YAML text; a
    // schema changed in code since, or one a catalogue flattened, is a ValidationError). The
    // schema it extends must be in the catalogue already; "extends: base" is pinned to the
    // latest base now, so adding base@2 later does not change it. The same name and version again with the same content (canonical_json)
    // changes nothing; with other content it is a Conflict naming what differs. Returns the
    // schema as the catalogue checks datasets with it: flattened (resolve_schema).
    Schema add_schema(const Schema& schema);
    // "mx" (the latest version) or "mx@1.2", flattened; NotFound when the catalogue lacks it.
    Schema schema(const std::string& name) const;
    // Every version of every schema, flattened, by name and then version.
    std::vector<Schema> schemas() const;
    // Checks datasets again, each against the schema it names or, when `schema` is given ("mx" or
    // "mx@1.2"), against that one: one report per dataset (a PID given twice is reported once),
    // in order. With `record`, each result is stored with its dataset: the schema checked
    // against, valid, violations (its metadata is left as it is: no defaults filled in, no units
    // converted); otherwise nothing is written.
    std::vector<SchemaReport> validate(const DatasetQuery& query, const std::string& schema = {}, bool record = false);
    std::vector<SchemaReport> validate(const std::vector<std::string>& pids, const std::string& schema = {},
                                       bool record = false);

    // ---- Datasets -------------------------------------------------------------------------

    // A dataset that names a schema (Dataset::schema) is checked against it first: a strict
    // schema refuses it with every violation (ValidationError, nothing written); a lenient one
    // accepts it with valid = false and its violations kept. Either way its metadata is stored
    // as the schema says (defaults filled in, values converted into the schema's units), and
    // Dataset::schema records the version checked against ("mx@1.2").
    Dataset register_dataset(Dataset dataset, const RegisterOptions& options = {});
    // All or nothing, in one transaction: the way to register many datasets fast.
    std::vector<Dataset> register_datasets(std::vector<Dataset> datasets, const RegisterOptions& options = {});

    Dataset dataset(const std::string& pid) const;
    std::vector<Dataset> find_datasets(const DatasetQuery& query = {}) const;
    std::size_t count_datasets(const DatasetQuery& query = {}) const;
    // How the engine would run find_datasets(query): its plan, one line per step (SQLite's
    // EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN), to check that a query uses the indexes.
    std::string explain(const DatasetQuery& query = {}) const;

    // The datasets that hold a file: the one at `path` (an absolute path, compared with each
    // dataset's location joined with the file's path, both lexically normalised; a location
    // that is relative or empty counts from the current directory) and/or any whose SHA-256 is
    // `sha256`. Either may be empty, not both. Each file once, in registration order, marked
    // with what matched. Indexed lookups only: candidate relative paths are the suffixes of
    // `path`, so a file registered under a non-normalised path ("./a.h5") is found by checksum
    // only. Bad input is a ValidationError naming the field.
    std::vector<DatasetFile> datasets_with_file(const std::string& path, const std::string& sha256 = {}) const;

    // For acquisition: a dataset registered as acquiring gains files and metadata as it is
    // written, then is marked complete (or failed).
    void add_files(const std::string& dataset_pid, std::vector<Datafile> files, const RegisterOptions& options = {});
    // Adds keys or replaces their values. A dataset checked against a schema is checked again
    // with its new metadata: a strict schema refuses a change that breaks it, a lenient one
    // records the new violations (or that there are none).
    void set_metadata(const std::string& dataset_pid, const Metadata& metadata);
    void set_state(const std::string& dataset_pid, DatasetState state,
                   std::optional<Timestamp> end_time = std::nullopt);

    // ---- Provenance: agents, activities and the links between them ----------------------

    Agent add_agent(Agent agent);
    Agent agent(const std::string& pid_or_name) const;
    std::vector<Agent> agents() const;

    // Records an activity with what it used, its agents, parent and informants; it is running
    // unless another status is given. Unknown PIDs are a ValidationError; nothing is written.
    Activity start_activity(Activity activity);
    Activity activity(const std::string& pid) const;
    std::vector<Activity> find_activities(const ActivityQuery& query = {}) const;

    // More inputs of an activity; datasets it already generated become derived from them too.
    void add_inputs(const std::string& activity_pid, const std::vector<Used>& used);
    // Registers datasets generated by the activity, derived from every dataset it used.
    std::vector<Dataset> add_outputs(const std::string& activity_pid, std::vector<Dataset> datasets,
                                     const std::string& role = {}, const RegisterOptions& options = {});
    void append_log(const std::string& activity_pid, std::string_view text);
    // Ends an activity. Failed: its outputs are marked failed. Succeeded: outputs still
    // acquiring are marked complete. The end time defaults to now.
    void finish_activity(const std::string& activity_pid, ActivityStatus status,
                         std::optional<Timestamp> end_time = std::nullopt);
    // An activity with its inputs, agents, parent, informants and outputs, in one transaction:
    // what start_activity, add_outputs and finish_activity record, with the same checks and
    // rules, for a run whose work is done (a workflow task once its function has returned).
    // The status is the activity's: succeeded or failed (end time defaulting to now) applies
    // finish_activity's rule to the outputs (failed: all failed; succeeded: those acquiring
    // complete); running records it as start_activity + add_outputs would. Outputs are
    // registered as given, derived from every dataset the activity used; their violations are
    // named "outputs[i].<field>". All or nothing: any violation, in the activity or any output,
    // is a ValidationError and nothing is written.
    RecordedActivity record_activity(Activity activity, std::vector<Dataset> outputs, const std::string& role = {},
                                     const RegisterOptions& options = {});

    // Links recorded directly. Each refuses a cycle and an unknown PID.
    void add_derivation(const std::string& derived_pid, const std::string& source_pid, const std::string& role = {});
    void add_informed_by(const std::string& activity_pid, const std::string& informant_pid);
    void associate(const std::string& activity_pid, const std::string& agent, const std::string& role = {});

    // ---- Lineage ------------------------------------------------------------------------

    // What a dataset or activity was made from, `depth` derivation steps back (-1: all the
    // way), with the activities, agents and files on the way.
    ProvGraph ancestors(const std::string& pid, int depth = -1) const;
    // What was made from a dataset or activity, `depth` derivation steps on (-1: all).
    ProvGraph descendants(const std::string& pid, int depth = -1) const;
    // The datasets of the same walks without the graph: each PID once, with its smallest depth,
    // nearest first; the start itself is not included. For impact analysis and large lineages,
    // where reading every node's record and link would cost more than the walk.
    std::vector<DatasetDepth> ancestor_pids(const std::string& pid, int depth = -1) const;
    std::vector<DatasetDepth> descendant_pids(const std::string& pid, int depth = -1) const;
    // The shortest derivation path from `ancestor` to `descendant`; NotFound if there is none.
    ProvGraph lineage_path(const std::string& ancestor, const std::string& descendant) const;
    // The raw datasets a dataset was ultimately made from.
    std::vector<Dataset> raw_sources(const std::string& pid) const;
    // Every dataset downstream of a dataset: what must be redone if it was wrong.
    std::vector<Dataset> downstream(const std::string& pid) const;
    // Datasets generated by `program` with min_version <= version < max_version (empty bound:
    // open), and with `include_downstream` everything made from them: what a bug in those
    // versions touched.
    std::vector<Dataset> generated_by_program(const std::string& program, const std::string& min_version = {},
                                              const std::string& max_version = {},
                                              bool include_downstream = false) const;
    // The whole catalogue's provenance, for export.
    ProvGraph provenance() const;

    // ---- Merging catalogues ------------------------------------------------------------------

    // Copies into this catalogue what it lacks of `source`: instruments, investigations,
    // samples, agents, datasets with their files and metadata, activities with their parameters
    // and links, and derivation links, matched by PID and keeping every PID and prefix. Records
    // already here with the same content are skipped, so merging twice adds nothing. A record
    // here whose content differs from the source's (or a unique name taken by another PID, or a
    // metadata key of another class or dimension, or a link that would make a cycle) is a
    // Conflict listing every difference, and nothing is written. All in one transaction of this
    // catalogue, reading one snapshot of the source. `progress` is called as records are merged.
    MergeReport merge_from(const Catalog& source, const MergeProgressFn& progress = {});

    // For extensions of the library (provenance, NeXus); not part of the stable API.
    detail::Store& store() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace datatrail
