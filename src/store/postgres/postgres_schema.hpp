#pragma once
// The PostgreSQL schema and its migrations.
#include "store/postgres/pq.hpp"

namespace datatrail::detail::postgres {

// Brings the database to the latest schema version, one migration per transaction (and under an
// advisory lock, so that processes opening a new database at once do not race); a database
// newer than this library knows is refused with StorageError. Returns the version found.
int migrate(pq::Connection& conn);

// The version the database is at now.
int schema_version(pq::Connection& conn);

// The lock that makes derivation links take their `seq` in commit order (see insert_derivation).
inline constexpr std::int64_t link_order_lock = 0x6474'6c69'6e6b'7331;  // "dtlinks1"
inline constexpr std::int64_t migration_lock = 0x6474'6d69'6772'6174;   // "dtmigrat"

}  // namespace datatrail::detail::postgres
