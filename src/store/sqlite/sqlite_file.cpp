#include "store/sqlite/sqlite_file.hpp"

#include "store/sqlite/file_system.hpp"
#include "store/sqlite/migrations.hpp"

#include <datatrail/error.hpp>
#include <datatrail/file_system.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <fstream>
#include <system_error>

namespace datatrail {

void check_catalog_file_system(const std::filesystem::path& path, std::optional<std::uint64_t> magic,
                               const CatalogOptions& options) {
    const bool memory = path == ":memory:";
    Violations v;
    if (options.read_only && options.sqlite_network_file_system)
        v.add("sqlite_network_file_system", "true",
              "cannot be combined with read_only: it switches the catalogue to rollback-journal mode, which is a "
              "write; read_only alone may read a catalogue on a network file system");
    if (memory && options.read_only)
        v.add("read_only", "true", "needs a catalogue file: ':memory:' is a new, empty catalogue");
    if (memory && options.sqlite_network_file_system)
        v.add("sqlite_network_file_system", "true", "applies to a catalogue file, not to ':memory:'");
    v.throw_if_any();

    if (!magic || options.read_only || options.sqlite_network_file_system) return;
    const auto fs = detail::network_file_system_name(*magic);
    if (!fs) return;
    throw StorageError(fmt::format(
        "refusing to open the catalogue '{0}' for writing: it is on a network file system ({1}). SQLite's WAL mode, in "
        "which datatrail writes, needs shared memory (the '-shm' file beside the catalogue, mapped into every process "
        "that opens it) and byte-range locks, which this file system does not provide reliably between hosts; a "
        "catalogue written there can be corrupted. Nothing was created or changed. Remedies: keep the catalogue on a "
        "local disk; for a catalogue shared between hosts, use a PostgreSQL catalogue; to only read it, open it with "
        "the option read_only; or, accepting the risk, open it with the option sqlite_network_file_system "
        "(rollback-journal mode: one writer at a time, relying on the file system's locks)",
        path.string(), *fs));
}

namespace detail {

FileMode file_mode(const std::filesystem::path& path, bool memory, const CatalogOptions& options) {
    check_catalog_file_system(path, std::nullopt, options);  // the options alone, before any I/O
    if (memory) return {};
    std::error_code ec;
    if (options.read_only) {
        if (!std::filesystem::exists(path, ec))
            throw NotFound(fmt::format("no catalogue file '{}': read_only opens an existing catalogue and creates none",
                                       path.string()));
    } else if (path.has_parent_path() && !std::filesystem::is_directory(path.parent_path(), ec)) {
        throw StorageError(fmt::format("cannot create the catalogue '{}': the folder '{}' does not exist", path.string(),
                                       path.parent_path().string()));
    }
    const auto magic = file_system_magic(path);
    check_catalog_file_system(path, magic, options);
    const bool network = network_file_system_name(magic).has_value();
    return {.read_only = options.read_only,
            .wal = !options.sqlite_network_file_system,
            .memory_map = !network && !options.sqlite_network_file_system};
}

namespace {

// Read from the file itself, without SQLite and its locks: bytes 18 and 19 of the header are 2 in
// WAL mode and 1 in rollback-journal mode.
bool file_is_in_wal_mode(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char header[20] = {};
    return in.read(header, sizeof header) && header[18] == 2 && header[19] == 2;
}

// Leaving WAL mode needs the file to itself (SQLite checkpoints and deletes the -wal file), so it
// waits out the busy timeout while another connection has the catalogue open. A file already in
// rollback-journal mode can be busy too, with other processes' reads and writes: SQLite's own
// message says that well enough.
void use_rollback_journal(sqlite::Database& db, const std::string& path) {
    std::string mode;
    try {
        auto st = db.prepare("PRAGMA journal_mode = DELETE");
        if (st.step()) mode = st.column_text(0);
    } catch (const sqlite::Failure& e) {
        if (!e.is_busy() || !file_is_in_wal_mode(path)) throw;
        throw StorageError(fmt::format(
            "cannot switch the catalogue '{}' to rollback-journal mode (the option sqlite_network_file_system): another "
            "connection, in this or another process, has it open in WAL mode; close those and open it again ({})",
            path, e.what()));
    }
    if (mode != "delete")
        throw StorageError(fmt::format("cannot switch the catalogue '{}' to rollback-journal mode (the option "
                                       "sqlite_network_file_system): SQLite kept journal mode '{}'",
                                       path, mode));
}

}  // namespace

namespace {

// A read-only connection fails with SQLITE_READONLY_* only where SQLite had to write beside the
// file: the -wal and -shm files of a catalogue in WAL mode, in a folder it may not write.
[[noreturn]] void explain_read_only_failure(const sqlite::Failure& e, const std::string& path) {
    if ((e.code() & 0xff) != SQLITE_READONLY) throw e;
    throw StorageError(fmt::format(
        "cannot read the catalogue '{0}' read-only: it is in WAL mode, and SQLite must create '{0}-wal' and "
        "'{0}-shm' beside it to read it, but may not write in its folder ({1}). Open it once with the option "
        "sqlite_network_file_system where it may be written (rollback-journal mode needs no such files), or "
        "read a copy in a folder you may write",
        path, e.what()));
}

void set_up(sqlite::Database& db, const FileMode& mode, bool writer, bool memory, const std::string& path) {
    if (writer && !memory && !mode.read_only) {
        if (mode.wal)
            db.exec("PRAGMA journal_mode = WAL");
        else
            use_rollback_journal(db, path);
    }
    // NORMAL is durable in WAL mode except for the last transactions before a power cut; in
    // rollback-journal mode only FULL syncs the journal before the file is changed, so that a
    // power cut cannot leave a corrupt catalogue.
    db.exec(mode.wal ? "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL"
                     : "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL");
    // Readers read through a memory map of the file instead of a read() into SQLite's 2 MB page
    // cache per connection: lineage graphs and queries that touch rows all over a large
    // catalogue no longer copy every page. SQLite caps the size at its build's limit (2 GiB for
    // Debian's); pages beyond it, and pages in the WAL, are read as before. The writer keeps
    // read(): it mostly appends, and a map would be remapped as the file grows. A network file
    // system gets no map: pages another host changes need not reach a mapping.
    if (!writer && mode.memory_map) db.exec("PRAGMA mmap_size = 17179869184");
}

}  // namespace

void configure_connection(sqlite::Database& db, const FileMode& mode, bool writer, bool memory,
                          const std::string& path) {
    try {
        set_up(db, mode, writer, memory, path);
    } catch (const sqlite::Failure& e) {
        if (!mode.read_only) throw;
        explain_read_only_failure(e, path);
    }
}

void check_read_only_catalog(sqlite::Database& db, const std::string& path) {
    try {
        require_latest_schema(db, path);
    } catch (const sqlite::Failure& e) {
        explain_read_only_failure(e, path);
    }
}

void refuse_write(const std::string& path) {
    throw StorageError(fmt::format(
        "cannot write to the catalogue '{}': it was opened read-only (the option read_only); open it without "
        "read_only to write",
        path));
}

}  // namespace detail
}  // namespace datatrail
