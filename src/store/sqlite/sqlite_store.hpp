#pragma once
// The SQLite engine: one catalogue file (or ":memory:").
#include "store/sqlite/sqlite.hpp"
#include "store/sqlite/sqlite_file.hpp"
#include "store/store.hpp"

#include <chrono>
#include <filesystem>
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

    const std::string& pid_prefix() const override { return prefix_; }
    int schema_version() override;
    void read(const std::function<void(StoreReader&)>& work) override;
    void write(const std::function<void(StoreWriter&)>& work) override;

private:
    friend class SqliteTx;
    class ReaderLease;
    // Runs `work` in one write transaction on the write connection.
    void transaction(const std::function<void(sqlite::Database&)>& work);
    // The write connection (which also sets the journal mode) or a read connection.
    std::unique_ptr<sqlite::Database> open_connection(bool writer) const;

    // A key as the catalogue holds it, with its internal id.
    struct StoredKey {
        std::int64_t id = 0;
        KeyInfo info;
    };
    // From the cache, else from `db`; caches what a committed read found.
    std::optional<StoredKey> find_key(sqlite::Database& db, const std::string& key);
    // Interns a key inside the current write transaction; it joins the cache once committed.
    std::int64_t key_id(sqlite::Database& db, const MetadataRow& row);

    std::string path_;
    bool memory_ = false;
    FileMode file_;
    std::chrono::milliseconds busy_timeout_;
    std::string prefix_;

    std::mutex write_mutex_;
    std::unique_ptr<sqlite::Database> writer_;

    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<sqlite::Database>> idle_readers_;

    // Keys committed so far; keys added by a transaction join only once it commits.
    std::mutex keys_mutex_;
    std::unordered_map<std::string, StoredKey> keys_;
    std::unordered_map<std::string, StoredKey> pending_keys_;
};

}  // namespace datatrail::detail
