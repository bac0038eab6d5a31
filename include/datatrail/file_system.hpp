#pragma once
// Which file system holds a catalogue file, and the rule the SQLite engine applies to network
// and cluster file systems (NFS, SMB, Lustre, GPFS, CephFS ...): SQLite's WAL mode needs shared
// memory and byte-range locks that they do not provide reliably between hosts, so a catalogue
// file there is not opened for writing unless the caller accepts the risk. For data managers
// and operators as well: check a folder before pointing jobs at it.
#include <datatrail/export.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace datatrail {

struct CatalogOptions;

// The name of the network or cluster file system whose statfs() f_type is `magic` (e.g.
// "NFS", "Lustre", "GPFS (IBM Storage Scale)"); std::nullopt for a local file system (ext4,
// xfs, btrfs, tmpfs, overlayfs ...) and for a number it does not know.
DATATRAIL_API std::optional<std::string> network_file_system_name(std::uint64_t magic);

// The statfs() f_type of the file system that holds, or will hold, the catalogue file `path`:
// that of the folder the file is in, after following symbolic links (SQLite keeps its journal,
// -wal and -shm files beside the real file). StorageError if the folder cannot be examined.
DATATRAIL_API std::uint64_t file_system_magic(const std::filesystem::path& path);

// network_file_system_name(file_system_magic(path)).
DATATRAIL_API std::optional<std::string> network_file_system(const std::filesystem::path& path);

// What the SQLite engine checks before it opens the catalogue file `path` with `options`, as a
// pure function of its arguments (nothing is read or written): `magic` is the statfs() f_type
// of its folder (see file_system_magic), std::nullopt when there is none (":memory:").
// - ValidationError for options that contradict each other or the path.
// - StorageError when the file is on a network file system and would be opened for writing
//   without the option sqlite_network_file_system; the message names the file, the file
//   system, why, and the remedies.
// Returns normally when the catalogue may be opened.
DATATRAIL_API void check_catalog_file_system(const std::filesystem::path& path, std::optional<std::uint64_t> magic,
                                             const CatalogOptions& options);

}  // namespace datatrail
