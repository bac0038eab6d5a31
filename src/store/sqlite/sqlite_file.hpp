#pragma once
// Private: how the SQLite store opens a catalogue file, decided from the options and the file
// system that holds it, and the connection settings that follow from that.
#include "store/sqlite/sqlite.hpp"

#include <datatrail/catalog.hpp>

#include <filesystem>
#include <string>

namespace datatrail::detail {

struct FileMode {
    // SQLITE_OPEN_READONLY; no migration, no journal-mode change, every write refused.
    bool read_only = false;
    // The writer puts the file in WAL mode; false: rollback-journal mode (journal_mode=DELETE),
    // for a network file system whose user accepted the risk.
    bool wal = true;
    // Read connections read the file through a memory map: only on a local file system.
    bool memory_map = true;
};

// Checks the options and the file system of `path` (see check_catalog_file_system) before
// anything is opened, so a refusal leaves nothing behind: ValidationError, StorageError, and
// NotFound for a missing file opened read_only.
FileMode file_mode(const std::filesystem::path& path, bool memory, const CatalogOptions& options);

// The settings of a new connection: journal mode (writer only), durability, memory map (readers).
void configure_connection(sqlite::Database& db, const FileMode& mode, bool writer, bool memory,
                          const std::string& path);

// For a read-only open: the schema must be current (no migration); a WAL-mode file whose -wal
// and -shm files SQLite cannot create gets a message that says so.
void check_read_only_catalog(sqlite::Database& db, const std::string& path);

// The StorageError every write of a read-only catalogue throws.
[[noreturn]] void refuse_write(const std::string& path);

}  // namespace datatrail::detail
