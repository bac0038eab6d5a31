#pragma once
// The catalogue: one SQLite file (or ":memory:") holding investigations, instruments, samples,
// datasets, their files and metadata. Safe to share between threads: writes are serialised
// inside, reads run concurrently. Several processes may write the same file.
#include <datatrail/dataset.hpp>
#include <datatrail/export.hpp>
#include <datatrail/instrument.hpp>
#include <datatrail/investigation.hpp>
#include <datatrail/query.hpp>
#include <datatrail/sample.hpp>

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
    // How long a write waits for another process's write to finish before StorageError.
    std::chrono::milliseconds busy_timeout{10000};
};

struct RegisterOptions {
    // Compute size, SHA-256, modification time and format of every file from disk, under the
    // dataset's location; a missing file is a NotFound and nothing is registered.
    bool describe_files = false;
};

class DATATRAIL_API Catalog {
public:
    // Opens the catalogue at `path`, creating it if missing and migrating an older one.
    // ":memory:" gives a private in-memory catalogue. A catalogue written by a newer datatrail
    // is refused with StorageError.
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

    Dataset register_dataset(Dataset dataset, const RegisterOptions& options = {});
    // All or nothing, in one transaction: the way to register many datasets fast.
    std::vector<Dataset> register_datasets(std::vector<Dataset> datasets, const RegisterOptions& options = {});

    Dataset dataset(const std::string& pid) const;
    std::vector<Dataset> find_datasets(const DatasetQuery& query = {}) const;
    std::size_t count_datasets(const DatasetQuery& query = {}) const;

    // For acquisition: a dataset registered as acquiring gains files and metadata as it is
    // written, then is marked complete (or failed).
    void add_files(const std::string& dataset_pid, std::vector<Datafile> files, const RegisterOptions& options = {});
    // Adds keys or replaces their values.
    void set_metadata(const std::string& dataset_pid, const Metadata& metadata);
    void set_state(const std::string& dataset_pid, DatasetState state,
                   std::optional<Timestamp> end_time = std::nullopt);

    // For extensions of the library (provenance, NeXus); not part of the stable API.
    detail::Store& store() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace datatrail
