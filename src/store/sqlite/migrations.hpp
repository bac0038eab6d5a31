#pragma once
#include "store/sqlite/sqlite.hpp"

#include <string_view>

namespace datatrail::detail {

// The newest schema version this library writes.
int latest_schema_version() noexcept;

// Brings the catalogue to the latest schema, one migration per transaction; a catalogue newer
// than this library knows is refused with StorageError. Returns the version found on opening.
int migrate(sqlite::Database& db);

// For a read-only open, which cannot migrate: StorageError unless the catalogue is at the latest
// schema, naming `path` and saying what would bring it there.
void require_latest_schema(sqlite::Database& db, std::string_view path);

}  // namespace datatrail::detail
