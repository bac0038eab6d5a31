#pragma once
#include "store/sqlite/sqlite.hpp"

namespace datatrail::detail {

// The newest schema version this library writes.
int latest_schema_version() noexcept;

// Brings the catalogue to the latest schema, one migration per transaction; a catalogue newer
// than this library knows is refused with StorageError. Returns the version found on opening.
int migrate(sqlite::Database& db);

}  // namespace datatrail::detail
