#pragma once
// Which file system holds a catalogue file: network and cluster file systems (NFS, SMB, Lustre,
// GPFS, CephFS ...) do not provide the shared memory and byte-range locks that SQLite's WAL mode
// needs between hosts. For data managers and operators as well: check a folder before pointing
// jobs at it.
#include <datatrail/export.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace datatrail {

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

}  // namespace datatrail
