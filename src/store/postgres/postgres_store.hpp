#pragma once
// The PostgreSQL engine: a facility catalogue that many processes and threads write at once.
#include "store/postgres/pq.hpp"
#include "store/store.hpp"

#include <mutex>
#include <unordered_map>

namespace datatrail::detail {

// A pool of connections. Reads are REPEATABLE READ transactions (one snapshot, as on SQLite);
// writes are READ COMMITTED transactions that run concurrently, from threads and processes,
// and are run again, whole, when PostgreSQL reports a serialisation failure or a deadlock.
class PostgresStore final : public Store {
public:
    PostgresStore(const std::string& uri, const CatalogOptions& options);

    const std::string& pid_prefix() const override { return prefix_; }
    int schema_version() override;
    void read(const std::function<void(StoreReader&)>& work) override;
    void write(const std::function<void(StoreWriter&)>& work) override;

    // A key as the catalogue holds it, with its internal id.
    struct StoredKey {
        std::int64_t id = 0;
        KeyInfo info;
    };
    // Keys known to be committed; a transaction's own new keys join once it commits.
    std::optional<StoredKey> committed_key(const std::string& key);
    void remember_keys(std::unordered_map<std::string, StoredKey>& keys);

private:
    pq::Pool pool_;
    std::string prefix_;
    int max_attempts_;
    std::string lock_timeout_;  // the statement that bounds a write's wait for locks
    bool read_only_ = false;
    std::string target_;  // the URI without its password, for messages

    std::mutex keys_mutex_;
    std::unordered_map<std::string, StoredKey> keys_;
};

}  // namespace datatrail::detail
